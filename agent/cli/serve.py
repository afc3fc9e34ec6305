"""`segue serve` (the HTTP API and web page), `segue refine` (a follow-up to a kept playlist), `segue export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.cli.output import console, err, escape, print_json, progress_bar, write_export

FORMAT_HELP = "m3u8, xspf or jspf."


def register(app: typer.Typer) -> None:
    app.command(help="Run the HTTP API and the web page.\n\nExample:  segue serve --port 8000   then open http://127.0.0.1:8000/")(serve)
    app.command(help='Refine a kept playlist with a follow-up.\n\nExamples:\n\n  segue refine pl_0123456789abcdef "less upbeat"\n\n  segue refine pl_0123456789abcdef "more 90s, drop the rap" --json\n\n  segue refine pl_0123456789abcdef "calmer" --save')(refine)
    app.command(help="Write a kept playlist as a standard playlist file.\n\nExample:  segue export pl_0123456789abcdef --format xspf -o mix.xspf")(export)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 exposes it to the network).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    workers: Annotated[int, typer.Option(min=1, max=16, help="Processes (one per core; each loads the catalog, ~0.5 GB).")] = 1,
) -> None:
    import uvicorn

    err.print(f"[green]Segue[/] on http://{escape(host)}:{port}/  ·  API docs at /docs  ·  Ctrl+C to stop")
    if workers > 1:
        uvicorn.run("app:app", host=host, port=port, log_level=log_level, timeout_graceful_shutdown=30,
                    proxy_headers=False, server_header=False, workers=workers)
        return
    from app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level=log_level, timeout_graceful_shutdown=30,
                proxy_headers=False, server_header=False)


def refine(
    playlist_id: Annotated[str, typer.Argument(help="Id of a playlist made by `segue generate` or the API.")],
    instruction: Annotated[str, typer.Argument(help='What to change: "less upbeat", "more 90s", "drop the rap", "longer".')],
    seed: Annotated[int, typer.Option(help="Same seed + same input → same result.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly the POST /playlists/{id}/refine response.")] = False,
    save: Annotated[bool, typer.Option("--save", help="Save the refined playlist to its library (updates the copy "
                                       "saved before).")] = False,
) -> None:
    from agent.cli.playlist_view import hanging, show
    from agent.refine import RefineRequest
    from agent.refine import refine as run
    from core.errors import InvalidInput
    from core.validation import validated

    request = validated(RefineRequest, instruction=instruction, seed=seed, save=save)
    store, deps = _store(not as_json)
    original = store.get(playlist_id)
    if save and not original.library:
        raise InvalidInput(f"--save needs a library: playlist {playlist_id} was not made with --library")
    result = run(original, request.instruction, deps, seed=request.seed)
    store.save(result.playlist, parent_id=playlist_id)
    if save:
        from agent.cli.library import print_saved
        from agent.library import save_and_keep

        result = result.model_copy(update={"playlist": save_and_keep(result.playlist, deps)})
        print_saved(result.playlist.saved)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    show(result.playlist)
    for change in result.changes:
        console.print(hanging("[cyan]~[/]", f"{escape(change.field)}: {escape(change.before)} → {escape(change.after)}"))
    for label, colour, items in (("removed", "red", result.diff.removed), ("added", "green", result.diff.added)):
        for item in items:
            console.print(hanging(f"[{colour}]{label}[/]",
                                  f"{escape(item.title)} — {escape(', '.join(item.artists))}: [dim]{escape(item.reason)}[/]"))
    console.print(f"  [dim]kept {len(result.diff.kept)} · from {playlist_id}[/]")


def export(
    playlist_id: Annotated[str, typer.Argument(help="Id of a kept playlist.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "m3u8",
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write ('-' for standard output).")] = Path("-"),
) -> None:
    store, _ = _store(False)
    write_export(store.get(playlist_id), fmt, output)


def _store(show_progress: bool):
    from agent.deps import get_deps
    from core.errors import StoreError

    with progress_bar(show_progress) as bar:
        deps = get_deps(progress=bar)
    if deps.playlists is None:
        raise StoreError("the playlist store is not available")
    return deps.playlists, deps
