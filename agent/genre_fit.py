"""Genre fit as a graded score: 1 for a track in an asked genre, the genre graph's weight (tools/genre_graph.py)
for one in a neighbouring genre (bossa nova → samba 0.77, MPB 0.65), 0 for unrelated genres."""

from __future__ import annotations

import numpy as np

from tools.catalog import Catalog
from tools.genre_graph import neighbours
from tools.normalize import fold

WIDEN_MIN = 0.3  # neighbours this close widen a thin genre's pool
CROSSOVER = ("hip hop", "rap", "r&b", "latin", "trap", "reggaeton", "country")  # families a genre can borrow a word from


def core_genres(term: str, catalog: Catalog) -> list[str]:
    """The catalog genres a word means on its own: 'alternative' → alternative rock, alternative metal, not
    alternative hip hop or latin alternative, whose family is another one ('90s alternative' is not GZA). A
    term that names the family keeps it ('alternative hip hop', 'latin pop')."""
    t = f" {fold(term)} "
    return [g for g in catalog.matching_genres(term)
            if not any(f" {f} " in f" {g} " and f" {f} " not in t for f in CROSSOVER)]


def core_mask(terms: list[str], catalog: Catalog) -> np.ndarray:
    """Tracks in a core genre of any term (see core_genres)."""
    mask = np.zeros(len(catalog), dtype=bool)
    for term in terms:
        for g in core_genres(term, catalog):
            mask[catalog.genre_rows(g)] = True
    return mask


def asked_genres(terms: list[str], catalog: Catalog) -> set[str]:
    return {g for t in terms for g in catalog.matching_genres(t)}


def neighbour_weights(terms: list[str], catalog: Catalog) -> dict[str, float]:
    """Neighbouring genres of the asked ones (not themselves asked), each at its strongest link."""
    asked = asked_genres(terms, catalog)
    out: dict[str, float] = {}
    for g in sorted(asked):
        for n, w in neighbours(g).items():
            if n not in asked and w > out.get(n, 0.0):
                out[n] = w
    return out


def genre_fit(terms: list[str], catalog: Catalog) -> np.ndarray:
    """Per catalog row: 1 in an asked genre, else the best neighbour weight among its genres, else 0."""
    fit = np.zeros(len(catalog), dtype=np.float32)
    for g, w in neighbour_weights(terms, catalog).items():
        rows = catalog.genre_rows(g)
        fit[rows] = np.maximum(fit[rows], w)
    fit[core_mask(terms, catalog)] = 1.0
    return fit


def widened(terms: list[str], catalog: Catalog, min_weight: float = WIDEN_MIN) -> np.ndarray:
    """Tracks of the asked genres or of their close neighbours."""
    return genre_fit(terms, catalog) >= min_weight
