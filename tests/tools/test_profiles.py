"""Taste profiles on the real-data fixture catalog: the maths, the store (SQLite and PostgreSQL), concurrency and
the CLI."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

from agent.deps import Deps
from agent.models import FEATURES, GenerateRequest, PlaylistSpec, Track
from agent.policy import policy_for
from core.errors import InvalidInput, StoreError
from tools.profile_store import SqliteProfileStore, read_events_file
from tools.profiles import PlayEvent, TasteProfile

NOW = datetime(2025, 3, 1, 20, 0, tzinfo=UTC)


@pytest.fixture
def store(profile_store_on):
    return profile_store_on()


def by_artist(catalog, name: str, n: int = 6) -> list[Track]:
    return [t for t in catalog.tracks if t.artist.lower() == name][:n]


def plays(tracks: list[Track], when: datetime = NOW, **flags) -> list[PlayEvent]:
    return [PlayEvent(track_id=t.id, timestamp=when - timedelta(minutes=n), **flags) for n, t in enumerate(tracks)]


def test_unknown_listener_gets_an_explicit_cold_start_profile(store):
    profile = store.get_profile("nobody-yet")
    assert profile.cold_start and profile.history_size == 0 and profile.embedding_centroid is None
    assert profile.summary() == {"user_id": "nobody-yet", "cold_start": True, "history": 0}
    assert "cold start" in profile.explain()
    with pytest.raises(InvalidInput):
        store.get_profile("drop table;")


def test_profile_features_and_centroid_follow_the_history(store, catalog):
    tracks = by_artist(catalog, "metallica") + by_artist(catalog, "norah jones")
    report = store.add_events("u1", plays(tracks))
    assert report.imported == len(tracks) >= 8 and report.unknown_count == 0
    p = store.get_profile("u1")
    assert not p.cold_start and p.history_size == p.plays == p.distinct_tracks == len(tracks)
    for f in FEATURES:  # same weights (recent, no likes): plain mean and std
        values = np.array([getattr(t, f) for t in tracks])
        assert p.features[f].mean == pytest.approx(values.mean(), abs=2e-3)
        assert p.features[f].std == pytest.approx(values.std(), abs=2e-3)
    rows = [catalog.index[t.id] for t in tracks]
    expected = catalog.vectors[rows].mean(axis=0)
    got = np.array(p.embedding_centroid)
    assert got.shape == (catalog.vectors.shape[1],) and np.linalg.norm(got) == pytest.approx(1, abs=1e-3)
    assert float(got @ (expected / np.linalg.norm(expected))) > 0.9999
    assert {"Metallica", "Norah Jones"} <= set(list(p.artist_affinities)[:2])
    explicit = [t.explicit for t in tracks if t.explicit is not None]
    assert p.explicit_share == pytest.approx(explicit.count(True) / len(explicit), abs=1e-3)


def test_explicit_line_says_what_the_plays_hold_not_a_setting(store, catalog):
    clean = [t for t in catalog.tracks if t.explicit is False][:8]
    unknown = [t for t in catalog.tracks if t.explicit is None][:3]
    explicit = [t for t in catalog.tracks if t.explicit is True][:2]
    store.add_events("clean-ear", plays(clean + unknown) + plays(explicit[:1], skipped=True))
    p = store.get_profile("clean-ear")
    assert (p.plays, p.clean_plays, p.explicit_plays, p.explicit_share) == (11, 8, 0, 0.0)
    line = next(x for x in p.explain().splitlines() if x.startswith("Explicit"))
    assert line == "Explicit plays: none of 8 plays were explicit, 3 more of unknown status (no clean-only setting)."
    assert p.summary()["explicit"] == "no explicit plays of known status"
    store.set_blocked("clean-ear", [], [], explicit=True)
    assert "(clean-only setting on)." in store.get_profile("clean-ear").explain()
    store.add_events("mixed-ear", plays(clean[:6] + explicit))
    line = next(x for x in store.get_profile("mixed-ear").explain().splitlines() if x.startswith("Explicit"))
    assert line == "Explicit plays: 2 of 8 plays (25%) were explicit (no clean-only setting)."
    store.add_events("unknown-ear", plays(unknown))
    assert "Explicit plays: not known" in store.get_profile("unknown-ear").explain()


def test_likes_boost_and_skips_reduce(store, catalog):
    metal, jazz = by_artist(catalog, "metallica", 4), by_artist(catalog, "norah jones", 4)
    store.add_events("u2", plays(metal + jazz))
    before = store.get_profile("u2").artist_affinities
    assert before["Metallica"] == pytest.approx(before["Norah Jones"])
    store.add_events("u2", plays(jazz, skipped=True) + plays(metal, liked=True))
    after = store.get_profile("u2")
    assert after.artist_affinities["Metallica"] > before["Metallica"] > 0
    assert "Norah Jones" not in after.artist_affinities  # one play, one skip: cancelled out
    store.add_events("u2", plays(jazz, skipped=True))
    again = store.get_profile("u2")
    assert again.artist_affinities["Norah Jones"] < 0 and list(again.artist_affinities)[-1] == "Norah Jones"
    assert (again.likes, again.skips, again.history_size) == (4, 8, 20)


def test_recent_plays_count_more(store, catalog):
    old, new = by_artist(catalog, "metallica", 5), by_artist(catalog, "daft punk", 5)
    store.add_events("u3", plays(old, NOW - timedelta(days=90)) + plays(new, NOW))
    p = store.get_profile("u3")
    assert p.artist_affinities["Daft Punk"] == pytest.approx(8 * p.artist_affinities["Metallica"], rel=0.02)
    assert p.last_event == NOW and p.active_hours[0] == 19


def test_unknown_tracks_are_reported_not_fatal_and_names_resolve(store, catalog):
    t = next(t for t in catalog.tracks if " (feat." in t.title)
    events = [PlayEvent(track_id="nope0000000000000000000"), PlayEvent(artist="Nobody Ever", title="No Such Song"),
              PlayEvent(artist=f"  {t.artist.upper()} ", title=t.title.split(" (feat.")[0] + " - Remastered 2011")]
    report = store.add_events("u4", events)
    assert (report.received, report.imported, report.unknown_count) == (3, 1, 2)
    assert report.unknown == ["nope0000000000000000000", "Nobody Ever – No Such Song"]
    assert store.get_profile("u4").history_size == 1
    assert store.add_events("u5", events[:2]).imported == 0 and "u5" not in {u.user_id for u in store.list_users()}


def test_blocked_list_reaches_the_request_policy(store, catalog, settings):
    assert store.get_profile("kid").policy is None
    store.set_blocked("kid", ["Eminem", "eminem", " Drake "], ["metal"], explicit=True)
    p = store.get_profile("kid")
    assert p.cold_start and p.policy.blocked_artists == ["Eminem", "Drake"]
    assert p.summary()["blocked"] == {"artists": ["Eminem", "Drake"], "genres": ["metal"], "explicit": "excluded"}
    deps = Deps(settings=settings, catalog=catalog, profiles=store)
    policy = policy_for(GenerateRequest(prompt="party hits", user_id="kid"), PlaylistSpec(), p, deps)
    assert policy.explicit == "exclude" and {"Drake", "Eminem"} <= set(policy.blocked_artists)
    assert policy.blocked_genres == ["metal"]


def test_cache_sees_writes_from_another_store_on_the_same_data(profile_store_on, catalog):
    a, b = profile_store_on("shared"), profile_store_on("shared")
    tracks = by_artist(catalog, "drake", 6)
    a.add_events("x", plays(tracks[:3]))
    assert b.get_profile("x").history_size == 3
    a.add_events("x", plays(tracks[3:]))
    assert b.get_profile("x").history_size == 6 and b.get_profile("x") is b.get_profile("x")


def test_concurrent_writers_lose_nothing(store, catalog):
    ids = [catalog.tracks[i].id for i in range(0, 4000, 4)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for batch in range(10):
                events = [PlayEvent(track_id=ids[(n * 100 + batch * 10 + k) % len(ids)], liked=k % 3 == 0,
                                    timestamp=NOW - timedelta(seconds=k)) for k in range(100)]
                assert store.add_events("shared", events).imported == 100
                store.add_events(f"own-{n}", events[:1])
                if batch == 5:  # reads while the others write
                    assert store.get_profile("shared").history_size >= 600
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:1]
    assert store.get_profile("shared").history_size == 8000
    assert {u.user_id: u.events for u in store.list_users() if u.user_id.startswith("own-")} == {f"own-{n}": 10 for n in range(8)}
    assert store.integrity_check() == "ok"
    assert time.perf_counter() - started < 60


def test_corrupt_store_file_is_a_store_error(tmp_path, catalog):
    path = tmp_path / "bad.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="profile store"):
        SqliteProfileStore(path, catalog, seed_file=None)


def test_event_files_csv_and_jsonl(tmp_path, catalog):
    t = catalog.tracks[0]
    (tmp_path / "p.csv").write_text(f"track_id,artist,title,timestamp,skipped,liked\n{t.id},,,2024-05-01T10:00:00,,true\n"
                                    f",{t.artist},{t.title},1714557600,1,\n", encoding="utf-8")
    events = read_events_file(tmp_path / "p.csv")
    assert [(e.track_id, e.liked, e.skipped) for e in events] == [(t.id, True, False), (None, False, True)]
    assert events[0].timestamp == datetime(2024, 5, 1, 10, tzinfo=UTC)
    (tmp_path / "p.jsonl").write_text(json.dumps({"track_id": t.id}) + "\n\n" + json.dumps({"liked": True}) + "\n")
    with pytest.raises(InvalidInput, match="line 3"):
        read_events_file(tmp_path / "p.jsonl")


# --------------------------------------------------------------------------- seeds and CLI


@pytest.fixture
def cli_store(profile_store_on, catalog, settings, monkeypatch):
    """A seeded store (a temp SQLite file or a fresh PostgreSQL database), served to the CLI through get_deps."""
    import agent.deps
    from tools.profile_store import SEED_FILE

    store = profile_store_on("cli", seed_file=SEED_FILE)
    deps = Deps(settings=settings, catalog=catalog, profiles=store)
    monkeypatch.setattr(agent.deps, "get_deps", lambda *a, **k: deps)
    return store


def seeded_user(store, prefix: str) -> str:
    return max((u for u in store.list_users() if u.user_id.startswith(prefix)), key=lambda u: u.events).user_id


def test_seeds_load_once_and_user_events_survive(profile_store_on, catalog, cli_store):
    users = cli_store.list_users()
    assert cli_store.seeded == sum(u.events for u in users) > 1000
    assert {u.source for u in users} == {"seed-cpcd", "seed-playlist"}
    uid = seeded_user(cli_store, "pl-")
    cli_store.add_events(uid, [PlayEvent(track_id=catalog.tracks[1].id)])
    from tools.profile_store import SEED_FILE

    again = profile_store_on("cli", seed_file=SEED_FILE)
    assert again.seeded == 0
    assert {u.user_id: u.events for u in again.list_users()}[uid] == {u.user_id: u.events for u in users}[uid] + 1


def test_cli_show_seeded_and_unknown_listener(cli_store):
    from agent.cli import app

    uid = seeded_user(cli_store, "pl-")
    out = CliRunner().invoke(app, ["profile", "show", uid])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    top = next(iter(cli_store.get_profile(uid).genre_affinities))
    assert "Top genres:" in text and top in text and "energy:" in text and "BPM" in text
    assert "Explicit plays: " in text and "clean-only setting" in text and "Explicit: clean" not in text
    out = CliRunner().invoke(app, ["profile", "show", "someone-new"])
    assert out.exit_code == 0 and "cold start" in out.output
    out = CliRunner().invoke(app, ["profile", "show", seeded_user(cli_store, "cpcd-"), "--json"])
    data = json.loads(out.output)
    assert TasteProfile.model_validate(data | {"embedding_centroid": None}).history_size == data["history_size"] > 0
    assert data["embedding_centroid_dims"] == 384


def test_cli_import_block_and_list(tmp_path, cli_store, catalog):
    from agent.cli import app

    runner = CliRunner()
    t = catalog.tracks[5]
    (tmp_path / "plays.jsonl").write_text(
        "\n".join(json.dumps(e) for e in ({"track_id": t.id, "liked": True},
                                          {"artist": "Nobody Ever", "title": "No Such Song"})), encoding="utf-8")
    out = runner.invoke(app, ["profile", "import", str(tmp_path / "plays.jsonl"), "--user", "me"])
    assert out.exit_code == 0 and "imported 1 of 2" in out.output and "unknown 1" in out.output
    out = runner.invoke(app, ["profile", "block", "me", "--artist", "Drake", "--genre", "country", "--clean"])
    assert out.exit_code == 0
    out = runner.invoke(app, ["profile", "block", "me", "--artist", "Eminem"])
    policy = cli_store.get_profile("me").policy
    assert policy.blocked_artists == ["Drake", "Eminem"] and policy.explicit == "exclude"
    out = runner.invoke(app, ["profile", "list", "--source", "import", "--json"])
    assert json.loads(out.output) == [{"user_id": "me", "name": "", "source": "import", "events": 1}]
