"""The deterministic offline planner: free text → PlaylistSpec, no network."""

from __future__ import annotations

import re

from agent.models import PlaylistSpec
from tools.catalog import Catalog


def parse_prompt(prompt: str, catalog: Catalog) -> PlaylistSpec:
    text = prompt.lower()
    fields: dict = {}
    if m := re.search(r"(\d+)\s*(songs|tracks)", text):
        fields["count"] = max(1, min(100, int(m.group(1))))
    elif m := re.search(r"(\d+)\s*(min|minutes)", text):
        fields["minutes"] = max(1, min(600, int(m.group(1))))
    if re.search(r"no explicit|clean|kid", text):
        fields["explicit"] = "exclude"
    genres = [g for g in catalog.genres[:400] if re.search(rf"\b{re.escape(g)}\b", text)]
    fields["genres"] = genres[:5]
    fields["query"] = prompt
    return PlaylistSpec(**fields)
