"""The podcast episodes of a mixed playlist through a refine: they stay at their place (start, middle, end)
while the music around them changes; the final gate checks them against the new policy like any episode."""

from __future__ import annotations

from agent.deps import Deps
from agent.models import FilteredItem, Playlist, TalkPosition, TalkSlot
from tools.talk_build import TalkItem


def position_of(n: int, music_positions: list[int]) -> TalkPosition:
    if not music_positions or n < music_positions[0]:
        return "start"
    return "end" if n > music_positions[-1] else "middle"


def kept_episodes(playlist: Playlist, deps: Deps) -> tuple[list[tuple[TalkItem, TalkSlot]], list[FilteredItem]]:
    """(episode, its slot) for each episode the talk catalog still holds; the rest with the reason."""
    talk = [t for t in playlist.tracks if t.kind == "talk"]
    if not talk:
        return [], []
    music_positions = [t.position for t in playlist.tracks if t.kind != "talk"]
    slots: dict[str, TalkSlot] = {s.position: s for s in playlist.spec.format.talk}
    placed, removed = [], []
    for pt in talk:
        item = deps.talk.get(pt.id)
        if item is None:
            removed.append(FilteredItem(id=pt.id, title=pt.title, artists=pt.artists, reason="no longer in the talk catalog"))
            continue
        where = position_of(pt.position, music_positions)
        placed.append((item, slots.get(where) or TalkSlot(position=where)))
    return placed, removed
