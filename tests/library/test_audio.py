"""Audio analysis on real signals: music with a known tempo and key (tests/library/signals.py) written as FLAC,
MP3, Ogg and M4A files, decoded and analysed; files that say too little or cannot be decoded are refused."""

from __future__ import annotations

import pytest

from tests.library.signals import RATE, song, write_m4a

pytest.importorskip("librosa")

from tools.library.audio import AudioError, analyse_file  # noqa: E402

CASES = [(120.0, 9, 0, "8A"), (90.0, 0, 1, "8B"), (128.0, 7, 1, "9B"), (100.0, 2, 0, "7A")]


def tempo_ok(estimate: float, true: float, tolerance: float = 3.0) -> bool:
    """Within ±3 BPM of the true tempo, or of its half or double (the usual octave ambiguity)."""
    return any(abs(estimate - true * f) <= tolerance for f in (0.5, 1.0, 2.0))


def write(path, samples, fmt: str) -> None:
    import soundfile as sf

    if fmt == "M4A":
        write_m4a(path, samples)
    else:
        sf.write(path, samples, RATE, format=fmt, subtype="VORBIS" if fmt == "OGG" else None)


@pytest.mark.parametrize(("bpm", "tonic", "mode", "code"), CASES)
@pytest.mark.parametrize("fmt", ["FLAC", "MP3", "OGG", "M4A"])
def test_tempo_and_key_of_known_music(tmp_path, bpm, tonic, mode, code, fmt):
    if fmt == "M4A":
        pytest.importorskip("av")
    path = tmp_path / f"song.{fmt.lower()}"
    write(path, song(bpm, tonic, mode, seconds=30), fmt)
    features = analyse_file(path, 75)
    assert tempo_ok(features.tempo, bpm), features
    assert (features.key, features.mode, features.camelot) == (tonic, mode, code), features
    assert features.seconds == pytest.approx(30, abs=0.5) and -30 < features.loudness < 0


def test_only_the_first_seconds_are_analysed(tmp_path):
    import soundfile as sf

    sf.write(tmp_path / "long.flac", song(120, 9, 0, seconds=50), RATE, format="FLAC")
    assert analyse_file(tmp_path / "long.flac", 20).seconds == pytest.approx(20, abs=0.1)


def test_louder_busier_music_has_more_energy(tmp_path):
    import soundfile as sf

    sf.write(tmp_path / "soft.flac", song(70, 0, 1, seconds=30, loud=0.03), RATE, format="FLAC")
    sf.write(tmp_path / "loud.flac", song(140, 0, 1, seconds=30, loud=0.4), RATE, format="FLAC")
    soft, loud = analyse_file(tmp_path / "soft.flac", 75), analyse_file(tmp_path / "loud.flac", 75)
    assert 0 <= soft.energy < loud.energy <= 1 and soft.loudness < loud.loudness - 15


def test_short_silent_and_undecodable_files_are_refused(tmp_path):
    import numpy as np
    import soundfile as sf

    sf.write(tmp_path / "short.flac", song(120, 9, 0, seconds=5), RATE, format="FLAC")
    sf.write(tmp_path / "silent.flac", np.zeros(RATE * 20, dtype=np.float32), RATE, format="FLAC")
    (tmp_path / "noise.mp3").write_bytes(b"\x00garbage" * 4000)
    with pytest.raises(AudioError, match="too short to analyse"):
        analyse_file(tmp_path / "short.flac", 75)
    with pytest.raises(AudioError, match="silent"):
        analyse_file(tmp_path / "silent.flac", 75)
    with pytest.raises(AudioError, match="cannot decode|no audio"):
        analyse_file(tmp_path / "noise.mp3", 75)
