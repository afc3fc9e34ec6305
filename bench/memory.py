"""Peak resident memory of the API server with the full catalog loaded, after N `/generate` requests;
baselines measured in the same run: a bare `python + numpy` process, and one that also loads the catalog's
vectors (the data floor any design pays).

    python -m bench.memory [--requests 200] [--home DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.generate import bench_home, load_loop, requests, rss_mb, server

# VmHWM, not ru_maxrss: ru_maxrss survives exec and would report this (large) parent's peak
PEAK = "print([int(v.split()[0]) / 1024 for k, v in (x.split(':', 1) for x in open('/proc/self/status')) if k == 'VmHWM'][0])"


def child_peak_mb(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    return float(out.stdout.strip().splitlines()[-1])


def run(n: int = 200, home: Path | None = None, concurrency: int = 4) -> dict[str, float]:
    from core.settings import Settings
    from tools.store import current_build

    settings = Settings(home=home) if home else Settings()
    build = current_build(settings.store_root)
    if build is None:
        raise SystemExit(f"no catalog under {settings.store_root}")
    tmp_home = bench_home(settings.store_root)
    try:
        bare = child_peak_mb(f"import numpy; {PEAK}")
        vectors = child_peak_mb(f"import numpy; v = numpy.load({str(build.path / 'vectors.npy')!r}); {PEAK}")
        with server(tmp_home) as (url, pid):
            loaded, _ = rss_mb(pid)
            ms, wall, errors = asyncio.run(load_loop(url, requests(n), concurrency, 300.0))
            current, peak = rss_mb(pid)
        tracks = build.manifest.get("count", 0)
        print(f"\n## Memory (resident set, MB), {tracks:,} tracks")
        rows = [("python + numpy (baseline)", bare), ("python + numpy + vectors.npy (data floor)", vectors),
                ("server, catalog loaded, before requests", loaded),
                (f"server after {len(ms)} requests (current)", current), (f"server after {len(ms)} requests (peak)", peak)]
        for name, mb in rows:
            print(f"  {name:52} {mb:9.0f}")
        print(f"\nserver peak {peak:.0f} MB (target ≤ 1536); {peak - vectors:.0f} MB above the data floor; "
              f"{(peak - bare) * 1024 / max(tracks, 1):.1f} KB per track above bare python; {errors} errors")
        return {"peak_mb": peak, "floor_mb": vectors, "bare_mb": bare, "loaded_mb": loaded}
    finally:
        shutil.rmtree(tmp_home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--home", type=Path, default=None, help="SEGUE_HOME whose catalog to use (default: the real one)")
    args = parser.parse_args()
    run(args.requests, args.home)


if __name__ == "__main__":
    os.environ.setdefault("SEGUE_PROVIDER", "offline")
    main()
