"""`segue prompted add|list|show|edit|refresh|rm`: saved prompts that refresh with the listener's taste."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.cli.output import console, escape, print_json

prompted_app = typer.Typer(help="Prompted playlists: a saved prompt that refreshes daily or weekly from the "
                           "listener's current taste, kept as versions with a diff.", no_args_is_help=True)

User = Annotated[str, typer.Option("--user", help="Listener id, e.g. pl-cardio.")]
Pid = Annotated[str, typer.Argument(help="Prompted playlist id (pp_…), from `segue prompted list`.")]
AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def register(app: typer.Typer) -> None:
    app.add_typer(prompted_app, name="prompted")


def _deps_and_store():
    from agent.api.prompted import prompted_store
    from agent.deps import get_deps

    deps = get_deps()
    return deps, prompted_store(deps)


def _show_version(v) -> None:
    pl, fresh = v.playlist, v.freshness
    console.print(f"[bold]v{v.version}[/] {v.created_at:%Y-%m-%d %H:%M} · {len(pl.tracks)} tracks · "
                  f"{fresh.carried} carried over ({fresh.carried_liked} liked) · playlist {pl.id}")
    for t in pl.tracks:
        console.print(f"  {t.position:>2}. {escape(t.title)} — {escape(', '.join(t.artists))}  [dim]{escape(t.why)}[/]")
    if v.diff is not None:
        console.print(f"  [dim]+{len(v.diff.added)} added · -{len(v.diff.removed)} removed · {len(v.diff.kept)} kept[/]")


def _show(pp, versions: int = 1) -> None:
    due = f"next refresh {pp.next_refresh_at:%Y-%m-%d %H:%M} UTC" if pp.next_refresh_at else "refreshes on request"
    console.print(f"[bold cyan]{pp.id}[/] {escape(pp.prompt)!s} · {pp.schedule} · {due}")
    if pp.last_error:
        console.print(f"  [yellow]last refresh failed:[/] {escape(pp.last_error)}")
    for v in pp.versions[:versions]:
        _show_version(v)


@prompted_app.command("add", help='Keep a prompt and make its first version now.\n\n'
                      'Example: segue prompted add "rainy Sunday coffee, mellow indie" --user me --schedule weekly')
def add(prompt: Annotated[str, typer.Argument(help="What to play, in your own words.")], user: User,
        schedule: Annotated[str, typer.Option(help="daily, weekly or manual.")] = "daily",
        count: Annotated[int | None, typer.Option(help="Exact number of tracks.")] = None,
        minutes: Annotated[float | None, typer.Option(help="Target length in minutes.")] = None,
        as_json: AsJson = False) -> None:
    from agent.api.prompted import create
    from agent.deps import get_deps
    from agent.prompted.models import PromptedIn
    from core.validation import validated
    from tools.profiles import check_user_id

    check_user_id(user)
    body = validated(PromptedIn, prompt=prompt, schedule=schedule, count=count, minutes=minutes)
    pp = create(user, body, get_deps())
    if as_json:
        print_json(pp.model_dump(mode="json"))
    else:
        _show(pp)


@prompted_app.command("list", help="A listener's prompted playlists.\n\nExample: segue prompted list --user me")
def list_(user: User, as_json: AsJson = False) -> None:
    _, store = _deps_and_store()
    items = store.list_for(user, versions=1)
    if as_json:
        print_json([p.model_dump(mode="json") for p in items])
        return
    if not items:
        console.print(f"{escape(user)} has no prompted playlists (add one with `segue prompted add`)")
    for pp in items:
        _show(pp, versions=0)


@prompted_app.command("show", help="One prompted playlist: its latest versions.\n\nExample: segue prompted show pp_0123456789abcdef --user me")
def show(pid: Pid, user: User, versions: Annotated[int, typer.Option(help="How many versions to print.", min=1)] = 1,
         as_json: AsJson = False) -> None:
    _, store = _deps_and_store()
    pp = store.get(user, pid)
    if as_json:
        print_json(pp.model_dump(mode="json"))
    else:
        _show(pp, versions)


@prompted_app.command("edit", help="Change the prompt (starts a new lineage, keeps the history) or the schedule.\n\n"
                      'Example: segue prompted edit pp_0123456789abcdef --user me --prompt "calmer, more piano"')
def edit(pid: Pid, user: User, prompt: Annotated[str | None, typer.Option(help="The new prompt.")] = None,
         schedule: Annotated[str | None, typer.Option(help="daily, weekly or manual.")] = None,
         as_json: AsJson = False) -> None:
    from agent.prompted.models import PromptedPatch
    from core.validation import validated

    _, store = _deps_and_store()
    pp = store.update(user, pid, validated(PromptedPatch, prompt=prompt, schedule=schedule))
    if as_json:
        print_json(pp.model_dump(mode="json"))
    else:
        _show(pp, versions=0)


@prompted_app.command("refresh", help="Refresh one playlist now, or with --due every playlist whose time has come "
                      "(for cron).\n\nExample: segue prompted refresh --due")
def refresh(pid: Annotated[str | None, typer.Argument(help="Prompted playlist id (with --user).")] = None,
            user: Annotated[str | None, typer.Option("--user", help="Listener id.")] = None,
            due: Annotated[bool, typer.Option("--due", help="Refresh everything that is due.")] = False,
            limit: Annotated[int, typer.Option(help="With --due: at most this many.", min=1)] = 100,
            as_json: AsJson = False) -> None:
    from agent.prompted.refresh import refresh as run
    from agent.prompted.refresh import refresh_due
    from core.errors import InvalidInput

    deps, store = _deps_and_store()
    if due:
        done = refresh_due(deps, store, limit=limit)
        if as_json:
            print_json(done)
        else:
            console.print(
            f"refreshed {done['refreshed']} · already refreshed elsewhere {done['skipped']} · failed {done['failed']}")
        return
    if not pid or not user:
        raise InvalidInput("give a prompted playlist id and --user, or --due")
    version, _ = run(store.get(user, pid, versions=0), deps, store)
    if as_json:
        print_json(version.model_dump(mode="json"))
    else:
        _show_version(version)


@prompted_app.command("rm", help="Remove a prompted playlist and its versions.\n\nExample: segue prompted rm pp_0123456789abcdef --user me")
def rm(pid: Pid, user: User) -> None:
    _, store = _deps_and_store()
    store.delete(user, pid)
    console.print(f"removed {escape(pid)}")
