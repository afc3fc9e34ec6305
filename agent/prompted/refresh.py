"""Refreshing a prompted playlist: the same prompt planned again against the listener's current taste, every
hard constraint kept, and fresh — at most CARRY_LIMIT of the tracks may come back from the last refreshes,
unless the listener liked them, and never the same playlist twice in a row while the catalog allows it."""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime

from agent.deps import Deps
from agent.generate import generate
from agent.models import DiffItem, GenerateRequest, Playlist, PlaylistDiff, PlaylistTrack
from agent.prompted.models import Freshness, PromptedPlaylist, PromptedVersion
from agent.prompted.store import PromptedStore
from core.errors import SegueError

log = logging.getLogger("segue.prompted")

CARRY_LIMIT = 0.2  # most share of not-liked tracks a refresh carries over from the last refreshes
LOOKBACK = 2  # refreshes whose tracks count as "played lately"
RETRY_S = 3600.0  # a failed scheduled refresh is tried again an hour later


def allowed_back(previous: list[PromptedVersion], liked: set[str], target: int, seed: int) -> set[str]:
    """The tracks of the last refreshes that may play again: liked ones, and a few others up to the limit."""
    recent = list(dict.fromkeys(t.id for v in previous for t in v.playlist.tracks if t.kind == "music"))
    others = [i for i in recent if i not in liked]
    random.Random(seed).shuffle(others)
    return {i for i in recent if i in liked} | set(others[:int(CARRY_LIMIT * target)])


def request_for(pp: PromptedPlaylist, version: int, exclude: list[str]) -> GenerateRequest:
    return GenerateRequest(prompt=pp.prompt, user_id=pp.user_id, count=pp.count, minutes=pp.minutes,
                           seed=version, exclude_ids=exclude[:500])


def fresh_playlist(pp: PromptedPlaylist, previous: list[PromptedVersion], liked: set[str], version: int,
                   deps: Deps) -> Playlist:
    """Generate with lately played tracks left out; when the catalog is too thin for the count, leave out only
    the last refresh's tracks, then nothing (a short playlist would break a harder promise)."""
    last = previous[:1]
    target = len(last[0].playlist.tracks) if last else 20
    for window in (previous, last, []):
        recent = {t.id for v in window for t in v.playlist.tracks}
        exclude = sorted(recent - allowed_back(window, liked, target, version))
        playlist = generate(request_for(pp, version, exclude), deps)
        counts = [c for c in playlist.constraints if c.name in ("count", "duration")]
        if all(c.met for c in counts) or not exclude:
            return playlist
    return playlist


def with_reasons(playlist: Playlist, previous: list[PromptedVersion], liked: set[str]) -> Playlist:
    """The why of a carried-over track says so."""
    earlier = {t.id for v in previous for t in v.playlist.tracks}

    def noted(t: PlaylistTrack) -> PlaylistTrack:
        if t.id not in earlier:
            return t
        note = "you liked it, so it stays" if t.id in liked else "kept from the last refresh"
        return t.model_copy(update={"why": f"{t.why} — {note}" if t.why else note})

    return playlist.model_copy(update={"tracks": [noted(t) for t in playlist.tracks]})


def diff(old: Playlist | None, new: Playlist, liked: set[str]) -> PlaylistDiff | None:
    if old is None:
        return None
    old_ids, new_ids = {t.id for t in old.tracks}, {t.id for t in new.tracks}
    item = lambda t, reason: DiffItem(id=t.id, title=t.title, artists=t.artists, reason=reason)  # noqa: E731
    return PlaylistDiff(
        kept=[item(t, "liked" if t.id in liked else "still fits") for t in new.tracks if t.id in old_ids],
        added=[item(t, t.why) for t in new.tracks if t.id not in old_ids],
        removed=[item(t, "played in the last refresh: making room for new tracks") for t in old.tracks
                 if t.id not in new_ids])


def freshness(playlist: Playlist, previous: list[PromptedVersion], liked: set[str]) -> Freshness:
    earlier = {t.id for v in previous for t in v.playlist.tracks}
    carried = [t.id for t in playlist.tracks if t.id in earlier]
    n = len(playlist.tracks)
    return Freshness(carried=len(carried), carried_liked=sum(i in liked for i in carried),
                     share=round(len(carried) / n, 3) if n else 0.0, limit=CARRY_LIMIT)


def refresh(pp: PromptedPlaylist, deps: Deps, store: PromptedStore, now: float | None = None) -> tuple[PromptedVersion, bool]:
    """A new version of `pp` (or, when another process wrote this version first, that one). Returns the
    version and whether this call made it."""
    now = time.time() if now is None else now
    number = store.next_version(pp.id)
    previous = [v for v in store.versions(pp.id, LOOKBACK) if v.lineage == pp.lineage]
    liked = deps.profiles.liked_ids(pp.user_id) if deps.profiles is not None else set()
    playlist = with_reasons(fresh_playlist(pp, previous, liked, number, deps), previous, liked)
    if deps.playlists is not None:
        deps.playlists.save(playlist)
    version = PromptedVersion(version=number, lineage=pp.lineage, prompt=pp.prompt, created_at=datetime.fromtimestamp(now, UTC),
                              playlist=playlist, diff=diff(previous[0].playlist if previous else None, playlist, liked),
                              freshness=freshness(playlist, previous, liked))
    return store.add_version(pp, version, now)


def refresh_due(deps: Deps, store: PromptedStore, now: float | None = None, limit: int = 10) -> dict[str, int]:
    """Refresh what is due; a failure keeps the previous version current and records why."""
    now = time.time() if now is None else now
    done = {"refreshed": 0, "failed": 0, "skipped": 0}
    for user_id, pid in store.due(now, limit):
        try:
            pp = store.get(user_id, pid, versions=0)
            _, wrote = refresh(pp, deps, store, now)
            done["refreshed" if wrote else "skipped"] += 1
        except SegueError as exc:
            store.record_error(pid, str(exc), now + RETRY_S)
            log.warning("refresh of %s failed: %s", pid, exc)
            done["failed"] += 1
    return done
