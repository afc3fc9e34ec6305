"""`segue profile show|import|list|block`: listeners' taste profiles and their blocked lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.cli.output import console, err, escape, print_json

profile_app = typer.Typer(help="Listeners' taste profiles: show, import history, block artists/genres.", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def register(app: typer.Typer) -> None:
    app.add_typer(profile_app, name="profile")


def _store():
    from agent.deps import get_deps
    from core.errors import StoreError

    deps = get_deps()
    if deps.profiles is None:
        raise StoreError("no profile store is configured")
    return deps.profiles


@profile_app.command("show", help="A listener's top genres and artists and their sound in words; "
                     "an unknown listener gets the cold-start profile.\n\nExample: segue profile show pl-cardio")
def show(user: Annotated[str, typer.Argument(help="Listener id, e.g. pl-cardio or cpcd-00079c9c8dd7b55a.")],
         as_json: AsJson = False) -> None:
    from agent.deps import get_deps
    from tools.talk_profile import taste_for

    profile = _store().get_profile(user)
    talk = taste_for(user, get_deps())
    if as_json:
        print_json(profile.model_dump(mode="json", exclude={"embedding_centroid"})
                   | {"embedding_centroid_dims": len(profile.embedding_centroid or []), "talk": talk.model_dump(mode="json")})
        return
    lines = profile.explain().splitlines()
    console.print(f"[bold]{escape(lines[0])}[/]")
    for line in lines[1:]:
        console.print(escape(line))
    if talk.episodes:
        topics = ", ".join(talk.top_topics(3)) or "none liked yet"
        console.print(escape(f"Talk: {topics} (from {talk.episodes:,} podcast episodes played)"))


@profile_app.command("import", help="Add play events from a JSONL or CSV file (fields: track_id or artist+title, "
                     "timestamp, skipped, liked). A track_id may be a podcast episode id (see `segue search --format talk`).\n\nExample: segue profile import plays.csv --user me")
def import_events(file: Annotated[Path, typer.Argument(help="JSONL or CSV file of play events (.gz allowed).")],
                  user: Annotated[str, typer.Option("--user", help="Listener id to add the events to.")],
                  as_json: AsJson = False) -> None:
    from agent.deps import get_deps
    from agent.history import record_history
    from tools.profile_store import read_events_file
    from tools.profiles import check_user_id

    check_user_id(user)
    report = record_history(user, read_events_file(file), get_deps())
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    talk = f" ({report.talk_imported:,} podcast episodes)" if report.talk_imported else ""
    console.print(f"[green]imported[/] {report.imported:,} of {report.received:,} events{talk} for {escape(user)} · "
                  f"unknown {report.unknown_count:,}")
    for label in report.unknown[:10]:
        err.print(f"  not in catalog: {escape(label)}")
    if report.unknown_count > 10:
        err.print(f"  … and {report.unknown_count - 10:,} more (use --json for the first 50)")


@profile_app.command("list", help="Every listener in the store with their event count.\n\nExample: segue profile list --source seed-playlist")
def list_users(source: Annotated[str | None, typer.Option(help="Only this source: seed-cpcd, seed-playlist or import.")] = None,
               as_json: AsJson = False) -> None:
    users = [u for u in _store().list_users() if source is None or u.source == source]
    if as_json:
        print_json([u.model_dump() for u in users])
        return
    from rich.table import Table

    table = Table(title=f"{len(users):,} listeners", header_style="bold cyan")
    for col in ("user", "events", "source", "name"):
        table.add_column(col)
    for u in users:
        table.add_row(escape(u.user_id), str(u.events), u.source, escape(u.name[:60]))
    console.print(table)


@profile_app.command("block", help="Block artists or genres for a listener, or make them clean-only "
                     "(adds to what is blocked; --reset starts over).\n\nExample: segue profile block me --artist Drake --genre country --clean")
def block(user: Annotated[str, typer.Argument(help="Listener id.")],
          artist: Annotated[list[str] | None, typer.Option("--artist", help="Artist never to play (repeatable).")] = None,
          genre: Annotated[list[str] | None, typer.Option("--genre", help="Genre never to play (repeatable).")] = None,
          clean: Annotated[bool | None, typer.Option("--clean/--allow-explicit", help="Exclude explicit (and unknown) tracks, or allow them again.")] = None,
          reset: Annotated[bool, typer.Option(help="Clear what was blocked before.")] = False,
          as_json: AsJson = False) -> None:
    store = _store()
    current = None if reset else store.get_profile(user).policy
    artists = ([] if current is None else current.blocked_artists) + (artist or [])
    genres = ([] if current is None else current.blocked_genres) + (genre or [])
    explicit = clean if clean is not None else bool(current and current.explicit == "exclude")
    policy = store.set_blocked(user, artists, genres, explicit)
    if as_json:
        print_json(policy.model_dump())
        return
    console.print(f"[green]saved[/] {escape(user)}: artists {escape(', '.join(policy.blocked_artists) or '—')} · "
                  f"genres {escape(', '.join(policy.blocked_genres) or '—')} · explicit {policy.explicit}")
