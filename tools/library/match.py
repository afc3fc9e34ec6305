"""Owned track → reference-catalog track: the MusicBrainz recording id when one is known, then the folded
artist + recording title (tools/normalize.py keys), then rapidfuzz over the artist's titles. Durations pick
between candidates and veto a fuzzy match that is clearly another length."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from tools.library.models import MatchMethod, MatchStats, OwnedTrack
from tools.normalize import fold, norm_artist, recording_key, recording_title, split_artists

if TYPE_CHECKING:
    from tools.catalog import Catalog

DURATION_SLACK_MS = 10_000  # a fuzzy match may differ by max(10 s, 10 %) in length
DURATION_SHARE = 0.10


class CatalogMatcher:
    """Built once per catalog (a second or so for 59k tracks); `match` is then a few dictionary lookups."""

    def __init__(self, catalog: Catalog, min_score: float = 90.0, mbids: dict[str, str] | None = None) -> None:
        self.catalog = catalog
        self.min_score = min_score
        self.mbids = dict(mbids or {})
        text = catalog.tracks.text
        self.titles: list[str] = text["title"]
        self.artists: list[list[str]] = text["artists"]
        self.ids: list[str] = text["id"]
        self.albums: list[str] = text["album"]

    @cached_property
    def by_key(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for n, (title, artists) in enumerate(zip(self.titles, self.artists, strict=True)):
            for artist in artists:
                out.setdefault(recording_key(artist, title), []).append(n)
        return out

    @cached_property
    def by_artist(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for n, artists in enumerate(self.artists):
            for artist in artists:
                out.setdefault(norm_artist(artist), []).append(n)
        return out

    @cached_property
    def _artist_keys(self) -> list[str]:
        return list(self.by_artist)

    def match(self, track: OwnedTrack) -> tuple[str | None, MatchMethod, float]:
        """(catalog id or None, how, score 0-100)."""
        if track.mbid and (found := self.mbids.get(track.mbid)) and found in self.catalog.index:
            return found, "mbid", 100.0
        names = list(dict.fromkeys([track.artist, *split_artists(track.artist)]))
        for name in names:
            rows = self.by_key.get(recording_key(name, track.title))
            if rows:
                return self.ids[self._closest(rows, track)], "exact", 100.0
        best: tuple[float, int] | None = None
        for name in names:
            for row, score in self._fuzzy_rows(name, track):
                if best is None or score > best[0]:
                    best = (score, row)
        if best is not None:
            return self.ids[best[1]], "fuzzy", round(best[0], 1)
        return None, "none", 0.0

    def _closest(self, rows: list[int], track: OwnedTrack) -> int:
        """Same album first, then the nearest length, then the most popular."""
        album = fold(track.album)

        def rank(r: int) -> tuple:
            length = abs(int(self.catalog.duration[r]) - track.duration_ms) if track.duration_ms else 0
            return (bool(album) and fold(self.albums[r]) != album, length, -float(self.catalog.popularity[r]), r)

        return min(rows, key=rank)

    def _fuzzy_rows(self, name: str, track: OwnedTrack) -> Iterable[tuple[int, float]]:
        artist, artist_score = self._artist(norm_artist(name))
        if artist is None:
            return
        title = recording_title(track.title)
        for row in self.by_artist[artist]:
            score = fuzz.ratio(title, _recording_title(self.titles[row]))
            if score >= self.min_score and self._same_length(row, track.duration_ms):
                yield row, min(score, artist_score)

    def _artist(self, name: str) -> tuple[str | None, float]:
        if not name:
            return None, 0.0
        if name in self.by_artist:
            return name, 100.0
        return _fuzzy_artist(self, name)

    def _same_length(self, row: int, duration_ms: int | None) -> bool:
        if not duration_ms:
            return True
        ours = int(self.catalog.duration[row])
        return abs(ours - duration_ms) <= max(DURATION_SLACK_MS, DURATION_SHARE * ours)

    def match_all(self, tracks: list[OwnedTrack]) -> tuple[list[OwnedTrack], MatchStats]:
        """Every track with its match; MBIDs of name matches are learned for the rest of the run."""
        out: list[OwnedTrack] = []
        for t in tracks:
            cid, method, score = self.match(t)
            if cid and t.mbid and method != "mbid":
                self.mbids.setdefault(t.mbid, cid)
            out.append(t.model_copy(update={"catalog_id": cid, "match": method, "match_score": score}))
        return out, match_stats(out)


@lru_cache(maxsize=65536)
def _recording_title(title: str) -> str:
    return recording_title(title)


def _fuzzy_artist(matcher: CatalogMatcher, name: str) -> tuple[str | None, float]:
    cache = matcher.__dict__.setdefault("_artist_cache", {})
    if name not in cache:
        hit = process.extractOne(name, matcher._artist_keys, scorer=fuzz.ratio, score_cutoff=matcher.min_score)
        cache[name] = (hit[0], float(hit[1])) if hit else (None, 0.0)
    return cache[name]


def match_stats(tracks: list[OwnedTrack]) -> MatchStats:
    by: dict[str, int] = {}
    for t in tracks:
        by[t.match] = by.get(t.match, 0) + 1
    matched = sum(1 for t in tracks if t.catalog_id)
    estimated = sum(1 for t in tracks if t.features == "audio")
    return MatchStats(tracks=len(tracks), matched=matched, by_method=by, estimated=estimated,
                      features_unknown=len(tracks) - matched - estimated)
