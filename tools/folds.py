"""The split of the shipped playlists and CPCD conversations between what Segue learns from and what its
benchmarks measure: a stable hash of the id, so nothing learned ever saw a benchmark query or its truth."""

from __future__ import annotations

import hashlib
from typing import Literal

Fold = Literal["learn", "measure"]
LEARN_SHARE = 0.5  # half the playlists/conversations teach the sound model, the other half measure it


def learns_from(item_id: str) -> bool:
    """True for ids in the learning half; the benchmarks score only the other half."""
    digest = hashlib.sha1(f"segue-fold:{item_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < LEARN_SHARE


def in_fold(item_id: str, fold: Fold) -> bool:
    """True for ids in the given half: "learn" (what the learned models read) or "measure" (the rest)."""
    return learns_from(item_id) == (fold == "learn")
