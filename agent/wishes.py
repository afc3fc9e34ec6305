"""Stated wishes as hard rules: "only X", "no vocals", a count above what Segue returns, "without X", an energy
arc. Each is enforced in code (a search filter and a per-track check) and reported on the final playlist.

Thresholds, from this catalog's audio features:
- instrumental: instrumentalness >= 0.5 (Spotify's own line for "intended to represent instrumental tracks").
  Here 1.5 % of the tracks of vocal-genre artists (dance pop, country, r&b, soul, …) pass it against 47 % of
  the tracks of classical, ambient, lo-fi, post-rock and soundtrack artists; 0.7 would halve the vocal leaks
  but lose a tenth of the instrumental tracks.
- speechiness <= 0.1 on top: 95 % of the tracks above the instrumentalness line stay under it, and it keeps
  out rapped or spoken tracks the instrumentalness model misses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from agent.models import MAX_COUNT, Arc, ConstraintReport, PlaylistSpec, SearchFilters, Track
from tools.content_filter import credited_artists
from tools.normalize import norm_artist

INSTRUMENTAL_MIN = 0.5
SPEECHINESS_MAX = 0.1
ARC_MIN_DELTA = 0.05
ARC_WORDS = {"rise": "energy builds", "fall": "energy winds down", "peak": "peaks in the middle",
             "steady": "steady energy", "wave": "ups and downs", "rise_fall": "rises then eases off"}


def credits_any(track: Track, names: Iterable[str]) -> bool:
    """The track credits one of the names: listed, inside a combined credit, or featured in the title."""
    wanted = {norm_artist(n) for n in names}
    return bool(wanted & set(credited_artists(track)))


def is_instrumental(track: Track) -> bool:
    return track.instrumentalness >= INSTRUMENTAL_MIN and track.speechiness <= SPEECHINESS_MAX


def with_wish_filters(filters: SearchFilters, spec: PlaylistSpec) -> SearchFilters:
    """The search filters plus the spec's only-artists and instrumental rules."""
    update: dict = {}
    if spec.only_artists:
        update["artists"] = list(dict.fromkeys(filters.artists + spec.only_artists))
    if spec.instrumental:
        update["features"] = filters.features | {"instrumentalness": (INSTRUMENTAL_MIN, 1.0),
                                                 "speechiness": (0.0, SPEECHINESS_MAX)}
    return filters.model_copy(update=update) if update else filters


def wish_violation(track: Track, spec: PlaylistSpec) -> str | None:
    """Why this track breaks an only-artists or instrumental rule, or None."""
    if spec.only_artists and not credits_any(track, spec.only_artists):
        return f"does not credit {' or '.join(spec.only_artists)}"
    if spec.instrumental and track.instrumentalness < INSTRUMENTAL_MIN:
        return f"has vocals (instrumentalness {track.instrumentalness:.2f} < {INSTRUMENTAL_MIN:g})"
    if spec.instrumental and track.speechiness > SPEECHINESS_MAX:
        return f"has spoken or rapped parts (speechiness {track.speechiness:.4f} > {SPEECHINESS_MAX:g})"
    return None


# --------------------------------------------------------------------------- reports on the final playlist

def with_wish_reports(spec: PlaylistSpec, tracks: Sequence[Track],
                      reports: list[ConstraintReport]) -> list[ConstraintReport]:
    """The playlist's reports with the count told against what was asked, plus one entry per stated wish."""
    out = [_count_report(spec, tracks, r) if r.name == "count" else r for r in reports]
    if spec.only_artists:
        out.append(_only_report(spec, tracks))
    if spec.instrumental:
        ok = sum(is_instrumental(t) for t in tracks)
        out.append(ConstraintReport(name="instrumental",
                                    target=f"instrumentalness ≥ {INSTRUMENTAL_MIN:g}, speechiness ≤ {SPEECHINESS_MAX:g}",
                                    actual=f"{ok} of {len(tracks)} instrumental", met=ok == len(tracks)))
    if spec.exclude_artists:
        bad = [t for t in tracks if credits_any(t, spec.exclude_artists)]
        out.append(ConstraintReport(name="exclude_artists", target=f"none credit {', '.join(spec.exclude_artists)}",
                                    actual=f"{len(bad)} credit them", met=not bad))
    if spec.arc:
        out.append(arc_report(spec.arc, [t.energy for t in tracks]))
    if spec.unknown_artists:
        out.append(ConstraintReport(name="seed_artists", target=f"like {', '.join(spec.unknown_artists)}",
                                    actual="not in the catalog", met=False,
                                    note="no catalog track credits them; the playlist follows the rest of the prompt"))
    return out


def _count_report(spec: PlaylistSpec, tracks: Sequence[Track], report: ConstraintReport) -> ConstraintReport:
    if spec.count_asked and spec.count_asked > len(tracks):
        return ConstraintReport(name="count", target=str(spec.count_asked), actual=str(len(tracks)), met=False,
                                note=f"Segue returns at most {MAX_COUNT} tracks per playlist")
    if spec.only_artists and not report.met:
        return report.model_copy(update={
            "note": f"the catalog has only {len(tracks)} tracks crediting {' or '.join(spec.only_artists)} "
                    "that pass the other filters"})
    return report


def _only_report(spec: PlaylistSpec, tracks: Sequence[Track]) -> ConstraintReport:
    ok = sum(credits_any(t, spec.only_artists) for t in tracks)
    return ConstraintReport(name="only_artists", target=f"every track credits {' or '.join(spec.only_artists)}",
                            actual=f"{ok} of {len(tracks)}", met=ok == len(tracks) and bool(tracks),
                            note="" if tracks else "no catalog track credits them and passes the other filters")


def arc_direction(energies: Sequence[float], shape: Arc, min_delta: float = ARC_MIN_DELTA) -> tuple[bool, str]:
    """Does the energy move the way the shape says? Compares the means of the first, middle and last thirds."""
    if len(energies) < 3:
        return False, f"only {len(energies)} tracks"
    thirds = [float(np.mean(part)) for part in np.array_split(np.asarray(energies, dtype=float), 3)]
    first, mid, last = thirds
    detail = f"energy thirds {first:.2f} → {mid:.2f} → {last:.2f}"
    if shape == "rise":
        return last - first >= min_delta, detail
    if shape == "fall":
        return first - last >= min_delta, detail
    if shape == "steady":
        return max(thirds) - min(thirds) <= max(0.1, min_delta), detail
    if shape in ("peak", "rise_fall"):
        return max(mid, last) - first >= min_delta and mid >= min(first, last), detail
    smooth = np.convolve(energies, np.ones(3) / 3, mode="valid")
    turns = int((np.diff(np.sign(np.diff(smooth))) != 0).sum())
    return turns >= 2 and float(np.ptp(smooth)) >= min_delta, f"{detail}; {turns} turns"


def arc_report(arc: Arc, energies: Sequence[float]) -> ConstraintReport:
    ok, detail = arc_direction(energies, arc)
    note = "" if ok else "the tracks that fit the prompt span too little energy for this shape"
    return ConstraintReport(name="arc", target=f"{arc} ({ARC_WORDS.get(arc, arc)})", actual=detail, met=ok, note=note)
