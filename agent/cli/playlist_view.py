"""A playlist in the terminal: a one-line header, the track table between the DJ's lines, the checks.

Every track keeps to one line at any width: titles and artists are cut with an ellipsis, and so is the why
below WRAP_WHY_FROM columns (wider terminals wrap it); --json has the full text. The explicit mark after a
title is never cut off, and gets a legend line when it appears."""

from __future__ import annotations

from dataclasses import dataclass

from rich.bar import Bar
from rich.console import Console
from rich.table import Table
from rich.text import Text

from agent.cli.output import console, escape, printable

WRAP_WHY_FROM = 100
ENERGY_W = 6
EXPLICIT_MARK = " E"
EXPLICIT_LEGEND = "[red]E[/] = explicit"


def show(playlist, out: Console = console) -> None:
    """Narration as its own lines between blocks of the track table, so both stay readable."""
    by_pos = {s.before_position: s for s in playlist.segments}
    out.print(header(playlist, out.width))
    layout = Layout.fit(playlist.tracks, out.width)
    table: Table | None = None
    for t in playlist.tracks:
        seg = by_pos.get(t.position)
        if seg or table is None:
            if table is not None:
                out.print(table)
            if seg:
                out.print(dj_line(seg.text))
            table = layout.table(show_header=t.position == 1)
        table.add_row(*layout.cells(t))
    if table is not None:
        out.print(table)
    if outro := by_pos.get(len(playlist.tracks) + 1):
        out.print(dj_line(outro.text))
    if layout.marks:
        out.print(f"  {EXPLICIT_LEGEND}")
    show_checks(playlist, out)


def header(playlist, width: int) -> Text:
    """The prompt, cut to leave room on the line for what the playlist holds and how long it runs."""
    talk = [t for t in playlist.tracks if t.kind == "talk"]
    music = len(playlist.tracks) - len(talk)
    parts = ([_count(music, "track")] if music or not talk else []) + ([_count(len(talk), "episode")] if talk else [])
    minutes = sum(max(0, t.duration_ms) for t in playlist.tracks) / 60000
    at_least = "at least " if any(t.duration_ms <= 0 for t in talk) else ""  # an episode of unknown length
    length = "length unknown" if at_least and minutes < 1 else f"{at_least}{minutes:.0f} min"
    facts = f"  · {' + '.join(parts)} · {length}"
    title = Text(" ".join(printable(playlist.prompt).split()), style="bold")
    title.truncate(max(12, width - len(facts)), overflow="ellipsis")
    return Text.assemble(title, (facts, "dim"))


def dj_line(text: str) -> Table:
    return hanging("[italic magenta]DJ ›[/]", f"[italic]{escape(text)}[/]")


def hanging(label: str, text: str) -> Table:
    """`label text` with the text's further lines indented under its first, not under the label."""
    grid = Table.grid(padding=(0, 0, 0, 1), expand=True, pad_edge=True)
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(f" {label}", text)
    return grid


def show_checks(playlist, out: Console) -> None:
    for c in playlist.constraints:
        note = f" — {escape(c.note)}" if c.note else ""
        out.print(hanging("[green]✓[/]" if c.met else "[yellow]✗[/]",
                          f"{c.name}: {escape(c.actual)} (asked {escape(c.target)}){note}"))
    if playlist.filtered:
        out.print(f"  [dim]{len(playlist.filtered)} candidates filtered out (see --json for reasons)[/]")
    if playlist.degraded:
        out.print(hanging("[yellow]degraded:[/]", escape(playlist.degraded_reason or "")))
    out.print(f"  [dim]playlist {playlist.id} · provider {playlist.provider}[/]")


@dataclass(frozen=True)
class Layout:
    """Column widths shared by every block of one playlist's table, so the blocks line up."""

    title_w: int
    artist_w: int
    marks: bool  # some title carries the explicit mark
    talk: bool
    wide: bool  # wide enough to wrap the why and leave two spaces between columns

    @classmethod
    def fit(cls, tracks, width: int) -> Layout:
        titles = max((len(t.title) + len(EXPLICIT_MARK) * (t.explicit is True) for t in tracks), default=5)
        artist_w = min(max(12, width // 7), max((len(_artist(t)) for t in tracks), default=6))
        return cls(title_w=max(5, min(max(18, width // 5), titles)), artist_w=max(6, artist_w),
                   marks=any(t.explicit is True for t in tracks), talk=any(t.kind == "talk" for t in tracks),
                   wide=width >= WRAP_WHY_FROM)

    def table(self, show_header: bool) -> Table:
        table = Table(show_header=show_header, header_style="bold cyan", box=None, pad_edge=False,
                      padding=(0, 2 if self.wide else 1, 0, 0), expand=True)
        table.add_column("#", justify="right", min_width=3, no_wrap=True)
        table.add_column("title", width=self.title_w, no_wrap=True)
        table.add_column("artist/show" if self.talk else "artist", width=max(self.artist_w, 11 if self.talk else 6),
                         overflow="ellipsis", no_wrap=True)
        for name, w in (("year", 4), ("bpm", 3), ("key", 3), ("energy", ENERGY_W)):
            table.add_column(name, width=w, no_wrap=True, justify="right" if name == "bpm" else "left")
        table.add_column("why", style="dim", ratio=1, min_width=10, overflow="fold" if self.wide else "ellipsis",
                         no_wrap=not self.wide)
        return table

    def title(self, t) -> Text:
        """The title cut to fit, then the explicit mark, so a long title cannot hide it."""
        explicit = t.explicit is True
        text = Text(printable(t.title))
        text.truncate(self.title_w - len(EXPLICIT_MARK) * explicit, overflow="ellipsis")
        return text.append(EXPLICIT_MARK, style="red") if explicit else text

    def cells(self, t) -> list:
        if t.kind == "talk":
            sound: list = ["", "", "", "[dim]talk[/]"]
        else:
            sound = [str(t.year or ""), "" if t.tempo is None else f"{t.tempo:.0f}", t.camelot or "",
                     Bar(1.0, 0.0, max(0.0, min(1.0, t.energy or 0.0)), width=ENERGY_W, color="green")]
        return [str(t.position), self.title(t), escape(_artist(t)), *sound, escape(t.why)]


def _artist(t) -> str:
    return (t.show or t.album or ", ".join(t.artists)) if t.kind == "talk" else ", ".join(t.artists)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
