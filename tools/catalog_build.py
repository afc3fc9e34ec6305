"""Build the unified music catalog from the raw source files in data/raw (see data/README.md)."""

from __future__ import annotations

import ast
import csv
import gzip
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.types import Explicit, Track
from tools.normalize import base_title, clean_text, norm_artist, norm_title, recording_key, song_key
from tools.song_identity import song_keys

# Camelot wheel: pitch class → code, for major (B) and minor (A) keys.
_CAMELOT_MAJOR = {0: 8, 1: 3, 2: 10, 3: 5, 4: 12, 5: 7, 6: 2, 7: 9, 8: 4, 9: 11, 10: 6, 11: 1}
_CAMELOT_MINOR = {9: 8, 10: 3, 11: 10, 0: 5, 1: 12, 2: 7, 3: 2, 4: 9, 5: 4, 6: 11, 7: 6, 8: 1}
_SOURCE_RANK = {"spotify_2000_2020": 0, "tidytuesday": 1, "tophits": 2}
_NUMERIC = ("danceability", "energy", "loudness", "speechiness", "acousticness", "instrumentalness",
            "liveness", "valence", "tempo")


def camelot(key: int, mode: int) -> str:
    """Camelot code of a key: pitch class 0-11 and mode (1 major → 'B', 0 minor → 'A')."""
    number = (_CAMELOT_MAJOR if mode == 1 else _CAMELOT_MINOR)[key % 12]
    return f"{number}{'B' if mode == 1 else 'A'}"


@dataclass
class Record:
    """One row of one source, before merging."""

    source: str
    id: str | None
    title: str
    artists: list[str]
    album: str
    year: int | None
    explicit: bool | None
    popularity: int
    duration_ms: int
    features: dict[str, float]
    key: int
    mode: int
    genres: list[str] = field(default_factory=list)


def _open(path: Path):
    return gzip.open(path, "rt", encoding="utf-8", newline="") if path.suffix == ".gz" else open(path, encoding="utf-8", newline="")


def _year(text: str) -> int | None:
    text = (text or "").strip()
    return int(text[:4]) if text[:4].isdigit() else None


def _features(row: dict[str, str]) -> dict[str, float]:
    return {name: float(row[name]) for name in _NUMERIC}


def read_tidytuesday(raw: Path) -> Iterator[Record]:
    """catalog_spotify_songs.csv.gz: playlist genres/subgenres, release dates, no explicit flag."""
    with _open(raw / "catalog_spotify_songs.csv.gz") as fh:
        for row in csv.DictReader(fh):
            if not row["track_name"].strip() or not row["track_artist"].strip():
                continue
            genres = [g for g in row["playlist_genres"].split("|") + row["playlist_subgenres"].split("|") if g]
            yield Record("tidytuesday", row["track_id"], row["track_name"], [row["track_artist"]],
                         row["track_album_name"], _year(row["track_album_release_date"]), None,
                         int(row["track_popularity"] or 0), int(row["duration_ms"]), _features(row),
                         int(row["key"]), int(row["mode"]), genres)


def read_spotify_2000_2020(raw: Path) -> Iterator[Record]:
    """spotify_tracks_2000_2020.csv.gz: explicit flag and year, artists as a list literal, no genre."""
    with _open(raw / "spotify_tracks_2000_2020.csv.gz") as fh:
        for row in csv.DictReader(fh):
            artists = [a for a in ast.literal_eval(row["artists"]) if a.strip()]
            if not row["name"].strip() or not artists:
                continue
            yield Record("spotify_2000_2020", row["id"], row["name"], artists, "", _year(row["year"]),
                         row["explicit"] == "1", int(row["popularity"] or 0), int(row["duration_ms"]),
                         _features(row), int(row["key"]), int(row["mode"]))


def read_tophits(raw: Path) -> Iterator[Record]:
    """tophits_2000_2019_songs_normalize.csv.gz: explicit flag and coarse genres, no track id."""
    with _open(raw / "tophits_2000_2019_songs_normalize.csv.gz") as fh:
        for row in csv.DictReader(fh):
            genres = [] if row["genre"].strip() == "set()" else [g.strip().lower() for g in row["genre"].split(",")]
            yield Record("tophits", None, row["song"], [row["artist"]], "", _year(row["year"]),
                         row["explicit"] == "True", int(row["popularity"] or 0), int(row["duration_ms"]),
                         _features(row), int(row["key"]), int(row["mode"]), [g for g in genres if g])


def read_artist_genres(raw: Path) -> dict[str, list[str]]:
    """artist_genres.csv.gz: normalised artist name → fine-grained Spotify genres."""
    out: dict[str, list[str]] = {}
    with _open(raw / "artist_genres.csv.gz") as fh:
        for row in csv.DictReader(fh):
            text = row["genres"].strip()
            if text in ("", "[]"):
                continue
            items = ast.literal_eval(text) if text.startswith("[") else text.split(",")
            genres = [clean_text(g).lower() for g in items if clean_text(g)]
            if genres:
                out.setdefault(norm_artist(row["artists"]), genres)
    return out


def _preferred(records: list[Record]) -> Record:
    """The record whose audio features and title represent the song: the original version first."""
    return min(records, key=lambda r: (norm_title(r.title) != " ".join(r.title.lower().split()),
                                       _SOURCE_RANK[r.source], -r.popularity))


def _explicit(records: list[Record]) -> Explicit:
    flags = {r.explicit for r in records if r.explicit is not None}
    return True if True in flags else False if False in flags else None


def _track_id(records: list[Record], key: str) -> str:
    ids = [r.id for r in sorted(records, key=lambda r: _SOURCE_RANK[r.source]) if r.id]
    return ids[0] if ids else "th_" + hashlib.sha1(key.encode()).hexdigest()[:16]


def merge(records: list[Record], artist_genres: dict[str, list[str]]) -> Track:
    """One Track from every record of the same song (see data/README.md for the rules)."""
    best = _preferred(records)
    key = song_key(best.artists[0], best.title)
    genres = [g for artist in best.artists for g in artist_genres.get(norm_artist(artist), [])]
    if not genres:  # no artist-level genre known: the sources' own labels (playlist genres, top-hits genres)
        genres = [g for rec in records for g in rec.genres]
    years = [r.year for r in records if r.year]
    return Track.model_construct(
        id=_track_id(records, key), title=clean_text(best.title), artists=[clean_text(a) for a in best.artists],
        album=next((clean_text(r.album) for r in records if r.album), ""), year=min(years) if years else None,
        genres=list(dict.fromkeys(genres)), explicit=_explicit(records), duration_ms=best.duration_ms,
        popularity=max(r.popularity for r in records), tempo=round(best.features["tempo"], 3), key=best.key,
        mode=best.mode, camelot=camelot(best.key, best.mode), loudness=best.features["loudness"],
        song_key=key, sources=sorted({r.source for r in records}),
        energy=best.features["energy"], valence=best.features["valence"],
        danceability=best.features["danceability"], acousticness=best.features["acousticness"],
        instrumentalness=best.features["instrumentalness"], speechiness=best.features["speechiness"],
        liveness=best.features["liveness"],
    )


def split_editions(records: list[Record]) -> list[list[Record]]:
    """Keep a clean edit apart from its explicit original: they are different recordings.
    Rows with no flag join the edition sharing their id, else the explicit one (fail closed)."""
    flags = {r.explicit for r in records}
    if not {True, False} <= flags:
        return [records]
    clean = [r for r in records if r.explicit is False]
    clean_ids = {r.id for r in clean}
    clean += [r for r in records if r.explicit is None and r.id in clean_ids]
    dirty = [r for r in records if r not in clean]
    return [dirty, clean]


def build_tracks(raw: Path) -> list[Track]:
    """Read every source, group rows by song, merge each group; ordered by track id (deterministic)."""
    artist_genres = read_artist_genres(raw)
    groups: dict[str, list[Record]] = {}
    for reader in (read_spotify_2000_2020, read_tidytuesday, read_tophits):
        for rec in reader(raw):
            groups.setdefault(recording_key(rec.artists[0], rec.title), []).append(rec)
    tracks: dict[str, Track] = {}
    for group in groups.values():
        for records in split_editions(group):
            track = merge(records, artist_genres)
            tracks.setdefault(track.id, track)
    return with_song_keys(earliest_years([tracks[i] for i in sorted(tracks)]))


def with_song_keys(tracks: list[Track]) -> list[Track]:
    """Every version of a song carries the song's key (tools/song_identity.py): a remix credited to the remixer,
    a duet credited in another order or as one combined name. Done after `earliest_years`, which stays within
    one lead artist's versions (a cover by another lead artist keeps its own year)."""
    keys = song_keys([(t.title, t.artists) for t in tracks])
    return [t if t.song_key == k else t.model_copy(update={"song_key": k}) for t, k in zip(tracks, keys, strict=True)]


#: Title suffixes of the same recording as the plain title: edits and single mixes, not remixes or live takes.
_SAME_RECORDING = re.compile(r"^(?:(?:radio|single|clean|explicit|album|original|short|7\"?)\s+)?"
                             r"(?:edit|edited|mix|version|cut)(?:\s+\(edited\))?$|"
                             r"^(?:\d{4}\s+)?(?:digital(?:ly)?\s+)?remaster(?:ed)?(?:\s+\d{4})?(?:\s+version)?$", re.I)
_FEAT_PART = re.compile(r"[\(\[]?\s*\b(?:feat\.?|ft\.?|featuring|with)\s[^\)\]]*[\)\]]?", re.I)


def is_original_title(title: str) -> bool:
    """The plain title ('Vogue'), or the plain title with an edit suffix ('Vogue - Edit', '… (Single Mix)')."""
    rest = _FEAT_PART.sub("", clean_text(title)[len(base_title(title)):]).strip(" -()[]")
    return not rest or bool(_SAME_RECORDING.match(rest))


def earliest_years(tracks: list[Track]) -> list[Track]:
    """A song's original recording was out no later than any version of it: remix, live take, clean edition or
    soundtrack release ('Vogue' 2009 on a compilation, 'Vogue - Edit' 1990 → 1990). The original-titled
    versions take the earliest year of the song; other versions keep their own."""
    earliest: dict[str, int] = {}
    for t in tracks:
        if t.year:
            earliest[t.song_key] = min(t.year, earliest.get(t.song_key, t.year))
    return [t.model_copy(update={"year": earliest[t.song_key]})
            if t.year and earliest[t.song_key] < t.year and is_original_title(t.title) else t for t in tracks]


def track_text(t: Track, title: bool = True) -> str:
    """The text embedded for semantic search: who, what genres, how it sounds, when (and, unless `title` is
    False, what it is called)."""
    from tools.moods import mood_words, tempo_word

    parts = [f"{t.title + ' ' if title else ''}by {', '.join(t.artists[:3])}"]
    if t.genres:
        parts.append(", ".join(t.genres[:6]))
    parts.append(" ".join([*mood_words(t), tempo_word(t.tempo)]))
    if t.year:
        parts.append(f"{t.year // 10 * 10}s")
    return ". ".join(parts)
