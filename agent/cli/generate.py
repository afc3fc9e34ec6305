"""`segue generate`: a playlist from a prompt, as a readable table or the exact API JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.cli.output import console, escape, print_json, progress_bar


def register(app: typer.Typer) -> None:
    app.command(help='Make a playlist from a prompt.\n\nExamples:\n\n  segue generate "upbeat pop punk for a run, no explicit, 15 songs"\n\n  segue generate "late night jazz" --minutes 45 --json\n\n  segue generate "90s hip hop party" --export xspf -o party.xspf')(generate)


def _track_table(show_header: bool, title_w: int, artist_w: int):
    from rich.table import Table

    table = Table(show_header=show_header, header_style="bold cyan", box=None, pad_edge=False, padding=(0, 1), expand=True)
    table.add_column("#", justify="right", min_width=3)
    table.add_column("title", min_width=title_w, max_width=title_w, overflow="ellipsis", no_wrap=True)
    table.add_column("artist", min_width=artist_w, max_width=artist_w, overflow="ellipsis", no_wrap=True)
    table.add_column("year", min_width=4)
    table.add_column("bpm", justify="right", min_width=3)
    table.add_column("key", min_width=3)
    table.add_column("energy", min_width=8)
    table.add_column("why", style="dim", ratio=1, overflow="fold")
    return table


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
                                  prompt_version=prompt_version, seed=seed, library=library)
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


def show(playlist) -> None:
    """Narration as its own lines between blocks of the track table, so both stay readable."""
    from rich.table import Table

    by_pos = {s.before_position: s for s in playlist.segments}
    total_min = sum(t.duration_ms for t in playlist.tracks) / 60000
    console.print(f"[bold]{escape(playlist.prompt)}[/]  [dim]· {len(playlist.tracks)} tracks · {total_min:.0f} min[/]")
    table: Table | None = None
    title_w = min(max(16, console.width // 4), max((len(t.title) + 2 for t in playlist.tracks), default=10))
    artist_w = min(max(12, console.width // 6), max((len(", ".join(t.artists)) for t in playlist.tracks), default=10))
    for t in playlist.tracks:
        seg = by_pos.get(t.position)
        if seg or table is None:
            if table is not None:
                console.print(table)
            if seg:
                console.print(f"  [italic magenta]DJ ›[/] [italic]{escape(seg.text)}[/]")
            table = _track_table(t.position == 1, title_w, artist_w)
        bar = "█" * round(t.energy * 8)
        mark = " [red]E[/]" if t.explicit == "true" else ""
        table.add_row(str(t.position), escape(t.title) + mark, escape(", ".join(t.artists)), str(t.year or ""),
                      f"{t.tempo:.0f}", t.camelot, f"[green]{bar:<8}[/]", escape(t.why))
    if table is not None:
        console.print(table)
    outro = by_pos.get(len(playlist.tracks) + 1)
    if outro:
        console.print(f"  [italic magenta]DJ ›[/] [italic]{escape(outro.text)}[/]")
    for c in playlist.constraints:
        mark = "[green]✓[/]" if c.met else "[yellow]✗[/]"
        note = f" — {escape(c.note)}" if c.note else ""
        console.print(f"  {mark} {c.name}: {escape(c.actual)} (asked {escape(c.target)}){note}")
    if playlist.filtered:
        console.print(f"  [dim]{len(playlist.filtered)} candidates filtered out (see --json for reasons)[/]")
    if playlist.degraded:
        console.print(f"  [yellow]degraded:[/] {escape(playlist.degraded_reason or '')}")
    console.print(f"  [dim]playlist {playlist.id} · provider {playlist.provider}[/]")
