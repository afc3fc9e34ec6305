"""Order the chosen tracks like a DJ: an explicit cost (energy arc, tempo steps, Camelot keys, artist spacing)
minimised by beam search and then improved by swap / move / reversal local search on precomputed cost matrices."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from agent.camelot import bpm_matrix, key_cost_matrix
from agent.models import Arc, Track
from tools.normalize import norm_artist

W_KEY = 1.3  # harmonic cost per transition (0 same key … 1 unrelated)
W_BPM = 0.9  # per transition, times min(|ΔBPM|, BPM_CAP) / BPM_SCALE
BPM_SCALE = 10.0
BPM_CAP = 30.0
W_ENERGY_STEP = 0.6  # per transition, times |Δenergy|
W_ARC = 12.0  # per position, times (energy - arc target)²
W_ASKED_ARC = 2.0  # an arc the listener asked for counts this much more than the default shape
ARC_SPREAD = 0.5  # asked arcs over an energy range narrower than this are weighted up (arc_gain) …
ARC_GAIN_MAX = 6.0  # … by at most this factor
W_LEVEL = 16.0  # an asked rise / fall / peak / wave: per position, times (energy level - arc shape)²
ARTIST_GAP = 3  # the same artist at least this many positions apart
W_ARTIST = 8.0  # per violating pair


def arc_shape(arc: Arc | None, n: int) -> np.ndarray:
    """The arc as n levels in [0, 1] (0 = the calmest track of the set, 1 = the most energetic)."""
    x = np.linspace(0.0, 1.0, n) if n > 1 else np.zeros(1)
    if arc == "rise":
        return x
    if arc == "fall":
        return 1.0 - x
    if arc == "steady":  # one gentle cycle per third: every third gets the same spread, so none drifts
        return 0.5 - 0.5 * np.cos(2.0 * np.pi * 3.0 * x)
    if arc == "peak":
        return 1.0 - np.abs(x - 0.5) * 2.0
    if arc == "wave":
        cycles = max(1.0, n / 12.0)
        return 0.5 - 0.5 * np.cos(2.0 * np.pi * cycles * x)
    # default and "rise_fall": a gentle rise to about two thirds of the way, then an easier landing
    up = 0.25 + 0.75 * np.clip(x / 0.68, 0.0, 1.0)
    down = 1.0 - 0.6 * np.clip((x - 0.68) / 0.32, 0.0, 1.0)
    return np.where(x <= 0.68, up, down)


def energy_targets(energies: np.ndarray, arc: Arc | None) -> np.ndarray:
    """Target energy per position: the arc mapped onto the quantiles of the energies actually available."""
    if len(energies) == 0:
        return np.zeros(0)
    return np.quantile(energies, arc_shape(arc, len(energies)))


def arc_gain(energy: np.ndarray) -> float:
    """An asked-for arc over a narrow energy range (a cool-down drawn from workout tracks, 0.75–0.95) costs
    little in absolute terms and would lose to key and tempo costs: scale it up as the range narrows."""
    spread = float(np.ptp(energy)) if len(energy) else 0.0
    return float(np.clip((ARC_SPREAD / max(spread, 1e-3)) ** 2, 1.0, ARC_GAIN_MAX))


def energy_levels(energy: np.ndarray) -> np.ndarray:
    """Each track's place in the set's energy, 0-1: half its rank, half its min-max position. The rank keeps an
    asked shape strong over a narrow range (party tracks at 0.8-0.95); the value keeps near-ties close."""
    n = len(energy)
    if n < 2:
        return np.zeros(n)
    ordered = np.sort(energy)
    rank = (np.searchsorted(ordered, energy, "left") + np.searchsorted(ordered, energy, "right") - 1) / 2 / (n - 1)
    spread = float(np.ptp(energy))
    value = (energy - energy.min()) / spread if spread > 1e-6 else np.full(n, 0.5)
    return 0.5 * rank + 0.5 * value


def same_artist_matrix(tracks: list[Track]) -> np.ndarray:
    names = [{norm_artist(a) for a in t.artists if a} for t in tracks]
    n = len(tracks)
    out = np.zeros((n, n), dtype=bool)
    for i in range(n):
        for j in range(i + 1, n):
            if names[i] & names[j]:
                out[i, j] = out[j, i] = True
    return out


def cost_matrices(tracks: list[Track], arc: Arc | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A, T1, T2): A[i, p] placing track i at position p; T1[i, j] j right after i; T2[i, j] j two after i."""
    energy = np.array([t.energy for t in tracks], dtype=np.float32)
    tempo = np.array([t.tempo for t in tracks], dtype=np.float32)
    targets = energy_targets(energy, arc).astype(np.float32)
    weight = W_ARC if arc in (None, "rise_fall") else W_ARC * W_ASKED_ARC * arc_gain(energy)
    a = weight * (energy[:, None] - targets[None, :]) ** 2
    if arc in ("rise", "fall", "peak", "wave"):  # the shape the listener asked for, by place in the set's energy
        a = a + W_LEVEL * (energy_levels(energy)[:, None] - arc_shape(arc, len(tracks))[None, :]) ** 2
    same = same_artist_matrix(tracks).astype(np.float32) * W_ARTIST
    t1 = (W_KEY * key_cost_matrix([t.camelot for t in tracks])
          + W_BPM * np.minimum(bpm_matrix(tempo), BPM_CAP) / BPM_SCALE
          + W_ENERGY_STEP * np.abs(energy[:, None] - energy[None, :])
          + same)
    t2 = same if ARTIST_GAP > 2 else np.zeros_like(same)
    return a.astype(np.float32), t1.astype(np.float32), t2.astype(np.float32)


def beam_search(a: np.ndarray, t1: np.ndarray, t2: np.ndarray, width: int) -> np.ndarray:
    """Build the order position by position, keeping the `width` cheapest partial orders."""
    n = a.shape[0]
    first = np.argsort(a[:, 0], kind="stable")[:width]
    seqs = first[:, None]
    costs = a[first, 0].astype(np.float64)
    used = np.zeros((len(first), n), dtype=bool)
    used[np.arange(len(first)), first] = True
    for p in range(1, n):
        step = costs[:, None] + a[None, :, p] + t1[seqs[:, -1]]
        if p >= 2:
            step = step + t2[seqs[:, -2]]
        step = np.where(used, np.inf, step)
        flat = step.ravel()
        keep = min(width, int(np.isfinite(flat).sum()))
        best = np.argpartition(flat, keep - 1)[:keep]
        best = best[np.lexsort((best, flat[best]))]
        parent, child = np.divmod(best, n)
        seqs = np.concatenate([seqs[parent], child[:, None]], axis=1)
        costs = flat[best]
        used = used[parent].copy()
        used[np.arange(keep), child] = True
    return seqs[0]


@lru_cache(maxsize=256)
def window_moves(n: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Moves inside a run of window+1 positions: (start positions, local permutations of the run).
    Each moves one track elsewhere in the run, swaps two, or reverses a part; none reaches past n."""
    starts, perms = [], []
    base = np.arange(window + 1)
    for a in range(n - 1):
        for b in range(a + 1, min(n, a + window + 1)):
            d = b - a
            swap = base.copy()
            swap[0], swap[d] = d, 0
            found = [swap, np.r_[base[1:d + 1], 0, base[d + 1:]], np.r_[d, base[0:d], base[d + 1:]]]
            if d >= 2:
                found.append(np.r_[base[:d + 1][::-1], base[d + 1:]])
            starts += [a] * len(found)
            perms += found
    out = (np.array(starts, dtype=np.int64), np.array(perms, dtype=np.int64))
    for arr in out:
        arr.setflags(write=False)
    return out


class Padded:
    """Cost matrices with a zero-cost dummy track (index n) so windows may run past either end."""

    def __init__(self, a: np.ndarray, t1: np.ndarray, t2: np.ndarray, window: int) -> None:
        n = a.shape[0]
        self.n, self.window, self.span = n, window, window + 5
        self.a = np.zeros((n + 1, n + self.span), dtype=np.float32)
        self.a[:n, 2:n + 2] = a
        self.t1 = np.zeros((n + 1, n + 1), dtype=np.float32)
        self.t1[:n, :n] = t1
        self.t2 = np.zeros((n + 1, n + 1), dtype=np.float32)
        self.t2[:n, :n] = t2

    def pad(self, order: np.ndarray) -> np.ndarray:
        return np.concatenate([[self.n, self.n], order, np.full(self.span, self.n)])

    def seg_costs(self, segs: np.ndarray, starts: np.ndarray) -> np.ndarray:
        pos = starts[:, None] + np.arange(segs.shape[1])
        return (self.a[segs, pos].sum(axis=1) + self.t1[segs[:, :-1], segs[:, 1:]].sum(axis=1)
                + self.t2[segs[:, :-2], segs[:, 2:]].sum(axis=1))

    def best_window_move(self, order: np.ndarray) -> tuple[float, np.ndarray]:
        starts, perms = window_moves(self.n, self.window)
        padded = self.pad(order)
        segs = padded[starts[:, None] + np.arange(self.span)]
        moved = segs.copy()
        moved[:, 2:self.window + 3] = np.take_along_axis(segs[:, 2:self.window + 3], perms, axis=1)
        delta = self.seg_costs(moved, starts) - self.seg_costs(segs, starts)
        k = int(np.argmin(delta))
        new = padded.copy()
        new[starts[k]:starts[k] + self.span] = moved[k]
        return float(delta[k]), new[2:self.n + 2]

    def best_far_swap(self, order: np.ndarray) -> tuple[float, np.ndarray]:
        n, p = self.n, np.arange(self.n)
        padded = self.pad(order)
        x = np.arange(n)[:, None]
        local = (self.a[x, p + 2] + self.t1[padded[p + 1], x] + self.t1[x, padded[p + 3]]
                 + self.t2[padded[p], x] + self.t2[x, padded[p + 4]])
        i, j = np.triu_indices(n, 3)
        if len(i) == 0:
            return 0.0, order
        oi, oj = order[i], order[j]
        delta = local[oj, i] + local[oi, j] - local[oi, i] - local[oj, j]
        k = int(np.argmin(delta))
        new = order.copy()
        new[i[k]], new[j[k]] = order[j[k]], order[i[k]]
        return float(delta[k]), new


def local_search(order: np.ndarray, a: np.ndarray, t1: np.ndarray, t2: np.ndarray, max_rounds: int,
                 window: int) -> np.ndarray:
    """Best-improvement descent: every far swap (exact delta from a placement matrix) and every swap, move
    and reversal inside a window (exact delta on the affected run), until no move helps or the round cap."""
    window = max(1, min(window, a.shape[0] - 1))
    padded = Padded(a, t1, t2, window)
    for _ in range(max_rounds):
        d_near, near = padded.best_window_move(order)
        d_far, far = padded.best_far_swap(order)
        delta, new = (d_near, near) if d_near <= d_far else (d_far, far)
        if delta >= -1e-5:
            break
        order = new
    return order


def sequence(tracks: list[Track], arc: Arc | None = None, seed: int = 0) -> list[Track]:
    """The tracks in DJ order (deterministic: ties break on input order; `seed` is accepted for symmetry)."""
    n = len(tracks)
    if n <= 2:
        return sorted(tracks, key=lambda t: t.energy) if arc != "fall" else sorted(tracks, key=lambda t: -t.energy)
    a, t1, t2 = cost_matrices(tracks, arc)
    width = 48 if n <= 40 else 24
    order = beam_search(a, t1, t2, width)
    rounds, window = (60, 8) if n <= 40 else (80, 6)
    order = local_search(order, a, t1, t2, rounds, window)
    return [tracks[int(k)] for k in order]
