"""Start-up cost: a cold process to the first playlist (`segue generate … --json`), the same warm (second run,
OS file cache hot), and `segue --help`; baselines measured in the same run: `python -c pass` and
`python -c "import chromadb, langchain"` (what importing the heavy dependencies alone costs).

    python -m bench.startup [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import REPO, bench_home, table

PROMPT = "rainy Sunday coffee, mellow indie, no explicit, about 40 minutes"


def segue_bin() -> str:
    return str(Path(sys.executable).with_name("segue"))


def wall_ms(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed ({proc.returncode}): {proc.stderr[-500:]}")
    if "--json" in cmd:
        json.loads(proc.stdout)  # a real playlist came out
    return elapsed


def drop_file_cache(paths: list[Path]) -> bool:
    """Ask the kernel to forget the store's pages (posix_fadvise); True when it could."""
    ok = hasattr(os, "posix_fadvise")
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return False
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return ok


def run(repeat: int = 3) -> dict[str, float]:
    from core.settings import Settings
    from tools.store import current_build

    settings = Settings()
    home = bench_home(settings.store_root)
    env = {**os.environ, "SEGUE_HOME": str(home), "SEGUE_PROVIDER": "offline"}
    env.pop("OPENAI_API_KEY", None)
    build = current_build(settings.store_root)
    files = [build.path / n for n in ("columns.json", "columns.npz", "vectors.npy")] if build else []
    gen = [segue_bin(), "generate", PROMPT, "--json"]
    try:
        rows: dict[str, list[float]] = {k: [] for k in ("python -c pass (baseline)", 'python -c "import chromadb, langchain" (baseline)',
                                                         "segue --help", "first playlist, cold file cache",
                                                         "first playlist, warm (second run)")}
        for _ in range(repeat):
            rows["python -c pass (baseline)"].append(wall_ms([sys.executable, "-c", "pass"], env))
            rows['python -c "import chromadb, langchain" (baseline)'].append(
                wall_ms([sys.executable, "-c", "import chromadb, langchain"], env))
            rows["segue --help"].append(wall_ms([segue_bin(), "--help"], env))
            dropped = drop_file_cache(files)
            rows["first playlist, cold file cache"].append(wall_ms(gen, env))
            rows["first playlist, warm (second run)"].append(wall_ms(gen, env))
        note = "" if dropped else "(could not drop the file cache)"
        table("Start-up: process start to output", [(k, v, note if "cold" in k else "") for k, v in rows.items()])
        figures = {"help": min(rows["segue --help"]), "first_warm": min(rows["first playlist, warm (second run)"]),
                   "first_cold": min(rows["first playlist, cold file cache"]),
                   "import_heavy": min(rows['python -c "import chromadb, langchain" (baseline)'])}
        print(f"\n--help {figures['help']:.0f} ms (target ≤ 1000); first playlist warm {figures['first_warm']:.0f} ms "
              f"(target ≤ 3000); importing chromadb+langchain alone costs {figures['import_heavy']:.0f} ms")
        return figures
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    run(parser.parse_args().repeat)


if __name__ == "__main__":
    main()
