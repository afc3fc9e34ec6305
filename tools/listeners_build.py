"""Build the demo listeners (data/listeners/listeners.jsonl.gz) from real CPCD conversations and playlists.

One listener per CPCD conversation (`cpcd-<id>`: liked tracks, in the turn they were liked, and disliked
tracks as skips) and one per named playlist (`pl-<slug>`: its tracks as plays). Tracks resolve to catalog
ids by id, else by normalised (artist, title). The sources carry no listening times, so timestamps are
assigned: the events in source order, spread over the four weeks before ANCHOR, at hours around one
usual hour per listener (seeded by the listener id, so the build is deterministic).

Run: python -m tools.listeners_build"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tools.normalize import fold

if TYPE_CHECKING:
    from tools.catalog import Catalog
    from tools.profile_store import TrackResolver

ANCHOR = datetime(2024, 6, 1, tzinfo=UTC)
SPREAD_DAYS = 28
CPCD_FILE = "cpcd_v1_dev_conversations.jsonl.gz"
PLAYLIST_FILE = "playlists_spotify_songs.jsonl.gz"


@dataclass
class RawEvent:
    """A source event before resolution."""

    track_id: str | None
    artist: str
    title: str
    liked: bool = False
    skipped: bool = False


@dataclass
class BuildStats:
    listeners: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)
    resolved: Counter = field(default_factory=Counter)
    empty: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        rates = {k: round(self.resolved[k] / self.events[k], 4) if self.events[k] else None for k in self.events}
        return {"listeners": dict(self.listeners), "events": dict(self.events), "resolved": dict(self.resolved),
                "match_rate": rates, "listeners_without_tracks": dict(self.empty)}


def cpcd_listeners(path: Path) -> list[tuple[str, str, list[RawEvent]]]:
    """(user id, first request, events): per turn its liked tracks, then its disliked ones as skips."""
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            conv = json.loads(line)
            meta = conv.get("tracks", {})
            events: list[RawEvent] = []
            for turn in conv.get("turns", []):
                for key, liked in (("liked_results", True), ("disliked_results", False)):
                    for yt_id in turn.get(key, []):
                        info = meta.get(yt_id, {})
                        artist = ", ".join(info.get("track_artists") or [])
                        events.append(RawEvent(None, artist, info.get("track_titles", ""), liked=liked, skipped=not liked))
            first = conv["turns"][0]["user_query"] if conv.get("turns") else ""
            out.append((f"cpcd-{conv['id']}", first[:200], events))
    return out


def playlist_listeners(path: Path) -> list[tuple[str, str, list[RawEvent]]]:
    """(user id, playlist name, events): the playlist's tracks as plays, in source order."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        playlists = [json.loads(line) for line in fh if line.strip()]
    slugs = Counter(slug(p["playlist_name"]) for p in playlists)
    out = []
    for p in playlists:
        s = slug(p["playlist_name"])
        uid = f"pl-{s}" if s and slugs[s] == 1 else f"pl-{s + '-' if s else ''}{p['playlist_id'][-6:]}"
        events = [RawEvent(t.get("track_id"), t.get("track_artist", ""), t.get("track_name", "")) for t in p["tracks"]]
        out.append((uid, p["playlist_name"], events))
    return out


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60]


def assign_times(user_id: str, count: int) -> list[int]:
    """Synthetic epoch seconds: source order kept, spread over SPREAD_DAYS, around a usual hour of this listener."""
    rng = random.Random(int(hashlib.sha256(user_id.encode()).hexdigest()[:12], 16))
    usual = rng.randint(7, 22)
    start = ANCHOR - timedelta(days=SPREAD_DAYS)
    out = []
    for n in range(count):
        day = start + timedelta(days=n * SPREAD_DAYS // max(count, 1))
        hour = min(23, max(0, usual + rng.randint(-2, 2)))
        out.append(int((day + timedelta(hours=hour, minutes=rng.randint(0, 59))).timestamp()))
    return sorted(out)


def resolve_listener(user_id: str, events: list[RawEvent], resolver: TrackResolver) -> list[dict]:
    """Resolved events with assigned timestamps; unresolvable ones left out (counted by the caller)."""
    resolved = [(resolver.resolve(e.track_id, e.artist, e.title), e) for e in events]
    kept = [(tid, e) for tid, e in resolved if tid]
    times = assign_times(user_id, len(kept))
    out = []
    for (tid, e), ts in zip(kept, times, strict=True):
        row: dict = {"track_id": tid, "timestamp": ts}
        row |= {"liked": True} if e.liked else {}
        row |= {"skipped": True} if e.skipped else {}
        out.append(row)
    return out


def build_listeners(raw_dir: Path, catalog: Catalog) -> tuple[list[dict], BuildStats]:
    """Every demo listener as {user_id, name, source, events} plus match statistics."""
    from tools.profile_store import TrackResolver

    resolver = TrackResolver(catalog)
    stats = BuildStats()
    listeners: list[dict] = []
    sources = (("seed-cpcd", cpcd_listeners(raw_dir / CPCD_FILE)), ("seed-playlist", playlist_listeners(raw_dir / PLAYLIST_FILE)))
    for source, items in sources:
        for user_id, name, raw in items:
            events = resolve_listener(user_id, raw, resolver)
            stats.listeners[source] += 1
            stats.events[source] += len(raw)
            stats.resolved[source] += len(events)
            if not events:
                stats.empty[source] += 1
                continue
            listeners.append({"user_id": user_id, "name": name, "source": source, "events": events})
    return listeners, stats


def write_listeners(listeners: list[dict], path: Path) -> None:
    """Deterministic gzip (no timestamp in the header), one listener per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n" for item in listeners)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(body.encode("utf-8"))


def main() -> None:
    from core.settings import get_settings
    from tools.ingest import open_catalog
    from tools.profile_store import SEED_FILE

    settings = get_settings()
    listeners, stats = build_listeners(settings.raw_data_dir, open_catalog(settings, auto_ingest=False))
    write_listeners(listeners, SEED_FILE)
    print(json.dumps(stats.as_dict() | {"written": len(listeners), "file": str(SEED_FILE)}, indent=2))


if __name__ == "__main__":
    main()
