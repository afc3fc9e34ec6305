"""`segue ingest`, `segue search`, `segue catalog stats|verify`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.cli.output import console, err, escape, fail, print_json, progress_bar

catalog_app = typer.Typer(help="Inspect the catalog store.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command(help="Build the catalog store from data/raw (idempotent; crash-safe).\n\nExample: segue ingest --rebuild")(ingest)
    app.command(help='Semantic search with hard filters.\n\nExample: segue search "sad acoustic breakup songs" --k 10 --filter \'{"explicit": "exclude"}\'')(search)
    app.add_typer(catalog_app, name="catalog")


def ingest(
    rebuild: Annotated[bool, typer.Option(help="Write a new build even if the sources are unchanged.")] = False,
    reembed: Annotated[bool, typer.Option(help="Recompute every vector with the embedder (about 5 min locally).")] = False,
    write_vectors: Annotated[bool, typer.Option(help="With --reembed: save the vectors as the shipped file.")] = False,
    raw: Annotated[Path | None, typer.Option(help="Raw data directory (default data/raw).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    from core.settings import get_settings
    from tools.ingest import ingest as run_ingest

    settings = get_settings()
    with progress_bar(not as_json) as bar:
        build, changed = run_ingest(settings, raw_dir=raw, rebuild=rebuild, reembed=reembed, progress=bar)
    if write_vectors and reembed:
        _write_shipped(build.path)
    info = {"build_id": build.build_id, "tracks": build.manifest["count"], "changed": changed,
            "location": str(build.path), "backend": build.manifest["backend"]}
    if as_json:
        print_json(info)
    else:
        verb = "Built" if changed else "Up to date:"
        console.print(f"[green]{verb}[/] {info['tracks']:,} tracks · build {info['build_id']} · {escape(info['location'])}")


def _write_shipped(path: Path) -> None:
    import numpy as np

    from tools.catalog import Catalog
    from tools.catalog_build import track_text
    from tools.ingest import write_shipped_vectors
    from tools.store import current_build

    build = current_build(path.parent.parent)
    assert build is not None
    cat = Catalog.load(build)
    out = write_shipped_vectors(cat.tracks, [track_text(t) for t in cat.tracks], np.asarray(cat.vectors))
    err.print(f"wrote {out}")


def parse_filters(text: str | None, model: Any = None):
    """--filter JSON → the filter model (SearchFilters, or TalkFilters for talk); one-line errors."""
    from pydantic import ValidationError

    from agent.models import SearchFilters
    from core.errors import InvalidInput

    model = model or SearchFilters
    if not text:
        return model()
    try:
        return model.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--filter is not valid JSON: {exc.msg}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "filter"
        raise InvalidInput(f"bad filter {where!r}: {first['msg']}") from exc


def search(
    text: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("--k", min=1, max=500, help="How many results.")] = 10,
    filter_json: Annotated[str | None, typer.Option("--filter", help='JSON filters, e.g. {"explicit": "exclude", "year_min": 2010, "genres": ["indie"]}; with --format talk: {"explicit", "languages", "topics", "max_duration_ms", "known_duration_only"}.')] = None,
    fmt: Annotated[str, typer.Option("--format", help="music (default), talk (podcast episodes) or any (both, by score).")] = "music",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    from agent.deps import get_deps
    from core.errors import InvalidInput

    if fmt not in ("music", "talk", "any"):
        raise InvalidInput(f"--format {fmt!r} must be music, talk or any")
    filters = parse_filters(filter_json, _talk_filters() if fmt == "talk" else None)
    if not text.strip():
        fail("search text is empty", 2)
    with progress_bar(not as_json) as bar:
        deps = get_deps(progress=bar)
    rows = search_rows(deps, text, filters, k, fmt)
    if as_json:
        print_json(rows)
        return
    console.print(result_table(text, rows, fmt))


def result_table(text: str, rows: list[dict], fmt: str):
    """Music columns for music, episode columns for talk, a shared subset for both."""
    from rich.table import Table

    columns = {"music": ("#", "score", "title", "artist", "year", "genres", "explicit", "bpm", "key"),
               "talk": ("#", "score", "title", "show", "topics", "explicit", "min", "lang"),
               "any": ("#", "score", "kind", "title", "artist / show", "genres / topics", "explicit")}[fmt]
    table = Table(title=f"Top {len(rows)} for {escape(text)!r}", header_style="bold cyan")
    for col in columns:
        table.add_column(col)
    for n, r in enumerate(rows, 1):
        talk = r["kind"] == "talk"
        cells = {"#": str(n), "score": f"{r['score']:.3f}", "kind": r["kind"], "title": escape(r["title"]),
                 "explicit": r["explicit"], "artist": escape(", ".join(r.get("artists", []))),
                 "show": escape(r.get("show", "")), "year": str(r.get("year") or ""),
                 "genres": escape(", ".join(r.get("genres", [])[:3])), "topics": escape(", ".join(r.get("topics", [])[:3])),
                 "bpm": f"{r.get('tempo', 0):.0f}", "key": r.get("camelot", ""), "lang": r.get("language", ""),
                 "min": f"{r['duration_ms'] / 60000:.0f}" if talk and r["duration_ms"] else ""}
        cells["artist / show"] = cells["show"] if talk else cells["artist"]
        cells["genres / topics"] = cells["topics"] if talk else cells["genres"]
        table.add_row(*(cells[c] for c in columns))
    return table


def _talk_filters() -> type:
    from tools.talk import TalkFilters

    return TalkFilters


def search_rows(deps, text: str, filters, k: int, fmt: str) -> list[dict]:
    """Search results as plain rows; `any` merges music and talk by score."""
    from tools.talk import TalkFilters

    rows: list[dict] = []
    if fmt in ("music", "any"):
        rows += [{"kind": "music", "score": round(c.score, 4), **c.track.model_dump(exclude={"song_key", "sources"})}
                 for c in deps.catalog.search(text, filters, k)]
    if fmt in ("talk", "any"):
        talk_filters = filters if fmt == "talk" else TalkFilters(explicit=filters.explicit)
        rows += [{"kind": "talk", "score": round(c.score, 4), **c.item.model_dump()}
                 for c in deps.talk.search(text, talk_filters, k)]
    return sorted(rows, key=lambda r: -r["score"])[:k]


@catalog_app.command("stats", help="Counts of music tracks and talk episodes, explicit status, genres, years, store location.\n\nExample: segue catalog stats --json")
def stats(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    from agent.deps import get_deps

    with progress_bar(not as_json) as bar:
        deps = get_deps(progress=bar)
    s = asdict(deps.catalog.stats())
    talk = talk_stats(deps)
    if as_json:
        print_json(s | {"music_tracks": s["tracks"], "talk": talk})
        return
    from rich.table import Table

    table = Table(title="Segue catalog", show_header=False)
    table.add_row("music tracks", f"{s['tracks']:,}")
    table.add_row("explicit", " · ".join(f"{k} {v:,}" for k, v in s["explicit"].items()))
    table.add_row("genres", f"{s['genres']:,}")
    table.add_row("years", f"{s['year_min']}–{s['year_max']}")
    if "error" in talk:
        table.add_row("talk", escape(talk["error"]))
    else:
        table.add_row("talk episodes", f"{talk['items']:,} from {talk['shows']:,} shows")
        table.add_row("talk explicit", " · ".join(f"{k} {v:,}" for k, v in talk["explicit"].items()))
        table.add_row("talk known length", f"{talk['known_duration']:,}")
        table.add_row("talk topics", escape(", ".join(f"{t} {n:,}" for t, n in list(talk["topics"].items())[:8])))
    table.add_row("build", s["build_id"])
    table.add_row("backend", s["backend"])
    table.add_row("embedder", s["embedder"])
    table.add_row("search", escape(s["search"]))
    table.add_row("location", escape(s["location"]))
    console.print(table)


def talk_stats(deps) -> dict:
    """The talk catalog's figures, or why it is unavailable."""
    from core.errors import StoreError

    try:
        return asdict(deps.talk.stats())
    except StoreError as exc:
        return {"error": str(exc)}


@catalog_app.command("verify", help="Check the store's checksums.")
def verify() -> None:
    from core.errors import StoreError
    from core.settings import get_settings
    from tools.store import current_build
    from tools.store import verify as verify_build

    build = current_build(get_settings().store_root)
    if build is None:
        raise StoreError("no catalog built yet; run `segue ingest`")
    verify_build(build)
    console.print(f"[green]ok[/] build {build.build_id}")
