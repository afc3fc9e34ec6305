"""Real listening history into the taste profile: a ListenBrainz export (the zip with listens/YYYY/MM.jsonl
and feedback.jsonl, or a listens JSON/JSONL file), a Last.fm scrobble export (user.getRecentTracks JSON pages,
or CSV with or without a header), and a Subsonic server's play counts and stars. Each event carries a stable
key, so re-importing the same file adds nothing (tools/library/keyed_events.py)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from core.errors import InvalidInput
from tools.library.models import OwnedTrack
from tools.profiles import PlayEvent

LASTFM_CSV_DATE = "%d %b %Y %H:%M"


class Listen(BaseModel):
    """One listen before resolution: a stable key, names, an optional recording MBID."""

    key: str
    artist: str
    title: str
    track_id: str | None = Field(None, description="Catalog id when already known (a matched owned track).")
    mbid: str | None = None
    timestamp: datetime | None = None
    liked: bool = False


class ListenReport(BaseModel):
    user_id: str
    source: str = Field(description="listenbrainz, lastfm or subsonic:<library>.")
    received: int
    imported: int = Field(description="New events stored.")
    already: int = Field(0, description="Events a previous import stored (not counted twice).")
    unmatched: int = Field(description="Listens of tracks the catalog does not hold.")
    unmatched_examples: list[str] = Field(default_factory=list)
    removed: int = Field(0, description="Server-derived events no longer on the server (Subsonic re-sync).")


def _ts(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return None


# ---------------------------------------------------------------- ListenBrainz


def listenbrainz_listen(row: dict[str, Any]) -> Listen | None:
    meta = row.get("track_metadata") or {}
    artist, title = meta.get("artist_name"), meta.get("track_name")
    if not (artist and title):
        return None
    info = meta.get("additional_info") or {}
    mapping = meta.get("mbid_mapping") or {}
    mbid = mapping.get("recording_mbid") or info.get("recording_mbid")
    at = row.get("listened_at")
    key = f"lb:{at}:{row.get('recording_msid') or mbid or f'{artist}|{title}'}"
    return Listen(key=key, artist=str(artist), title=str(title), mbid=mbid, timestamp=_ts(at))


def read_listenbrainz(path: Path) -> list[Listen]:
    rows: list[dict[str, Any]] = []
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for name in sorted(n for n in z.namelist() if n.endswith((".jsonl", ".json")) and "listens" in n):
                rows += _json_rows(z.read(name).decode("utf-8"), name)
    else:
        rows = _json_rows(path.read_text(encoding="utf-8"), path.name)
    return [listen for row in rows if (listen := listenbrainz_listen(row))]


def _json_rows(text: str, name: str) -> list[dict[str, Any]]:
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{name}: not JSON ({exc.msg} at line {exc.lineno})") from exc
        return [r for r in data if isinstance(r, dict)]
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{name} line {n}: not JSON ({exc.msg})") from exc
    return rows


# ---------------------------------------------------------------- Last.fm


def _scrobble_dicts(data: Any) -> Iterator[dict[str, Any]]:
    """Track objects of user.getRecentTracks pages, however the exporter nested them."""
    if isinstance(data, list):
        for item in data:
            yield from _scrobble_dicts(item)
    elif isinstance(data, dict):
        if "name" in data and "artist" in data:
            yield data
            return
        for value in data.values():
            if isinstance(value, (list, dict)):
                yield from _scrobble_dicts(value)


def lastfm_listen(track: dict[str, Any]) -> Listen | None:
    if (track.get("@attr") or {}).get("nowplaying"):
        return None
    artist = track.get("artist")
    artist = artist.get("#text") or artist.get("name") if isinstance(artist, dict) else artist
    title = track.get("name")
    date = track.get("date")
    uts = date.get("uts") if isinstance(date, dict) else date
    if not (artist and title):
        return None
    return Listen(key=f"lfm:{uts}:{artist}|{title}", artist=str(artist), title=str(title),
                  mbid=track.get("mbid") or None, timestamp=_ts(uts), liked=str(track.get("loved", "0")) == "1")


def read_lastfm(path: Path) -> list[Listen]:
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path.name}: not JSON ({exc.msg} at line {exc.lineno})") from exc
        return [listen for t in _scrobble_dicts(data) if (listen := lastfm_listen(t))]
    return _lastfm_csv(text, path.name)


def _lastfm_csv(text: str, name: str) -> list[Listen]:
    """CSV with a header (uts, artist, track, track_mbid, …) or the headerless artist,album,title,date."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    out: list[Listen] = []
    if "artist" in header and ("track" in header or "title" in header):
        col = {h: i for i, h in enumerate(header)}
        title_col = col.get("track", col.get("title"))
        for row in rows[1:]:
            get = lambda h, r=row: r[col[h]].strip() if h in col and col[h] < len(r) else ""  # noqa: E731
            artist, title = get("artist"), row[title_col].strip() if title_col is not None and title_col < len(row) else ""
            if artist and title:
                uts = get("uts")
                out.append(Listen(key=f"lfm:{uts}:{artist}|{title}", artist=artist, title=title,
                                  mbid=get("track_mbid") or None, timestamp=_ts(uts)))
        return out
    for n, row in enumerate(rows, 1):
        if len(row) < 4:
            raise InvalidInput(f"{name} line {n}: expected artist,album,title,date")
        artist, title, date = row[0].strip(), row[2].strip(), row[3].strip()
        try:
            when = datetime.strptime(date, LASTFM_CSV_DATE).replace(tzinfo=UTC) if date else None
        except ValueError as exc:
            raise InvalidInput(f"{name} line {n}: date {date!r} is not like '31 Jan 2021 18:04'") from exc
        out.append(Listen(key=f"lfm:{int(when.timestamp()) if when else ''}:{artist}|{title}", artist=artist,
                          title=title, timestamp=when))
    return out


# ---------------------------------------------------------------- Subsonic plays and stars


def subsonic_listens(library: str, tracks: list[OwnedTrack]) -> list[Listen]:
    """One event per counted play and one liked event per starred song, keyed by song id and play number."""
    out: list[Listen] = []
    for t in tracks:
        for n in range(min(t.play_count, 500)):
            out.append(Listen(key=f"subsonic:{library}:{t.key}:play{n}", artist=t.artist, title=t.title,
                              track_id=t.catalog_id, mbid=t.mbid))
        if t.starred:
            out.append(Listen(key=f"subsonic:{library}:{t.key}:star", artist=t.artist, title=t.title,
                              track_id=t.catalog_id, mbid=t.mbid, liked=True))
    return out


def read_listens(path: Path, source: str) -> list[Listen]:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such file {str(path)!r}")
    try:
        return read_listenbrainz(path) if source == "listenbrainz" else read_lastfm(path)
    except (UnicodeDecodeError, zipfile.BadZipFile, ValidationError) as exc:
        raise InvalidInput(f"{path.name} is not a {source} export ({exc.__class__.__name__})") from exc


def detect_source(path: Path) -> str:
    """listenbrainz for a zip or listens with track_metadata; lastfm otherwise."""
    if zipfile.is_zipfile(path):
        return "listenbrainz"
    head = Path(path).read_text(encoding="utf-8", errors="replace")[:4000]
    return "listenbrainz" if "track_metadata" in head else "lastfm"


def play_event(listen: Listen, track_id: str | None) -> PlayEvent:
    return PlayEvent(track_id=track_id, artist=listen.artist[:300], title=listen.title[:300],
                     timestamp=listen.timestamp, liked=listen.liked)
