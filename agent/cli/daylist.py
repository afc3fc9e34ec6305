"""`segue daylist USER`: a playlist for the listener's time of day and weekday, no prompt needed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from agent.cli.output import console, escape, print_json, progress_bar


def register(app: typer.Typer) -> None:
    app.command(help='A playlist for a listener\'s time of day and weekday (times in UTC).\n\nExamples:\n\n  segue daylist pl-cardio\n\n  segue daylist pl-cardio --at "2026-11-27T07:30" --json\n\n  segue daylist me --library home')(daylist)


def parse_at(text: str | None) -> datetime:
    """ISO 8601 ('2026-11-27T07:30'); now when not given."""
    from datetime import UTC

    from core.errors import InvalidInput

    if not text:
        return datetime.now(UTC)
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"--at {text!r} is not an ISO 8601 time like 2026-11-27T07:30") from exc


def daylist(
    user: Annotated[str, typer.Argument(help="Listener id (see `segue profile list`).")],
    at: Annotated[str | None, typer.Option("--at", help="When, ISO 8601 (UTC), e.g. 2026-11-27T07:30. Default: now.")] = None,
    seed: Annotated[int | None, typer.Option(help="Override the per-day seed.")] = None,
    library: Annotated[str | None, typer.Option(help="Only tracks you own in this library (see `segue library`).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly the POST /daylist response.")] = False,
) -> None:
    from agent.cli.playlist_view import show
    from agent.daylist import daylist as run
    from agent.deps import get_deps
    from tools.profiles import check_user_id

    check_user_id(user)
    when = parse_at(at)
    with progress_bar(not as_json) as bar:
        deps = get_deps(progress=bar)
    result = run(user, when, deps, seed=seed, library=library)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    console.print(f"[bold magenta]{escape(result.title)}[/]  [dim]· {result.daypart} · {result.at:%A %H:%M} UTC[/]")
    show(result)
