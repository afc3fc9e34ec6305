"""Music with a known tempo and key, made with numpy: a kick drum on every beat and a chord progression
(I–IV–V–I in major, i–iv–V–i in harmonic minor), one chord a bar — what a tempo and key estimator must read."""

from __future__ import annotations

import numpy as np

RATE = 22_050
MAJOR_TRIADS = ((0, 4, 7), (5, 9, 12), (7, 11, 14), (0, 4, 7))
MINOR_TRIADS = ((0, 3, 7), (5, 8, 12), (7, 11, 14), (0, 3, 7))  # V is major: the raised seventh


def midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def kick(rate: int, loud: float) -> np.ndarray:
    """80 ms: a pitch-dropping sine with a short click on top."""
    t = np.arange(int(0.08 * rate)) / rate
    body = np.sin(2 * np.pi * (50 + 100 * np.exp(-t * 40)) * t) * np.exp(-t * 35)
    click = np.random.default_rng(7).normal(0, 0.3, t.size) * np.exp(-t * 400)
    return loud * (body + click)


def chord(tonic: int, triad: tuple[int, ...], seconds: float, rate: int, loud: float) -> np.ndarray:
    """The triad on the tonic (octave 4) over its root in the bass (octave 3), with two harmonics."""
    t = np.arange(int(seconds * rate)) / rate
    notes = [48 + tonic + triad[0]] + [60 + tonic + i for i in triad]
    wave = sum(sum(np.sin(2 * np.pi * midi_hz(n) * h * t) / h for h in (1, 2, 3)) for n in notes)
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    return loud * wave * fade / len(notes)


def song(bpm: float, tonic: int, mode: int, seconds: float = 40.0, rate: int = RATE, loud: float = 0.3) -> np.ndarray:
    """A kick on each beat and one chord per 4-beat bar, `seconds` long, in `tonic` (0=C) major (1) or minor (0)."""
    n = int(seconds * rate)
    out = np.zeros(n + rate, dtype=np.float64)
    beat = 60.0 / bpm
    triads = MAJOR_TRIADS if mode == 1 else MINOR_TRIADS
    hit = kick(rate, loud)
    for b in range(int(seconds / beat) + 1):
        at = int(round(b * beat * rate))
        out[at:at + hit.size] += hit[: max(0, min(hit.size, out.size - at))]
        if b % 4 == 0:
            part = chord(tonic, triads[(b // 4) % len(triads)], 4 * beat, rate, loud)
            out[at:at + part.size] += part[: max(0, min(part.size, out.size - at))]
    return np.clip(out[:n], -1, 1).astype(np.float32)


def write_m4a(path, samples: np.ndarray, rate: int = RATE, **tags: str) -> None:
    """A real AAC-in-MP4 file (PyAV's bundled FFmpeg encoder) with iTunes tags (mutagen): title, artist, album."""
    import av
    from mutagen.mp4 import MP4

    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.asarray(samples, dtype=np.float32)[None, :], format="flt", layout="mono")
        frame.rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    names = {"title": "\xa9nam", "artist": "\xa9ART", "album": "\xa9alb"}
    file = MP4(str(path))
    for key, value in tags.items():
        file[names[key]] = [value]
    file.save()
