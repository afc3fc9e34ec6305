"""The playlist as `segue generate` prints it, at 80 and 120 columns: one line per track, a short header,
narration indented under itself, the explicit mark kept and explained."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from agent.cli.playlist_view import show
from agent.generate import generate
from agent.models import GenerateRequest

ROW = re.compile(r"^\s{0,4}(\d+) ")  # a wrapped why can start with a number further in


@pytest.fixture(scope="module")
def party(deps):
    return generate(GenerateRequest(prompt="hip hop party like Drake and Eminem, a long night of it with friends", count=12),
                    deps)


@pytest.fixture(scope="module")
def mellow(deps):
    return generate(GenerateRequest(prompt="rainy Sunday coffee, mellow indie, no explicit", count=10), deps)


def render(playlist, width: int) -> list[str]:
    out = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    show(playlist, out)
    return [line.rstrip() for line in out.export_text().splitlines()]


def table_lines(lines: list[str]) -> tuple[str, list[str]]:
    """The track table's header row, and its lines down to the legend or the first check."""
    start = next(n for n, line in enumerate(lines) if re.match(r"^\s+#\s+title", line))
    end = next(n for n, line in enumerate(lines) if line.startswith(("  E = ", "  ✓", "  ✗")))
    return lines[start], lines[start + 1:end]


@pytest.mark.parametrize("width", [80, 120])
def test_each_track_keeps_its_line_and_narration_hangs_under_itself(party, width):
    lines = render(party, width)
    assert all(len(line) <= width for line in lines)
    head, body = table_lines(lines)
    why_at = head.index("why")
    rows = [line for line in body if ROW.match(line)]
    assert [int(ROW.match(line).group(1)) for line in rows] == [t.position for t in party.tracks]
    for line in body:
        if ROW.match(line):
            continue
        if line.startswith("  DJ › ") or line.startswith(" " * 7) and line[7] != " ":
            continue  # the DJ's words, wrapped under their own first line
        assert width >= 100 and line[:why_at].strip() == "", line  # a wide terminal wraps only the why
    if width < 100:
        assert sum(line.startswith(" " * why_at) for line in body) == 0
        assert any(line.endswith("…") for line in rows)  # long reasons are cut, cleanly


def test_the_header_is_one_short_line(party):
    for width in (80, 120):
        first = render(party, width)[0]
        assert len(first) <= width and first.endswith(f"· {len(party.tracks)} tracks · "
                                                      f"{sum(t.duration_ms for t in party.tracks) / 60000:.0f} min")
        assert first.startswith(party.prompt[:20])
    assert "…" in render(party, 60)[0]


def test_wide_terminals_show_the_whole_why(mellow):
    lines = render(mellow, 160)
    text = " ".join(" ".join(lines).split())
    assert all(t.why in text for t in mellow.tracks)


def test_explicit_marks_survive_long_titles_and_have_a_legend(party, mellow):
    explicit = [t for t in party.tracks if t.explicit is True]
    assert explicit, "the party playlist has explicit tracks in the fixture catalog"
    long_title = explicit[0].model_copy(update={"title": "A Very Long Song Title That Cannot Fit In The Column " * 2})
    tracks = [long_title if t.position == long_title.position else t for t in party.tracks]
    lines = render(party.model_copy(update={"tracks": tracks}), 80)
    body = table_lines(lines)[1]
    row = next(line for line in body if ROW.match(line) and int(ROW.match(line).group(1)) == long_title.position)
    assert "… E " in row
    marked = [line for line in body if re.search(r"\S E ", line)]
    assert len(marked) == len(explicit)
    assert "  E = explicit" in lines
    assert all(t.explicit is not True for t in mellow.tracks)
    assert not any(line.startswith("  E = ") for line in render(mellow, 80))
