"""Harmonic and tempo compatibility between tracks: the Camelot wheel and half/double-time aware BPM distance."""

from __future__ import annotations

import re

import numpy as np

_CODE = re.compile(r"^\s*(1[0-2]|[1-9])\s*([AaBb])\s*$")


def parse(code: str) -> tuple[int, str] | None:
    """'8B' → (8, 'B'); None for anything that is not a Camelot code."""
    m = _CODE.match(code or "")
    return (int(m.group(1)), m.group(2).upper()) if m else None


def wheel_index(code: str) -> int:
    """0-23 position of a code (A keys 0-11, B keys 12-23); -1 when unknown."""
    p = parse(code)
    if p is None:
        return -1
    return (p[0] - 1) + (12 if p[1] == "B" else 0)


def steps(a: str, b: str) -> int | None:
    """Moves on the wheel between two codes: 0 same key, 1 a neighbour (±1 or relative major/minor), 2+ further."""
    pa, pb = parse(a), parse(b)
    if pa is None or pb is None:
        return None
    around = min((pa[0] - pb[0]) % 12, (pb[0] - pa[0]) % 12)
    return around + (pa[1] != pb[1])


def compatible(a: str, b: str) -> bool:
    """Same key, ±1 on the same ring, or the relative major/minor (same number, other letter)."""
    s = steps(a, b)
    return s is not None and s <= 1


def _step_matrix() -> np.ndarray:
    out = np.zeros((24, 24), dtype=np.int8)
    for i in range(24):
        for j in range(24):
            around = min((i % 12 - j % 12) % 12, (j % 12 - i % 12) % 12)
            out[i, j] = around + ((i >= 12) != (j >= 12))
    return out


STEPS = _step_matrix()


def key_cost_matrix(codes: list[str]) -> np.ndarray:
    """Pairwise harmonic cost in [0, 1]: 0 same key, 0.15 a compatible neighbour, 0.7 two steps, 1 further."""
    idx = np.array([wheel_index(c) for c in codes], dtype=np.int64)
    s = STEPS[np.ix_(np.maximum(idx, 0), np.maximum(idx, 0))].astype(np.float32)
    cost = np.select([s == 0, s == 1, s == 2], [0.0, 0.15, 0.7], default=1.0).astype(np.float32)
    unknown = idx < 0
    cost[unknown, :] = 0.5
    cost[:, unknown] = 0.5
    return cost


def compatible_matrix(codes: list[str]) -> np.ndarray:
    """Boolean pairwise Camelot compatibility."""
    idx = np.array([wheel_index(c) for c in codes], dtype=np.int64)
    ok = STEPS[np.ix_(np.maximum(idx, 0), np.maximum(idx, 0))] <= 1
    ok[idx < 0, :] = False
    ok[:, idx < 0] = False
    return ok


def bpm_distance(a: float, b: float) -> float:
    """|ΔBPM| counting half and double time as the same pulse (0 when either has no beat)."""
    if a <= 0 or b <= 0:
        return 0.0
    return float(min(abs(a - b), abs(2 * a - b), abs(a - 2 * b)))


def bpm_matrix(tempos: np.ndarray) -> np.ndarray:
    """Pairwise half/double-aware |ΔBPM|; beatless tracks sit at distance 0 from everything."""
    t = np.asarray(tempos, dtype=np.float32)
    a, b = t[:, None], t[None, :]
    d = np.minimum(np.abs(a - b), np.minimum(np.abs(2 * a - b), np.abs(a - 2 * b)))
    none = t <= 0
    d[none, :] = 0.0
    d[:, none] = 0.0
    return d
