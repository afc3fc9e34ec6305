"""Feature targets for prompts the lexicon does not cover: learned from real playlists and requests
(tools/mood_model.py). The lexicon's targets, when it matched, stay as they are: it is the readable layer."""

from __future__ import annotations

from agent.models import PlaylistSpec
from tools.catalog import embed_query
from tools.mood_model import learned_targets


def with_learned_targets(spec: PlaylistSpec, prompt: str) -> PlaylistSpec:
    """The spec with learned targets when it has none and names no genre or artist to go by."""
    if spec.feature_targets or spec.genres or spec.seed_artists or not prompt.strip():
        return spec
    learned = learned_targets(embed_query(prompt.strip()))
    return spec.model_copy(update={"feature_targets": learned.targets}) if learned else spec
