"""A small library of real audio files: a few seconds of tone each (numpy + soundfile), tagged (mutagen) with
real titles and artists — most from the fixture catalog, some real songs the fixture cut left out (so they
cannot match; two of them are 40 s of music with a known tempo and key, tests/library/signals.py), a
misspelled title, test MBIDs on some, one corrupt file and one tagless file."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMATS = (("flac", "FLAC", None), ("mp3", "MP3", None), ("ogg", "OGG", "VORBIS"), ("opus", "OGG", "OPUS"))
RATE = 16_000


@dataclass
class Song:
    title: str
    artist: str
    album: str
    catalog_id: str | None  # the catalog track it should match, None = not in the catalog
    mbid: str | None = None
    seconds: float = 2.0
    via_mbid: bool = False  # matchable only through its MBID (the title and artist say nothing)
    signal: tuple[float, int, int] | None = None  # (BPM, tonic pitch class, mode): music with a known tempo and key


def test_mbid(n: int) -> str:
    """A well-formed, deterministic recording id for the MBID path (the reference catalog carries none)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"segue-test-recording-{n}"))


def tone(seconds: float, freq: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    x = 0.2 * np.sin(2 * np.pi * freq * t)
    x[int(2 * rate):] = 0.0  # past two seconds: silence (compresses to almost nothing)
    return x.astype(np.float32)


def write_song(folder: Path, n: int, song: Song) -> Path:
    import mutagen
    import soundfile as sf

    ext, fmt, subtype = FORMATS[n % len(FORMATS)] if song.seconds <= 10 and not song.signal else FORMATS[0]  # long: FLAC
    path = folder / f"{n:03d} {song.artist[:20]} - {song.title[:30]}.{ext}".replace("/", "_")
    if song.signal:
        from tests.library.signals import RATE as SIGNAL_RATE
        from tests.library.signals import song as music

        sf.write(path, music(*song.signal, seconds=song.seconds), SIGNAL_RATE, format=fmt, subtype=subtype)
    else:
        rate = 48_000 if ext == "opus" else RATE
        sf.write(path, tone(song.seconds, 220 + 20 * n, rate), rate, format=fmt, subtype=subtype)
    audio = mutagen.File(path, easy=True)
    if audio.tags is None:
        audio.add_tags()
    audio["title"], audio["artist"], audio["album"] = song.title, song.artist, song.album
    if song.mbid:
        audio["musicbrainz_trackid"] = song.mbid
    audio.save()
    return path


SIGNALS = ((120.0, 9, 0), (90.0, 0, 1))  # A minor at 120 BPM, C major at 90 BPM


def pick_songs(catalog, matching: int = 14, missing: int = 3) -> list[Song]:
    """Real songs: `matching` from the fixture catalog (popular ones, distinct artists), one misspelled at its
    true length, and `missing` real songs of the full sources that are not in the cut (the first ones carry
    SIGNALS: 40 s of music whose tempo and key the audio analysis must find)."""
    from tools.catalog_build import read_tidytuesday

    rows = sorted(range(len(catalog)), key=lambda i: (-float(catalog.popularity[i]), i))
    songs: list[Song] = []
    artists: set[str] = set()
    for i in rows:
        t = catalog.tracks[i]
        if t.artist.lower() in artists or not t.title.isascii() or "(" in t.title or " - " in t.title:
            continue
        artists.add(t.artist.lower())
        mbid = test_mbid(len(songs)) if len(songs) % 4 == 0 else None
        songs.append(Song(t.title, t.artist, t.album, t.id, mbid))
        if len(songs) == matching:
            break
    base = next(s for s in songs[1:] if len(s.title) >= 10 and not s.mbid)
    real = catalog.get(base.catalog_id)
    typo = base.title[:3] + base.title[4:]  # one letter dropped: only a fuzzy match finds it
    songs.append(Song(typo, base.artist, "", base.catalog_id, seconds=real.duration_ms / 1000))
    songs.append(Song("Untitled 01", "Unknown Artist", "", songs[0].catalog_id, songs[0].mbid, via_mbid=True))
    known, target = set(catalog.ids), len(songs) + missing
    for rec in read_tidytuesday(_full_raw()):
        if len(songs) == target:
            break
        if rec.id not in known and rec.title.isascii() and rec.artists[0].isascii() and rec.artists[0].lower() not in artists:
            artists.add(rec.artists[0].lower())
            n = len(songs) - (target - missing)
            signal = SIGNALS[n] if n < len(SIGNALS) else None
            songs.append(Song(rec.title, rec.artists[0], rec.album, None, seconds=40.0 if signal else 2.0, signal=signal))
    return songs


def _full_raw() -> Path:
    from core.settings import DATA_DIR

    return DATA_DIR / "raw"


def make_library(folder: Path, songs: list[Song]) -> dict[str, Path]:
    """Write the songs plus a corrupt and a tagless file; returns title → path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {s.title: write_song(folder, n, s) for n, s in enumerate(songs)}
    (folder / "zz corrupt.mp3").write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x10" + bytes(range(256)) * 4)
    import soundfile as sf

    sf.write(folder / "zz tagless.flac", tone(1.0, 330), RATE, format="FLAC")
    return paths
