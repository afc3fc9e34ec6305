"""Libraries: match rate, sync time for generated libraries of 1k and 10k real audio files, as a folder and
through a real Subsonic server (Supysonic scans the same files), and generate latency restricted to a library
beside the full-catalog baseline, same run, same prompts.

The generated library: 70 % catalog songs (one in ten with a one-letter typo at the catalog length, for the
fuzzy path), 30 % songs the catalog does not hold; each a copy of one 0.2 s FLAC, retagged with mutagen, except
the first `--music` songs the catalog does not hold (smallest size only): 30 s of music with a random known tempo
and key (tests/library/signals.py), which sync analyses. Audio analysis is reported as time per analysed file,
the share of tracks estimated, and how often the estimate is right (tempo within ±3 BPM or half/double, key exact).

    python -m bench.library [--sizes 1000 10000] [--subsonic-sizes 1000 10000] [--requests 40] [--music 100]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.generate import PROMPTS, pct


def template(folder: Path) -> Path:
    """One encoded 0.2 s FLAC that every library file is a copy of."""
    import soundfile as sf

    path = folder / "template.flac"
    sf.write(path, (0.1 * np.sin(np.arange(3200) / 5)).astype(np.float32), 16_000, format="FLAC")
    return path


def write_library(folder: Path, catalog, n: int, seed: int = 7, music: int = 0) -> tuple[int, dict[str, tuple]]:
    """n tagged FLAC files (copies of one template, retagged, but `music` songs of real music); returns how many
    should match, and title → (BPM, tonic, mode) of the music files."""
    import shutil

    import mutagen
    import soundfile as sf

    from tests.library.signals import RATE, song

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    rows = rng.sample(range(len(catalog)), int(n * 0.7))
    source = template(folder.parent)
    entries = []
    for r in rows:
        t = catalog.tracks[r]
        title = t.title[:3] + t.title[4:] if rng.random() < 0.1 and len(t.title) >= 12 else t.title
        entries.append((title, t.artist, t.album))
    entries += [(f"Untitled demo {i}", f"Basement Band {i % 97}", "Demos") for i in range(n - len(rows))]
    truth: dict[str, tuple] = {}
    for i, (title, artist, album) in enumerate(entries):
        path = folder / f"{i // 500:03d}" / f"{i:06d}.flac"
        path.parent.mkdir(exist_ok=True)
        if i >= len(rows) and len(truth) < music:
            truth[title] = (float(rng.randrange(70, 150)), rng.randrange(12), rng.randrange(2))
            sf.write(path, song(*truth[title], seconds=30), RATE, format="FLAC")
        else:
            shutil.copyfile(source, path)
        audio = mutagen.File(path, easy=True)
        audio["title"], audio["artist"], audio["album"] = title, artist, album
        audio.save()
    return len(rows), truth


def accuracy(state, truth: dict[str, tuple]) -> tuple[float, float]:
    """(share of the music files whose tempo is right, share whose key is right)."""
    from tests.library.test_audio import tempo_ok

    found = {t.title: t.audio for t in state.tracks if t.title in truth}
    tempo = sum(bool(a) and tempo_ok(a.tempo, truth[k][0]) for k, a in found.items())
    key = sum(bool(a) and (a.key, a.mode) == truth[k][1:] for k, a in found.items())
    return tempo / max(1, len(truth)), key / max(1, len(truth))


def analysis_line(report, state, truth: dict[str, tuple]) -> str:
    per = report.analysis_seconds / report.analysed * 1000 if report.analysed else 0.0
    tempo, key = accuracy(state, truth)
    return (f"    audio: {report.analysed:,} files analysed, {per:,.0f} ms per file · estimated {report.estimated:,} "
            f"({report.estimated / max(1, report.tracks):.1%} of tracks) · unknown {report.features_unknown:,} · "
            f"right on {len(truth)} music files: tempo {tempo:.0%}, key {key:.0%}")


def sync_folder(deps, folder: Path, name: str) -> tuple[float, float, object]:
    from agent.library import libraries
    from tools.library.models import LibraryConfig
    from tools.library.sync import sync_library

    store = libraries(deps)
    if name in store.names():
        store.remove(name)
    store.add(LibraryConfig(name=name, kind="folder", path=str(folder)))
    start = time.perf_counter()
    state, report = sync_library(name, store, deps.catalog, deps.settings)
    first = time.perf_counter() - start
    start = time.perf_counter()
    sync_library(name, store, deps.catalog, deps.settings)
    return first, time.perf_counter() - start, (state, report)


def sync_subsonic(deps, folder: Path, name: str) -> tuple[float, float, object]:
    """(Supysonic's own scan and start-up, Segue's sync, the sync report) for a server over `folder`."""
    from pydantic import SecretStr

    from agent.library import libraries
    from tests.library.server import PASSWORD, USER, supysonic
    from tools.library.models import LibraryConfig
    from tools.library.sync import sync_library

    # a loaded machine can take Supysonic past the default 15 s per 500-song page: time the sync, not the timeout
    settings = deps.settings.model_copy(update={"subsonic_password": SecretStr(PASSWORD), "library_timeout_s": 120.0})
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as home, supysonic(Path(home), folder, scan_timeout_s=3600) as (url, _):
        scanned = time.perf_counter() - started
        store = libraries(deps)
        if name in store.names():
            store.remove(name)
        store.add(LibraryConfig(name=name, kind="subsonic", url=url, user=USER))
        start = time.perf_counter()
        state, report = sync_library(name, store, deps.catalog, settings)
        return scanned, time.perf_counter() - start, (state, report)


def latency(deps, library: str | None, requests: int) -> list[float]:
    from agent.generate import generate
    from agent.models import GenerateRequest

    out = []
    for i in range(requests):
        request = GenerateRequest(prompt=PROMPTS[i % len(PROMPTS)], seed=i, library=library)
        start = time.perf_counter()
        generate(request, deps)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--subsonic-sizes", type=int, nargs="*", default=[1000, 10000],
                        help="Sizes also served by Supysonic and synced through it (none: --subsonic-sizes).")
    parser.add_argument("--music", type=int, default=100, help="Unmatched files with 30 s of music (smallest size only).")
    args = parser.parse_args()
    from agent.deps import get_deps

    deps = get_deps()
    print(f"catalog: {len(deps.catalog):,} tracks")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"\n{'library':24} {'tracks':>7} {'match rate':>10} {'expected':>9} {'first sync':>11} {'rescan':>8}"
              f" {'server scan':>12}")
        subsonic: list[str] = []
        for n in args.sizes:
            folder = Path(tmp) / f"lib{n}"
            expected, truth = write_library(folder, deps.catalog, n, music=args.music if n == min(args.sizes) else 0)
            first, rescan, (state, report) = sync_folder(deps, folder, f"bench{n}")
            print(f"{f'folder {n:,}':24} {report.tracks:7,} {report.match_rate:10.1%} {expected / n:9.1%} "
                  f"{first:10.2f}s {rescan:7.2f}s {'—':>12}   by method {report.by_method}", flush=True)
            if truth:
                print(analysis_line(report, state, truth), flush=True)
            if n in args.subsonic_sizes:
                scanned, secs, (sub_state, sub) = sync_subsonic(deps, folder, f"benchsub{n}")
                print(f"{f'subsonic {n:,}':24} {sub.tracks:7,} {sub.match_rate:10.1%} {expected / n:9.1%} "
                      f"{secs:10.2f}s {'—':>8} {scanned:11.1f}s   by method {sub.by_method}", flush=True)
                if truth:
                    print(analysis_line(sub, sub_state, truth), flush=True)
                subsonic.append(f"benchsub{n}")
        latency(deps, None, 3)
        print(f"\ngenerate latency, {args.requests} prompts, in-process (ms)      p50      p95      p99")
        libs = [f"bench{n}" for n in args.sizes] + subsonic
        for label, lib in [("full catalog (baseline)", None)] + [(f"library {name}", name) for name in libs]:
            p50, p95, p99 = pct(latency(deps, lib, args.requests))
            print(f"  {label:52} {p50:8.1f} {p95:8.1f} {p99:8.1f}")


if __name__ == "__main__":
    main()
