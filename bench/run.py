"""`make bench`: every benchmark in sequence, each table with its in-run baseline, then a summary against
the targets. The 1M-track scale run is separate (`make bench-scale`, bench/scale.py).

    python -m bench.run [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from bench.generate import REPO

TARGETS = [  # (figure, key, target, lower is better)
    ("generate p50, in-process (ms)", ("generate", "p50"), 100, True),
    ("generate p99, in-process (ms)", ("generate", "p99"), 250, True),
    ("throughput over HTTP (playlists/s)", ("generate", "throughput"), 20, False),
    ("first playlist, warm process (ms)", ("startup", "first_warm"), 3000, True),
    ("segue --help (ms)", ("startup", "help"), 1000, True),
    ("server peak RSS (MB)", ("memory", "peak_mb"), 1536, True),
]


def section(title: str) -> float:
    print(f"\n{'=' * 100}\n# {title}\n{'=' * 100}", flush=True)
    return time.perf_counter()


def run_module(module: str, *args: str) -> None:
    """Benchmarks that print their own tables and return nothing run in a child process."""
    subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run, about 3 minutes)")
    args = parser.parse_args()
    os.environ.setdefault("SEGUE_PROVIDER", "offline")
    from bench import generate, memory, startup

    n = 40 if args.quick else 150
    started = time.perf_counter()
    figures: dict[str, dict[str, float]] = {}
    section("Filtered search: exact numpy masks vs Chroma `where` (bench/search.py)")
    run_module("bench.search", "--queries", str(24 if args.quick else 96))
    section("Generate, offline (bench/generate.py)")
    figures["generate"] = generate.run(n=n, http_n=2 * n, concurrency=4, time_limit=60.0, profile_n=20 if args.quick else 40)
    section("LLM path: model calls and tokens vs a naive agent (bench/llm.py)")
    try:
        run_module("bench.llm", "--prompts", str(6 if args.quick else 17))
    except subprocess.CalledProcessError as exc:
        print(f"bench.llm failed ({exc.returncode}); the other tables stand")
    section("Start-up (bench/startup.py)")
    figures["startup"] = startup.run(repeat=2 if args.quick else 3)
    section("Memory (bench/memory.py)")
    figures["memory"] = memory.run(n=n)
    summary(figures, time.perf_counter() - started)


def summary(figures: dict[str, dict[str, float]], elapsed: float) -> None:
    section("Summary against the targets")
    for name, (group, key), target, lower in TARGETS:
        value = figures.get(group, {}).get(key)
        if value is None:
            print(f"  {name:40} {'n/a':>9}")
            continue
        met = value <= target if lower else value >= target
        print(f"  {name:40} {value:9.1f}  target {'≤' if lower else '≥'} {target:<6}  {'met' if met else 'MISSED'}")
    print(f"\nall benchmarks in {elapsed / 60:.1f} min")


if __name__ == "__main__":
    main()
