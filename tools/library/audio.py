"""Tempo, key, loudness and an energy estimate from an owned file's own audio, for tracks the reference catalog
does not hold. Decoding: soundfile (FLAC, WAV, Ogg Vorbis, Opus, MP3), then PyAV for the rest (M4A/AAC, …).
Analysis: librosa — beat tracking for the tempo, a constant-Q chromagram against the Krumhansl-Kessler key
profiles for the key. Both come with the optional `segue[audio]` extra and are imported only here, on first use.

These are estimates from the first minute or so of the file: the sequencer may use them, narration never states
them as fact (agent/narration.py, agent/grounding.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tools.catalog_build import camelot
from tools.library.models import AudioFeatures

RATE = 22_050
HOP = 512
MIN_SECONDS = 15.0  # shorter files say too little about tempo or key
SILENT_DB = -60.0
# Krumhansl-Kessler probe-tone profiles, tonic first (Krumhansl 1990).
MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
# energy: loudness (-35 … -5 dBFS), onsets per second (0 … 5) and spectral centroid (500 … 3,500 Hz) mapped to 0-1
W_LOUD, W_ONSETS, W_BRIGHT = 0.5, 0.3, 0.2


class AudioError(Exception):
    """The file's audio could not be decoded or says too little to analyse (one-line reason)."""


def too_short(seconds: float) -> str:
    return f"too short to analyse ({seconds:.0f} s of audio; at least {MIN_SECONDS:.0f} s needed)"


def missing_library() -> str | None:
    """None when audio analysis can run; else what to install."""
    try:
        import librosa  # noqa: F401
        import soundfile  # noqa: F401
    except ImportError as exc:
        return f"audio analysis needs the audio extra (pip install 'segue[audio]'): {exc.name} is not installed"
    return None


def analyse_file(path: Path, seconds: float) -> AudioFeatures:
    """Features of the first `seconds` of the file; AudioError when it cannot be decoded or analysed."""
    return estimate(decode(path, seconds), RATE)


# ---------------------------------------------------------------- decoding


def decode(path: Path, seconds: float) -> np.ndarray:
    """Mono float32 samples at RATE, at most `seconds` long."""
    try:
        return _decode_soundfile(path, seconds)
    except (RuntimeError, TypeError, ValueError, OSError) as first:  # LibsndfileError is a RuntimeError
        try:
            return _decode_av(path, seconds)
        except ImportError:
            raise AudioError(f"cannot decode {path.suffix or 'this file'} ({_short(first)}; PyAV is not installed)") from None
        except Exception as exc:  # noqa: BLE001 (FFmpeg raises many kinds; any of them means undecodable)
            raise AudioError(f"cannot decode ({_short(exc)})") from None


def _decode_soundfile(path: Path, seconds: float) -> np.ndarray:
    import soundfile as sf

    with sf.SoundFile(str(path)) as f:
        frames = int(seconds * f.samplerate)
        data = f.read(frames if f.frames <= 0 else min(frames, f.frames), dtype="float32", always_2d=True)
        rate = f.samplerate
    return _resampled(data.mean(axis=1), rate)


def _decode_av(path: Path, seconds: float) -> np.ndarray:
    import av

    chunks: list[np.ndarray] = []
    limit, got = int(seconds * RATE), 0
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise AudioError("no audio stream")
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        for frame in container.decode(container.streams.audio[0]):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
                got += chunks[-1].size
            if got >= limit:
                break
    if not chunks:
        raise AudioError("no audio decoded")
    return np.concatenate(chunks)[:limit].astype(np.float32)


def _resampled(y: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE:
        return np.ascontiguousarray(y, dtype=np.float32)
    import librosa

    return librosa.resample(y, orig_sr=rate, target_sr=RATE).astype(np.float32)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text[:120]


# ---------------------------------------------------------------- estimation


def estimate(y: np.ndarray, sr: int) -> AudioFeatures:
    import librosa

    seconds = len(y) / sr
    if seconds < MIN_SECONDS:
        raise AudioError(too_short(seconds))
    loudness = float(10 * np.log10(np.mean(np.square(y, dtype=np.float64)) + 1e-12))
    if loudness < SILENT_DB:
        raise AudioError(f"silent ({loudness:.0f} dBFS)")
    onset = librosa.onset.onset_strength(y=y, sr=sr, hop_length=HOP)
    key, mode = estimate_key(librosa.feature.chroma_cqt(y=y, sr=sr, hop_length=HOP))
    onsets = librosa.onset.onset_detect(onset_envelope=onset, sr=sr, hop_length=HOP)
    centroid = float(np.mean(librosa.feature.spectral_centroid(y=y, sr=sr, hop_length=HOP)))
    return AudioFeatures(tempo=round(estimate_tempo(onset, sr), 2), key=key, mode=mode, camelot=camelot(key, mode),
                         loudness=round(loudness, 2), energy=round(energy(loudness, len(onsets) / seconds, centroid), 3),
                         seconds=round(seconds, 1))


def estimate_tempo(onset: np.ndarray, sr: int) -> float:
    """librosa's beat tracker; its tempo is quantised to the onset frame rate, so the beat times' slope refines
    it when the beats are steady (within 8 % of the tracker's own figure). 0 when no beat is found."""
    import librosa

    tempo, beats = librosa.beat.beat_track(onset_envelope=onset, sr=sr, hop_length=HOP, units="time")
    bpm = float(np.atleast_1d(tempo)[0])
    if len(beats) >= 8 and bpm > 0:
        slope = float(np.polyfit(np.arange(len(beats)), beats, 1)[0])
        fitted = 60.0 / slope if slope > 0 else 0.0
        if abs(fitted - bpm) <= 0.08 * bpm:
            return fitted
    return bpm


def estimate_key(chroma: np.ndarray) -> tuple[int, int]:
    """(pitch class, mode) whose Krumhansl-Kessler profile correlates best with the mean chroma."""
    profile = chroma.mean(axis=1)
    best = (-2.0, 0, 1)
    for tonic in range(12):
        for mode, template in ((1, MAJOR), (0, MINOR)):
            r = float(np.corrcoef(profile, np.roll(template, tonic))[0, 1])
            if r > best[0]:
                best = (r, tonic, mode)
    return best[1], best[2]


def energy(loudness_db: float, onsets_per_s: float, centroid_hz: float) -> float:
    """A rough 0-1 intensity: louder, busier and brighter is more energetic."""
    loud = np.clip((loudness_db + 35.0) / 30.0, 0, 1)
    busy = np.clip(onsets_per_s / 5.0, 0, 1)
    bright = np.clip((centroid_hz - 500.0) / 3000.0, 0, 1)
    return float(W_LOUD * loud + W_ONSETS * busy + W_BRIGHT * bright)
