"""A mixed playlist as `segue generate` prints it: the episode under its show, marked as talk, not as a 0 BPM
song, and counted apart from the tracks in the header."""

from __future__ import annotations

import io
import re

from rich.console import Console

from agent.cli.playlist_view import show
from agent.generate import generate
from agent.models import GenerateRequest


def test_an_episode_reads_as_talk_in_the_table(talk_deps):
    pl = generate(GenerateRequest(prompt="a true-crime episode then something calm", count=8), talk_deps)
    episodes = [t for t in pl.tracks if t.kind == "talk"]
    assert len(episodes) == 1
    out = Console(width=80, file=io.StringIO(), record=True, color_system=None)
    show(pl, out)
    lines = [line.rstrip() for line in out.export_text().splitlines()]
    unknown_length = episodes[0].duration_ms <= 0
    assert re.search(r"· 8 tracks \+ 1 episode · " + ("at least " if unknown_length else "") + r"\d+ min$", lines[0])
    head = next(line for line in lines if re.match(r"^\s+#\s+title", line))
    assert "artist/show" in head
    row = next(line for line in lines if re.match(rf"^\s*{episodes[0].position} ", line))
    artist_at, energy_at = head.index("artist/show"), head.index("energy")
    assert row[artist_at:].startswith(episodes[0].show[:8])
    assert row[energy_at:].startswith("talk")
    assert row[head.index("year"):energy_at].strip() == ""  # no year, tempo or key for an episode
