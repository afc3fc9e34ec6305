"""`segue library add|list|sync|remove|history|save|export`: your own music (a Subsonic/Navidrome server or a
folder of files) as the catalog Segue picks from, your listening history, playlists saved where you play."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from agent.cli.output import console, err, escape, print_json, progress_bar

library_app = typer.Typer(help="Your own music: Subsonic/Navidrome servers and folders as catalogs.", no_args_is_help=True)
add_app = typer.Typer(help="Add a library (then it is synced once).", no_args_is_help=True)
library_app.add_typer(add_app, name="add")

AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
NoSync = Annotated[bool, typer.Option("--no-sync", help="Only save the configuration; sync later.")]


def register(app: typer.Typer) -> None:
    app.add_typer(library_app, name="library")


def _deps(quiet: bool = False) -> Any:
    from agent.deps import get_deps

    with progress_bar(not quiet) as bar:
        return get_deps(progress=bar)


def _store(deps: Any) -> Any:
    from agent.library import libraries

    return libraries(deps)


@add_app.command("subsonic", help="A Subsonic/OpenSubsonic server (Navidrome, Gonic, Ampache, LMS, Supysonic). The "
                 "password comes from SEGUE_SUBSONIC_PASSWORD, or an API key from SEGUE_SUBSONIC_API_KEY — never "
                 "from the command line.\n\nExample: SEGUE_SUBSONIC_PASSWORD=… segue library add subsonic "
                 "http://localhost:4533 --user me --name home")
def add_subsonic(url: Annotated[str, typer.Argument(help="Server base URL, e.g. http://localhost:4533.")],
                 user: Annotated[str | None, typer.Option("--user", help="User name (not needed with an API key).")] = None,
                 name: Annotated[str, typer.Option("--name", help="Library name used by --library.")] = "home",
                 listener: Annotated[str | None, typer.Option(help="Listener id that gets the server's plays and stars.")] = None,
                 no_sync: NoSync = False, as_json: AsJson = False) -> None:
    from core.errors import InvalidInput
    from core.settings import get_settings
    from tools.library.models import LibraryConfig
    from tools.library.sync import client_for

    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"server URL {url!r} must start with http:// or https://")
    config = LibraryConfig(name=name, kind="subsonic", url=url.rstrip("/"), user=user, listener=listener)
    settings = get_settings()
    if not user and not settings.subsonic_api_key:
        raise InvalidInput("--user is needed unless SEGUE_SUBSONIC_API_KEY is set")
    with client_for(config, settings) as client:
        auth = client.ping()  # wrong credentials or an unreachable server stop here; nothing is saved
    deps = _deps(as_json)
    _store(deps).add(config.model_copy(update={"auth": auth}))
    _after_add(name, deps, no_sync, as_json)


@add_app.command("folder", help="A folder of MP3, FLAC, Ogg, Opus and M4A files (tags read with mutagen).\n\n"
                 "Example: segue library add folder ~/Music --name music")
def add_folder(path: Annotated[Path, typer.Argument(help="The music folder.")],
               name: Annotated[str, typer.Option("--name", help="Library name used by --library.")] = "music",
               no_sync: NoSync = False, as_json: AsJson = False) -> None:
    from tools.library.folder import check_folder
    from tools.library.models import LibraryConfig

    folder = check_folder(path)
    config = LibraryConfig(name=name, kind="folder", path=str(folder))
    deps = _deps(as_json)
    _store(deps).add(config)
    _after_add(name, deps, no_sync, as_json)


def _after_add(name: str, deps: Any, no_sync: bool, as_json: bool) -> None:
    if no_sync:
        if as_json:
            print_json(_store(deps).config(name).model_dump(mode="json"))
        else:
            console.print(f"[green]added[/] library {escape(name)} (run `segue library sync {escape(name)}`)")
        return
    _sync_one(name, deps, as_json)


def _sync_one(name: str, deps: Any, as_json: bool) -> None:
    from agent.library import import_plays
    from tools.library.sync import sync_library

    with progress_bar(not as_json) as bar:
        state, report = sync_library(name, _store(deps), deps.catalog, deps.settings, progress=bar)
    plays = import_plays(state, deps)
    if plays is not None:
        report = report.model_copy(update={"plays_imported": plays.imported})
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    by = ", ".join(f"{k} {v:,}" for k, v in sorted(report.by_method.items()) if k != "none") or "none"
    console.print(f"[green]synced[/] {escape(name)}: {report.tracks:,} tracks · matched {report.matched:,} "
                  f"({report.match_rate:.1%}: {by}) · estimated from audio {report.estimated:,} · "
                  f"features unknown {report.features_unknown:,} · unreadable {report.unreadable:,} · {report.seconds:.1f} s")
    if report.analysed:
        console.print(f"  [dim]analysed {report.analysed:,} files in {report.analysis_seconds:.1f} s[/]")
    if report.analysis_note:
        err.print(f"  [yellow]not analysed[/]: {escape(report.analysis_note)}")
    for p in report.undecodable[:5]:
        err.print(f"  [yellow]features unknown[/] {escape(p.path)}: {escape(p.reason)}")
    if report.reused:
        console.print(f"  [dim]{report.reused:,} files unchanged since the last scan[/]")
    if plays is not None:
        console.print(f"  plays and stars → listener {escape(plays.user_id)}: {plays.imported:,} new, "
                      f"{plays.unmatched:,} of unmatched tracks")
    for p in report.problems[:10]:
        err.print(f"  [yellow]skipped[/] {escape(p.path)}: {escape(p.reason)}")
    if report.unreadable > 10:
        err.print(f"  … and {report.unreadable - 10:,} more (use --json for the first 50)")


@library_app.command("sync", help="Read the library again and match it to the catalog (all libraries without a "
                     "name). A failed sync leaves the last one in use.\n\nExample: segue library sync home")
def sync(name: Annotated[str | None, typer.Argument(help="Library name; all when omitted.")] = None,
         as_json: AsJson = False) -> None:
    deps = _deps(as_json)
    for n in [name] if name else _store(deps).names():
        _sync_one(n, deps, as_json)


@library_app.command("list", help="Every library: kind, where, tracks, match rate, last sync.")
def list_libraries(as_json: AsJson = False) -> None:
    from datetime import datetime

    from core.settings import get_settings
    from tools.library.store import LibraryStore

    store = LibraryStore(get_settings().library_root)  # no catalog needed
    rows: list[dict[str, Any]] = []
    for n in store.names():
        config, state = store.config(n), store.state(n)
        rows.append({"name": n, "kind": config.kind, "where": config.url or config.path,
                     "tracks": state.stats.tracks if state else 0, "matched": state.stats.matched if state else 0,
                     "match_rate": round(state.stats.rate, 4) if state else 0.0,
                     "synced_at": datetime.fromtimestamp(state.synced_at).isoformat(timespec="seconds") if state else None})
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no libraries yet; add one with `segue library add subsonic URL --user U` or `segue library add folder PATH`")
        return
    from rich.table import Table

    table = Table(header_style="bold cyan")
    for col in ("name", "kind", "where", "tracks", "matched", "synced"):
        table.add_column(col)
    for r in rows:
        table.add_row(escape(r["name"]), r["kind"], escape(str(r["where"])), f"{r['tracks']:,}",
                      f"{r['matched']:,} ({r['match_rate']:.0%})", r["synced_at"] or "never")
    console.print(table)


@library_app.command("remove", help="Forget a library (its files and server are untouched).")
def remove(name: Annotated[str, typer.Argument(help="Library name.")]) -> None:
    from core.settings import get_settings
    from tools.library.store import LibraryStore

    LibraryStore(get_settings().library_root).remove(name)
    console.print(f"[green]removed[/] library {escape(name)}")


@library_app.command("history", help="Import a ListenBrainz listens export (zip, JSON or JSONL) or a Last.fm "
                     "scrobble export (getRecentTracks JSON or CSV) into a listener's taste profile. Re-importing "
                     "adds nothing twice.\n\nExample: segue library history listenbrainz_me.zip --user me")
def history(file: Annotated[Path, typer.Argument(help="The export file.")],
            user: Annotated[str, typer.Option("--user", help="Listener id to add the listens to.")],
            source: Annotated[str | None, typer.Option("--format", help="listenbrainz or lastfm (detected when omitted).")] = None,
            as_json: AsJson = False) -> None:
    from core.errors import InvalidInput, StoreError
    from tools.library.keyed_events import add_listens
    from tools.library.listens import detect_source, read_listens

    if source not in (None, "listenbrainz", "lastfm"):
        raise InvalidInput(f"--format {source!r}: use listenbrainz or lastfm")
    if not file.is_file():
        raise InvalidInput(f"no such file {str(file)!r}")
    kind = source or detect_source(file)
    listens = read_listens(file, kind)
    deps = _deps(as_json)
    if deps.profiles is None:
        raise StoreError("the profile store is not available")
    report = add_listens(deps.profiles, user, listens, kind, mbids=_store(deps).mbid_index())
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(f"[green]imported[/] {report.imported:,} new of {report.received:,} {kind} listens for {escape(user)} · "
                  f"already imported {report.already:,} · not in the catalog {report.unmatched:,}")
    for label in report.unmatched_examples[:5]:
        err.print(f"  not in catalog: {escape(label)}")


@library_app.command("save", help="Save a kept playlist to its library: a Subsonic playlist (a refined playlist "
                     "updates the one saved before) or an M3U8 in a folder library.\n\nExample: segue library save pl_0123456789abcdef")
def save(playlist_id: Annotated[str, typer.Argument(help="A playlist id (pl_…).")],
         library: Annotated[str | None, typer.Option(help="Library (default: the one the playlist was made from).")] = None,
         as_json: AsJson = False) -> None:
    from agent.library import save_and_keep
    from core.errors import StoreError

    deps = _deps(as_json)
    if deps.playlists is None:
        raise StoreError("the playlist store is not available")
    saved = save_and_keep(deps.playlists.get(playlist_id), deps, library).saved
    assert saved is not None  # save_playlist always says where the playlist went
    if as_json:
        print_json(saved.model_dump(mode="json"))
    else:
        print_saved(saved)


def print_saved(saved: Any) -> None:
    where = f"subsonic playlist {saved.id}" if saved.kind == "subsonic" else str(saved.path)
    verb = "updated" if saved.updated else "saved"
    err.print(f"[green]{verb}[/] {escape(where)} in library {escape(saved.library)} ({saved.tracks} tracks)")


@library_app.command("export", help="A library playlist as M3U8 (real file paths) or JSPF (MusicBrainz extension, "
                     "recording MBIDs where known).\n\nExample: segue library export pl_0123456789abcdef --format jspf -o mix.jspf")
def export(playlist_id: Annotated[str, typer.Argument(help="A playlist id (pl_…).")],
           fmt: Annotated[str, typer.Option("--format", help="m3u8 or jspf.")] = "jspf",
           output: Annotated[Path, typer.Option("--output", "-o", help="File to write ('-' for standard output).")] = Path("-"),
           library: Annotated[str | None, typer.Option(help="Library (default: the playlist's own).")] = None) -> None:

    from agent.cli.output import write_text
    from agent.library import export_library_playlist
    from core.errors import StoreError

    deps = _deps(True)
    if deps.playlists is None:
        raise StoreError("the playlist store is not available")
    write_text(export_library_playlist(deps.playlists.get(playlist_id), deps, fmt, library), output, fmt)


def save_into(playlist: Any, deps: Any) -> Any:
    """`segue generate --save`: the playlist with `saved` set (the Subsonic id in the JSON as saved.id)."""
    from agent.library import save_playlist

    saved = save_playlist(playlist, deps)
    print_saved(saved)
    return playlist.model_copy(update={"saved": saved})
