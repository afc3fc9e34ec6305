"""Home and prompted playlists: how fast the page comes and how fresh refreshes stay, with in-run baselines.

Home (in-process, seed listeners): time to the first shelf when streamed vs the first byte of the
non-streamed page (which waits for every shelf), cold (cache miss: every shelf computed) and warm (nothing
changed: the cached page), and the 304 answer. Freshness: seven simulated daily refreshes of one prompted
playlist for a listener whose plays move from one genre to another each day: overlap between consecutive
versions and the share of tracks from the new genre, vs plain regeneration of the same prompt (baseline).

    python -m bench.home [--listeners 40] [--days 7]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.generate import REPO, table


def temp_deps(tmp: Path):
    """Deps over the built catalog with empty state stores in a temp home (the real home is left alone)."""
    from agent.deps import build_deps
    from core.settings import Settings

    real = Settings()
    (tmp / "catalog").symlink_to(real.store_root.resolve(), target_is_directory=True)
    if (real.home / "talk").exists():
        (tmp / "talk").symlink_to((real.home / "talk").resolve(), target_is_directory=True)
    return build_deps(Settings(home=tmp, provider="offline", refresh_interval_s=0))


def home_latency(deps, users: list[str]) -> None:
    from agent.home import page

    first_cold, full_cold, first_warm, full_warm, etags = [], [], [], [], []
    for user in users:
        for bucket_first, bucket_full in ((first_cold, full_cold), (first_warm, full_warm)):
            start = time.perf_counter()
            ctx, etag = page.prepare(user, deps)
            stream = page.shelves(ctx, etag, deps)
            next(stream, None)
            bucket_first.append((time.perf_counter() - start) * 1000)
            for _ in stream:
                pass
            bucket_full.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        page.prepare(user, deps)  # what a 304 costs: the ETag only
        etags.append((time.perf_counter() - start) * 1000)
    table(f"Home, in-process ({len(users)} seed listeners)", [
        ("cold: first shelf, streamed", first_cold, "every shelf computed"),
        ("cold: first byte, whole page (baseline)", full_cold, "the page waits for its slowest shelf"),
        ("warm: first shelf, streamed", first_warm, "nothing changed: cached shelves"),
        ("warm: whole page", full_warm, ""),
        ("If-None-Match → 304", etags, "ETag only"),
    ])


def genre_tracks(deps, genre: str, n: int) -> list[str]:
    import numpy as np

    rows = np.flatnonzero(deps.catalog.genre_mask([genre]))
    rows = rows[np.argsort(-deps.catalog.popularity[rows], kind="stable")][:n]
    return [deps.catalog.ids[int(r)] for r in rows]


def share(deps, ids: set[str], word: str) -> float:
    """Share of the tracks with a genre containing `word`."""
    tracks = [deps.catalog.get(i) for i in ids]
    return sum(t is not None and any(word in g for g in t.genres) for t in tracks) / max(1, len(tracks))


def freshness(deps, days: int) -> None:
    from agent.generate import generate
    from agent.models import GenerateRequest
    from agent.prompted.models import PromptedIn
    from agent.prompted.refresh import refresh
    from tools.profiles import PlayEvent

    old, new = genre_tracks(deps, "indie folk", 120), genre_tracks(deps, "deep house", 200)
    user, prompt = "bench-drift", "something to get me through the afternoon"
    start = datetime(2026, 1, 5, 15, tzinfo=UTC)
    deps.profiles.add_events(user, [PlayEvent(track_id=i, timestamp=start - timedelta(days=30, minutes=k))
                                    for k, i in enumerate(old[:60])])  # a month of indie folk before day 1
    pp = deps.prompted.create(user, PromptedIn(prompt=prompt, schedule="daily", count=20))
    print(f"\nFreshness and taste drift: {days} daily refreshes, '{prompt}', plays move from indie folk to deep house")
    print(f"  {'day':>4} {'new-genre plays':>16} {'carried (Segue)':>16} {'carried (plain)':>16} "
          f"{'house share (Segue)':>20} {'folk share (Segue)':>19} {'house share (plain)':>20}")
    prev_seg: set[str] = set()
    prev_plain: set[str] = set()
    for day in range(days):
        plays = [PlayEvent(track_id=i, timestamp=start + timedelta(days=day, minutes=k)) for k, i in
                 enumerate(new[day * 25:(day + 1) * 25])]
        deps.profiles.add_events(user, plays)
        version, _ = refresh(pp, deps, deps.prompted, now=(start + timedelta(days=day)).timestamp())
        plain = generate(GenerateRequest(prompt=prompt, user_id=user, count=20), deps)
        seg = {t.id for t in version.playlist.tracks}
        plain_ids = {t.id for t in plain.tracks}
        house, folk, house_plain = share(deps, seg, "house"), share(deps, seg, "folk"), share(deps, plain_ids, "house")
        carried = f"{len(seg & prev_seg) / len(seg):.0%}" if prev_seg else "—"
        carried_plain = f"{len(plain_ids & prev_plain) / len(plain_ids):.0%}" if prev_plain else "—"
        print(f"  {day + 1:>4} {25 * (day + 1):>16} {carried:>16} {carried_plain:>16} {house:>20.0%} {folk:>19.0%} "
              f"{house_plain:>20.0%}")
        prev_seg, prev_plain = seg, plain_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listeners", type=int, default=40)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="segue-bench-home-"))
    try:
        deps = temp_deps(tmp)
        users = sorted(u.user_id for u in deps.profiles.list_users())[:: max(1, 630 // args.listeners)][:args.listeners]
        from agent.home import page

        page.home(users[0], deps)  # warm the process (embedder, caches) before timing
        home_latency(deps, users[1:])
        freshness(deps, args.days)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    del REPO
    main()
