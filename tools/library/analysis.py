"""The audio step of `library sync`: every owned track the catalog does not hold is analysed from its file (a
folder's file, or a Subsonic server's `download`), the first `library_analysis_seconds` of it.

Incremental: each result — features or why the audio could not be read — is appended to the library's
analysis log (`audio.jsonl`, keyed by the track and its size, modification time and length) as soon as it is
known, so a later or resumed sync analyses only new and changed files. The log is not the library state: the
state is still written as one build and switched in only when the whole sync succeeded."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from core.errors import InvalidInput, NotFound
from core.settings import Settings
from tools.library.audio import MIN_SECONDS, AudioError, analyse_file, missing_library, too_short
from tools.library.models import AudioFeatures, FileProblem, OwnedTrack
from tools.library.store import write_atomic

LOG = "audio.jsonl"
Fetch = Callable[[OwnedTrack, Path], Path]  # (track, scratch folder) → a local file with its audio
Progress = Callable[[str, int, int], None]


@dataclass
class Analysis:
    tracks: list[OwnedTrack]
    analysed: int = 0
    seconds: float = 0.0
    note: str | None = None
    problems: list[FileProblem] = field(default_factory=list)


def fingerprint(t: OwnedTrack) -> str:
    return f"{t.key}|{t.size}|{t.mtime}|{t.duration_ms}"


def read_log(folder: Path) -> dict[str, tuple[AudioFeatures | None, str | None]]:
    """fingerprint → (features, problem); later lines win, damaged lines (an interrupted write) are skipped."""
    out: dict[str, tuple[AudioFeatures | None, str | None]] = {}
    path = folder / LOG
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            row = json.loads(line)
            out[row["id"]] = (AudioFeatures.model_validate(row["audio"]) if row.get("audio") else None, row.get("problem"))
        except (ValueError, KeyError, TypeError, ValidationError):
            continue
    return out


def _row(key: str, audio: AudioFeatures | None, problem: str | None) -> str:
    return json.dumps({"id": key, "audio": audio.model_dump() if audio else None, "problem": problem}) + "\n"


def analyse_tracks(tracks: list[OwnedTrack], folder: Path, settings: Settings, fetch: Fetch,
                   progress: Progress | None = None) -> Analysis:
    """Tracks with `audio` (or `audio_problem`) set for the unmatched ones; matched tracks carry neither."""
    folder.mkdir(parents=True, exist_ok=True)
    known = read_log(folder)
    out = [_with(t, *known.get(fingerprint(t), (None, None))) if not t.catalog_id else _with(t, None, None) for t in tracks]
    todo = [n for n, t in enumerate(out) if not t.catalog_id and fingerprint(t) not in known]
    result = Analysis(tracks=out)
    if todo and (note := _unavailable(settings)):
        result.note = note
    elif todo:
        started = time.perf_counter()
        _analyse(out, todo, folder, settings, fetch, progress)
        result.analysed, result.seconds = len(todo), round(time.perf_counter() - started, 3)
    _compact(folder, out)
    result.problems = [FileProblem(path=t.path or t.key, reason=t.audio_problem) for t in out if t.audio_problem]
    return result


def _unavailable(settings: Settings) -> str | None:
    return "audio analysis is off (SEGUE_LIBRARY_ANALYSIS=false)" if not settings.library_analysis else missing_library()


def _analyse(out: list[OwnedTrack], todo: list[int], folder: Path, settings: Settings, fetch: Fetch,
             progress: Progress | None) -> None:
    with open(folder / LOG, "a", encoding="utf-8") as log, tempfile.TemporaryDirectory(prefix="segue-audio-") as scratch:
        for done, n in enumerate(todo, 1):
            t = out[n]
            audio, problem = analyse_one(t, Path(scratch), settings, fetch)
            out[n] = _with(t, audio, problem)
            log.write(_row(fingerprint(t), audio, problem))
            log.flush()
            if progress:
                progress("analyse", done, len(todo))


def analyse_one(t: OwnedTrack, scratch: Path, settings: Settings, fetch: Fetch) -> tuple[AudioFeatures | None, str | None]:
    """(features, None) or (None, why not). A song the server refuses is a problem; a server that is gone is not
    (its StoreError ends the sync, and the previous state stays in use)."""
    if t.duration_ms and t.duration_ms < MIN_SECONDS * 1000:  # known from the tags or the server: no need to fetch
        return None, too_short(t.duration_ms / 1000)
    try:
        path = fetch(t, scratch)
        try:
            return analyse_file(path, settings.library_analysis_seconds), None
        finally:
            if path.parent == scratch:
                path.unlink(missing_ok=True)
    except AudioError as exc:
        return None, str(exc)
    except (InvalidInput, NotFound) as exc:
        return None, f"not downloadable ({exc})"
    except OSError as exc:
        return None, f"unreadable ({exc.strerror or exc.__class__.__name__})"


def _with(t: OwnedTrack, audio: AudioFeatures | None, problem: str | None) -> OwnedTrack:
    return t if (t.audio, t.audio_problem) == (audio, problem) else t.model_copy(update={"audio": audio, "audio_problem": problem})


def _compact(folder: Path, tracks: list[OwnedTrack]) -> None:
    """Keep only the current tracks' results (rewritten atomically)."""
    rows = [_row(fingerprint(t), t.audio, t.audio_problem) for t in tracks if t.audio or t.audio_problem]
    write_atomic(folder / LOG, "".join(rows))


# ---------------------------------------------------------------- where the audio is


def folder_file(t: OwnedTrack, scratch: Path) -> Path:
    return Path(t.path or t.key)


def subsonic_file(client, max_bytes: int) -> Fetch:
    """Download each song into the scratch folder (the server's `download`, else `stream`)."""

    def fetch(t: OwnedTrack, scratch: Path) -> Path:
        suffix = Path(t.path or "").suffix[:8]
        return client.download(t.key, scratch / f"song{suffix}", max_bytes)

    return fetch
