"""Items of every content kind through the stages: one candidate source per kind (the music catalog, the
talk catalog), selection across kinds (episodes first: their minutes come off a duration target), and the
final order (music sequenced, episodes placed where the prompt asked). A new content kind adds a source here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.candidates import gather
from agent.library_source import library_pool
from agent.models import Candidate, PlaylistSpec, Track
from agent.selection import Selection, select
from agent.sequencing import sequence
from agent.talk_slots import (
    SlotCandidates,
    TalkChoice,
    choose_talk,
    music_spec,
    place,
    talk_candidates,
    why_episode,
)
from tools.content_filter import ContentPolicy
from tools.talk_build import TalkItem

Entry = Track | TalkItem  # one playlist entry: a song or a podcast episode


@dataclass
class Pool:
    """Candidates of every kind for one spec."""

    music: list[Candidate] = field(default_factory=list)
    talk: list[SlotCandidates] = field(default_factory=list)


@dataclass
class Chosen:
    """What selection kept: the songs (with the music part's own spec) and the episodes with their slots."""

    spec: PlaylistSpec
    music: Selection
    talk: TalkChoice = field(default_factory=TalkChoice)

    def why(self, entry: Entry, mixed: bool) -> str:
        if isinstance(entry, Track):
            return self.music.why.get(entry.id, "")
        slot = next(s for i, s in self.talk.placed if i.id == entry.id)
        return why_episode(entry, slot, mixed)


def gather_all(spec: PlaylistSpec, policy: ContentPolicy, deps: Any, profile: Any = None,
               extra: list[Candidate] | None = None, exclude_ids: list[str] | None = None) -> Pool:
    """Every source the spec's format asks for; music-only requests never open the talk catalog.
    `exclude_ids` are tracks the request asked not to play."""
    kind = spec.format.kind
    talk = talk_candidates(spec, policy, deps.talk) if kind != "music" else []
    if kind == "talk":
        return Pool(talk=talk)
    music_only = spec if kind == "music" else music_spec(spec, [])
    left_out = set(exclude_ids or ())
    music = gather(music_only, policy, deps.catalog, profile, exclude_ids=left_out)
    music += [c for c in extra or [] if c.track.id not in left_out]
    return Pool(music=library_pool(music, music_only, policy, deps, profile, left_out), talk=talk)


def select_all(pool: Pool, spec: PlaylistSpec, policy: ContentPolicy, profile: Any = None, seed: int = 0,
               catalog: Any = None) -> Chosen:
    """Episodes for the talk slots, then songs for what is left of the count or the minutes."""
    talk = choose_talk(pool.talk, spec, seed)
    if spec.format.kind == "talk":
        return Chosen(spec=spec, music=Selection(tracks=[]), talk=talk)
    mspec = spec if spec.format.kind == "music" else music_spec(spec, talk.placed)
    return Chosen(spec=mspec, music=select(pool.music, mspec, policy, profile, seed, catalog=catalog), talk=talk)


def arrange(chosen: Chosen, seed: int = 0) -> list[Entry]:
    """The playing order: songs sequenced over the music part's arc, episodes at their slots."""
    return place(sequence(chosen.music.tracks, chosen.spec.arc, seed=seed), chosen.talk.placed)
