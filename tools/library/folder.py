"""A folder of audio files as a library (mutagen): MP3, FLAC, Ogg Vorbis, Opus and M4A tags and lengths.
Rescans are incremental — a file whose size and modification time are unchanged keeps what the last scan
read — and a file that cannot be read, or has no title/artist tags, is reported and skipped."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from core.errors import InvalidInput
from tools.library.models import FileProblem, OwnedTrack

EXTENSIONS = frozenset({".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".mp4"})
_YEAR = re.compile(r"(\d{4})")
_MBID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def check_folder(path: str | Path) -> Path:
    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        raise InvalidInput(f"no such folder {str(path)!r}")
    return folder


def audio_files(folder: Path) -> Iterator[Path]:
    """Audio files under the folder, in a stable order (hidden folders and files skipped)."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in EXTENSIONS:
                yield Path(root) / name


def read_file(path: Path, stat: os.stat_result) -> OwnedTrack | FileProblem:
    """One file's tags and length, or why it could not be used."""
    import mutagen

    try:
        audio = mutagen.File(path, easy=True)
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as exc:
        return FileProblem(path=str(path), reason=f"unreadable ({exc.__class__.__name__}: {str(exc)[:120]})")
    if audio is None:
        return FileProblem(path=str(path), reason="not an audio file mutagen can read")
    tags = audio.tags or {}
    title, artist = _first(tags, "title"), _first(tags, "artist") or _first(tags, "albumartist")
    if not (title and artist):
        return FileProblem(path=str(path), reason="no title/artist tags")
    length = getattr(audio.info, "length", 0) or 0
    year = _YEAR.search(_first(tags, "date") or _first(tags, "originaldate") or "")
    mbid = (_first(tags, "musicbrainz_trackid") or "").strip().lower()
    return OwnedTrack(key=str(path), title=title, artist=artist, album=_first(tags, "album") or "",
                      duration_ms=round(length * 1000) or None, year=int(year.group(1)) if year else None,
                      genre=_first(tags, "genre") or "", mbid=mbid if _MBID.match(mbid) else None, path=str(path),
                      mtime=stat.st_mtime, size=stat.st_size)


def _first(tags, key: str) -> str | None:
    try:
        values = tags.get(key)
    except (KeyError, ValueError):
        return None
    if not values:
        return None
    value = values[0] if isinstance(values, list) else values
    return " ".join(str(value).split()) or None


def scan(folder: Path, previous: dict[str, OwnedTrack] | None = None,
         progress: Callable[[int], None] | None = None) -> tuple[list[OwnedTrack], list[FileProblem], int]:
    """(owned tracks, problems, files reused unchanged from `previous`)."""
    previous = previous or {}
    tracks: list[OwnedTrack] = []
    problems: list[FileProblem] = []
    reused = 0
    for n, path in enumerate(audio_files(folder), 1):
        try:
            stat = path.stat()
        except OSError as exc:
            problems.append(FileProblem(path=str(path), reason=f"unreadable ({exc.strerror})"))
            continue
        old = previous.get(str(path))
        if old is not None and old.mtime == stat.st_mtime and old.size == stat.st_size:
            tracks.append(old)
            reused += 1
        else:
            item = read_file(path, stat)
            (problems if isinstance(item, FileProblem) else tracks).append(item)  # type: ignore[arg-type]
        if progress and n % 200 == 0:
            progress(n)
    return tracks, problems, reused
