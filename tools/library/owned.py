"""The owned set as a catalog mask: candidate search scores only what the library owns."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tools.catalog import Catalog
    from tools.content_filter import ContentPolicy


def owned_mask(policy: ContentPolicy, catalog: Catalog) -> np.ndarray:
    """True for every catalog row the policy's library owns; all True without a library."""
    if policy.owned is None:
        return np.ones(len(catalog), dtype=bool)
    return _mask(policy.owned, catalog).copy()


@lru_cache(maxsize=8)
def _mask(owned: frozenset[str], catalog: Catalog) -> np.ndarray:
    mask = np.zeros(len(catalog), dtype=bool)
    rows = [n for i in owned if (n := catalog.index.get(i)) is not None]
    mask[rows] = True
    return mask
