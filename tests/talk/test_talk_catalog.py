"""The talk catalog: built from the real podcast files (a cut), with show-level explicit flags, known-only
durations, stripped HTML and capped shows; exact filtered search; the CLI's separate counts and --format."""

from __future__ import annotations

import csv
import gzip
from collections import Counter

import numpy as np

from tools.talk import TalkFilters, current_talk_build, ingest_talk, talk_root
from tools.talk_build import MAX_PER_SHOW, build_talk, language_code, plain, topics_for


def test_build_keeps_the_sources_facts(talk_settings):
    items = build_talk(talk_settings.raw_data_dir)
    raw = talk_settings.raw_data_dir
    flags = {r["Podcast_ID"]: r["Explicit"] for r in csv.DictReader(gzip.open(raw / "podcast_shows_spotify_explicit_2024.csv.gz", "rt"))}
    assert len({i.id for i in items}) == len(items)
    for i in items:
        expected = {"True": True, "False": False}.get(flags.get(i.show_id, ""))
        assert i.explicit is expected, i
        assert (i.duration_ms is not None) <= (i.source == "listennotes-2017")
        assert "<" not in i.description or ">" not in i.description
    assert max(Counter(i.show_id for i in items).values()) <= MAX_PER_SHOW
    assert {i.source for i in items} == {"spotify-2024", "spotify-top-2024", "listennotes-2017"}
    assert all(i.id.startswith("ln_") for i in items if i.source == "listennotes-2017")


def test_text_helpers():
    assert plain("<p>Hello&nbsp;<b>world</b></p>") == "Hello world"
    assert plain("word " * 200, limit=20).endswith("…") and len(plain("word " * 200, limit=20)) <= 21
    assert language_code("['en-US']") == "en" and language_code("German") == "de" and language_code("") == ""
    assert topics_for(["news & politics", "Comedy", "unheard-of label"]) == ["news", "politics", "comedy"]


def test_ingest_is_idempotent(talk_settings, talk):
    path, changed = ingest_talk(talk_settings)
    assert not changed and path == current_talk_build(talk_root(talk_settings))
    assert len(talk) == len(build_talk(talk_settings.raw_data_dir))


def test_a_build_with_text_flags_loads_the_same(talk_settings, talk, tmp_path):
    """Talk builds written while the flag was text ("true", "false", "unknown") open unchanged."""
    import json
    import shutil

    from tools.talk import load_talk

    old = tmp_path / "old"
    shutil.copytree(current_talk_build(talk_root(talk_settings)), old)
    rows = [json.loads(line) for line in (old / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    text = {True: "true", False: "false", None: "unknown"}
    (old / "items.jsonl").write_text("".join(json.dumps(r | {"explicit": text[r["explicit"]]}) + "\n" for r in rows),
                                     encoding="utf-8")
    reloaded = load_talk(old)
    assert reloaded.items == talk.items and reloaded.explicit_ok.tolist() == talk.explicit_ok.tolist()


def test_filters_are_exact(talk):
    clean = talk.mask(TalkFilters(explicit="exclude"))
    assert clean.any() and all(talk.items[i].explicit is False for i in np.flatnonzero(clean))
    short = talk.mask(TalkFilters(max_duration_ms=20 * 60000))
    assert short.any() and all(talk.items[i].duration_ms and talk.items[i].duration_ms <= 20 * 60000
                               for i in np.flatnonzero(short))
    german = talk.mask(TalkFilters(languages=["de"]))
    assert german.any() and all(talk.items[i].language == "de" for i in np.flatnonzero(german))
    known = int(talk.mask(TalkFilters(known_duration_only=True)).sum())
    assert known == sum(i.duration_ms is not None for i in talk.items) < len(talk)


def test_search_true_crime_finds_true_crime(talk):
    hits = talk.search("true crime", TalkFilters(), k=10)
    assert len(hits) == 10
    assert sum("true crime" in h.item.topics for h in hits) >= 7
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_cli_search_talk_and_stats(cli, catalog, talk):
    import json

    out = cli("search", "--format", "talk", "true crime", "--json", "--k", "5")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 5 and all(r["kind"] == "talk" and talk.get(r["id"]) for r in rows)
    assert any("true crime" in r["topics"] for r in rows)
    stats = json.loads(cli("catalog", "stats", "--json").stdout)
    assert stats["music_tracks"] == len(catalog) and stats["talk"]["items"] == len(talk)
    assert sum(stats["talk"]["explicit"].values()) == len(talk)
