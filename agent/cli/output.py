"""Shared CLI output helpers: consoles, one-line errors, progress bars, JSON."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(' '.join(message.split()))}", soft_wrap=True)
    raise SystemExit(code)


def escape(text: str) -> str:
    """Text safe for the terminal: rich markup escaped, control characters (ANSI escapes) dropped."""
    from rich.markup import escape as rich_escape

    return rich_escape(printable(text))


def printable(text: str) -> str:
    """The text without control characters (ANSI escapes among them); newlines and tabs stay."""
    return "".join(ch for ch in str(text) if ch.isprintable() or ch in "\n\t")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@contextmanager
def progress_bar(enabled: bool = True):
    """A rich progress bar fed by (stage, done, total) callbacks; silent when disabled."""
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    labels = {"read": "Reading sources", "embed": "Embedding tracks", "store": "Writing store",
              "analyse": "Analysing audio"}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                  console=err, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def write_export(playlist, fmt: str, output: Path) -> None:
    """Write one playlist file; `-` prints it."""
    from agent.export import FORMATS
    from agent.export import export as render
    from core.errors import InvalidInput

    if fmt not in FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    write_text(render(playlist, fmt), output, f"{fmt}, {len(playlist.tracks)} tracks")  # type: ignore[arg-type]


def write_text(text: str, output: Path, what: str) -> None:
    """Write a file's text, or print it for `-`; a path that cannot be written is an InvalidInput."""
    from core.errors import InvalidInput

    if str(output) == "-":
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {str(output)!r}: {exc.strerror}") from exc
    err.print(f"[green]wrote[/] {escape(str(output))} ({what})")
