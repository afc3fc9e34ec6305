"""`segue generate`: a playlist from a prompt, as a readable table or the exact API JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.cli.output import print_json, progress_bar
from agent.cli.playlist_view import show


def register(app: typer.Typer) -> None:
    app.command(help='Make a playlist from a prompt.\n\nExamples:\n\n  segue generate "upbeat pop punk for a run, no explicit, 15 songs"\n\n  segue generate "late night jazz" --minutes 45 --json\n\n  segue generate "90s hip hop party" --export xspf -o party.xspf')(generate)


def generate(
    prompt: Annotated[str, typer.Argument(help="What you want to hear, in your own words.")],
    count: Annotated[int | None, typer.Option(min=1, max=100, help="Exact number of tracks.")] = None,
    minutes: Annotated[float | None, typer.Option(min=1, max=600, help="Total length in minutes (±3%).")] = None,
    user: Annotated[str | None, typer.Option(help="Listener id for personalisation (see `segue profile`).")] = None,
    clean: Annotated[bool, typer.Option("--clean", help="No explicit tracks (unknown status counts as explicit).")] = False,
    provider: Annotated[str | None, typer.Option(help="offline (default without a key) or openai.")] = None,
    prompt_version: Annotated[str | None, typer.Option(help="Prompt version under prompts/.")] = None,
    seed: Annotated[int, typer.Option(help="Same seed + same input → same playlist.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly the POST /generate response.")] = False,
    export: Annotated[str | None, typer.Option("--export", help="Also write a playlist file: m3u8, xspf or jspf.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File for --export ('-' for standard output).")] = None,
    library: Annotated[str | None, typer.Option(help="Only tracks you own in this library (see `segue library`).")] = None,
    save: Annotated[bool, typer.Option("--save", help="Save the playlist to the library (Subsonic playlist or M3U8).")] = False,
) -> None:
    from pydantic import ValidationError

    from agent.deps import get_deps
    from agent.generate import generate as run
    from agent.models import GenerateRequest
    from core.errors import InvalidInput

    try:
        request = GenerateRequest(prompt=prompt, count=count, minutes=minutes, user_id=user,
                                  allow_explicit=False if clean else None, provider=provider,
                                  prompt_version=prompt_version, seed=seed, library=library, save=save)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"{'.'.join(map(str, first['loc'])) or 'input'}: {first['msg']}") from exc
    if export and (output is None or export not in ("m3u8", "xspf", "jspf")):
        raise InvalidInput(f"--export {export!r} needs a format (m3u8, xspf, jspf) and -o FILE (or -o -)")
    with progress_bar(not as_json) as bar:
        deps = get_deps(progress=bar)
    playlist = run(request, deps)
    if save:
        from agent.cli.library import save_into

        playlist = save_into(playlist, deps)
    if deps.playlists is not None:
        deps.playlists.save(playlist)  # kept for `segue refine` and `segue export`
    if export and output is not None:
        from agent.cli.output import write_export

        write_export(playlist, export, output)
        if str(output) == "-":
            return
    if as_json:
        print_json(playlist.model_dump(mode="json"))
    else:
        show(playlist)
