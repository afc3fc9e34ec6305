"""Words for how a track sounds, derived only from its audio features (used by search text and narration)."""

from __future__ import annotations

from typing import Protocol


class HasFeatures(Protocol):
    """Anything exposing the audio features read here (read-only, so frozen models qualify)."""

    @property
    def energy(self) -> float: ...
    @property
    def valence(self) -> float: ...
    @property
    def danceability(self) -> float: ...
    @property
    def acousticness(self) -> float: ...
    @property
    def instrumentalness(self) -> float: ...
    @property
    def speechiness(self) -> float: ...
    @property
    def tempo(self) -> float: ...


def mood_words(t: HasFeatures) -> list[str]:
    """Up to four mood words, each justified by one feature threshold (documented in data/README.md)."""
    words: list[str] = []
    if t.energy >= 0.8:
        words.append("high-energy")
    elif t.energy <= 0.35:
        words.append("mellow")
    if t.valence >= 0.7:
        words.append("upbeat")
    elif t.valence <= 0.3:
        words.append("melancholy" if t.energy < 0.6 else "dark")
    if t.danceability >= 0.75:
        words.append("danceable")
    if t.acousticness >= 0.7:
        words.append("acoustic")
    if t.instrumentalness >= 0.6:
        words.append("instrumental")
    if t.speechiness >= 0.33:
        words.append("wordy")
    return words[:4]


def tempo_word(bpm: float) -> str:
    if bpm <= 0:
        return "beatless"
    if bpm < 90:
        return "slow"
    if bpm < 115:
        return "mid-tempo"
    if bpm < 140:
        return "fast"
    return "very fast"
