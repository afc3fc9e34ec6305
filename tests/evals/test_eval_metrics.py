"""Playlist metrics: Camelot and BPM rules, arc fit, diversity, violations against the spec."""

from __future__ import annotations

import math

import numpy as np
import pytest
from eval_helpers import by_artist, make_playlist, pick

from agent.models import PlaylistSpec
from evals.metrics import arc_fit, bpm_delta, camelot_compatible, compute_metrics, violations


@pytest.mark.parametrize(("a", "b", "ok"), [
    ("8B", "8B", True), ("8B", "9B", True), ("8B", "7B", True), ("12A", "1A", True), ("1A", "12A", True),
    ("8B", "8A", True), ("8B", "10B", False), ("8B", "9A", False), ("5A", "11A", False), ("", "8A", False),
])
def test_camelot_compatibility(a, b, ok):
    assert camelot_compatible(a, b) is ok


def test_bpm_delta_counts_half_and_double_time():
    assert bpm_delta(120, 124) == 4
    assert bpm_delta(70, 140) == 0
    assert bpm_delta(172, 87) == 2


def test_arc_fit_follows_the_shape():
    rising = list(np.linspace(0.2, 0.9, 10))
    assert arc_fit(rising, "rise") == pytest.approx(1.0)
    assert arc_fit(rising, "fall") == pytest.approx(-1.0)
    assert arc_fit([0.5] * 10, "steady") == pytest.approx(1.0)
    assert arc_fit([0.1, 0.9] * 5, "steady") < 0
    assert arc_fit(rising, None) < arc_fit([0.2, 0.5, 0.8, 0.9, 0.8, 0.5, 0.2], None)


def test_metrics_of_a_real_playlist(catalog):
    tracks = pick(catalog, 10, lambda t: t.tempo > 0)
    m = compute_metrics(make_playlist(tracks), catalog, latency_ms=12.0)
    assert -1 <= m["coherence"] <= 1 and 0 <= m["ild"] <= 2
    assert m["artist_entropy"] == pytest.approx(1.0)  # ten different artists
    vecs = catalog.vectors[[catalog.index[t.id] for t in tracks]]
    assert m["coherence"] == pytest.approx(float(np.mean([vecs[i] @ vecs[i + 1] for i in range(9)])), rel=1e-5)
    pairs = list(zip(tracks, tracks[1:], strict=False))
    assert m["camelot_pct"] == pytest.approx(100 * sum(camelot_compatible(a.camelot, b.camelot) for a, b in pairs) / 9)
    assert m["novelty"] == pytest.approx(np.mean([1 - t.popularity / 100 for t in tracks]))
    assert m["latency_ms"] == 12.0 and m["violations"] == 0 and m["grounded"] == 1.0


def test_one_artist_has_zero_entropy(catalog):
    tracks = by_artist(catalog, "Taylor Swift", 4)
    assert compute_metrics(make_playlist(tracks), catalog)["artist_entropy"] == pytest.approx(0.0, abs=1e-9)
    assert not math.isnan(compute_metrics(make_playlist(tracks), catalog)["coherence"])


def test_violations_against_the_spec(catalog):
    explicit = pick(catalog, 1, lambda t: t.explicit is True)
    old = pick(catalog, 1, lambda t: t.year is not None and t.year < 2000 and t.explicit is False)
    drake = by_artist(catalog, "Drake")
    spec = PlaylistSpec(count=3, explicit="exclude", year_min=2000, exclude_artists=["Drake"])
    found = violations(make_playlist(explicit + old + drake, spec=spec), catalog)
    kinds = {v.split(":")[0] for v in found}
    assert {"explicit", "year", "excluded artist"} <= kinds
    short = make_playlist(old, spec=PlaylistSpec(count=5))
    assert any("count 1 ≠ 5" in v for v in violations(short, catalog))
