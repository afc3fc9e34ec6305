"""Columnar track storage: the store keeps tracks as a few JSON lists and numpy arrays, so opening
the catalog takes a fraction of a second; Track objects are made only for the rows a request touches."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from core.types import EXPLICIT_TEXT, FEATURES, Track, explicit_value

TEXT_FIELDS = ("id", "title", "album", "explicit", "camelot", "song_key")
LIST_FIELDS = ("artists", "genres", "sources", "credits")
NUMERIC_FIELDS = ("year", "duration_ms", "popularity", "tempo", "key", "mode", "loudness", *FEATURES)
_INTS = {"year", "duration_ms", "popularity", "key", "mode"}
SHARE_MIN_ROWS = 200_000  # from here on, one copy of each repeated string and list (see share_repeats)
_REPEATED_TEXT = ("explicit", "camelot", "album")


def write_columns(directory: Path, tracks: Sequence[Track]) -> None:
    from tools.catalog_names import track_artist_names

    text: dict[str, Any] = {f: [getattr(t, f) for t in tracks] for f in TEXT_FIELDS}
    text["explicit"] = [EXPLICIT_TEXT[t.explicit] for t in tracks]  # kept as text: "true", "false", "unknown"
    for f in ("artists", "genres", "sources"):
        text[f] = [list(getattr(t, f)) for t in tracks]
    text["credits"] = [track_artist_names(t) for t in tracks]
    with open(directory / "columns.json", "w", encoding="utf-8") as fh:
        json.dump(text, fh, ensure_ascii=False, separators=(",", ":"))
    numeric: dict[str, Any] = {f: np.array([getattr(t, f) or 0 for t in tracks], dtype=np.int64 if f in _INTS else np.float32)
               for f in NUMERIC_FIELDS}
    with open(directory / "columns.npz", "wb") as fh:
        np.savez(fh, **numeric)


def share_repeats(text: dict[str, list]) -> None:
    """Keep one object per distinct value of the columns that repeat (an artist's genre list on each of their
    tracks, album names, explicit flags): JSON decoding makes a new string and list for every row. At 250k
    tracks this takes the text columns from 360 to 147 MB for 0.8 s of load (bench/README.md). Shared lists are
    never mutated: the columns and the Tracks made from them are read-only."""
    for field in _REPEATED_TEXT:
        text[field] = [sys.intern(v) if isinstance(v, str) else v for v in text[field]]
    for field in LIST_FIELDS:
        seen: dict[tuple[str, ...], list[str]] = {}
        column = text[field]
        for n, values in enumerate(column):
            key = tuple(values)
            shared = seen.get(key)
            if shared is None:
                shared = seen[key] = [sys.intern(v) for v in values]
            column[n] = shared


class TrackColumns(Sequence[Track]):
    """A read-only list of tracks backed by columns; each Track is built once, on first access."""

    def __init__(self, text: dict[str, list], numeric: dict[str, np.ndarray]) -> None:
        self.text = text
        self.numeric = numeric
        self._cache: list[Track | None] = [None] * len(text["id"])

    @classmethod
    def load(cls, directory: Path) -> TrackColumns:
        with open(directory / "columns.json", encoding="utf-8") as fh:
            text = json.load(fh)
        if len(text["id"]) >= SHARE_MIN_ROWS:
            share_repeats(text)
        with np.load(directory / "columns.npz") as data:
            numeric = {f: data[f] for f in NUMERIC_FIELDS}
        return cls(text, numeric)

    @classmethod
    def from_tracks(cls, tracks: Sequence[Track]) -> TrackColumns:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            write_columns(Path(tmp), tracks)
            return cls.load(Path(tmp))

    def __len__(self) -> int:
        return len(self._cache)

    @overload
    def __getitem__(self, i: int) -> Track: ...
    @overload
    def __getitem__(self, i: slice) -> list[Track]: ...
    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        track = self._cache[i]
        if track is None:
            track = self._cache[i] = self._make(i)
        return track

    def __iter__(self) -> Iterator[Track]:
        return (self[i] for i in range(len(self)))

    def _make(self, i: int) -> Track:
        values: dict[str, Any] = {f: self.text[f][i] for f in TEXT_FIELDS}
        values |= {f: self.text[f][i] for f in ("artists", "genres", "sources")}
        values |= {f: self.numeric[f][i].item() for f in NUMERIC_FIELDS}  # Python int/float, no per-row list kept
        values["year"] = values["year"] or None
        values["explicit"] = explicit_value(values["explicit"])  # the stored text as True, False or None
        return Track.model_construct(**values)
