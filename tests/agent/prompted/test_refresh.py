"""Prompted playlists on the fixture catalog: fresh refreshes, liked tracks allowed back, one version per race,
schedules and failures."""

from __future__ import annotations

import threading

import pytest

from agent.prompted import refresh as refresh_mod
from agent.prompted.models import PromptedIn, PromptedPatch
from agent.prompted.refresh import CARRY_LIMIT, refresh, refresh_due
from core.errors import StoreError, UpstreamError
from tools.profiles import PlayEvent


@pytest.fixture
def store(deps):
    return deps.prompted


def make(store, user, prompt="mellow indie pop for a rainy afternoon", **kw):
    return store.create(user, PromptedIn(prompt=prompt, count=kw.pop("count", 10), **kw))


def test_refreshes_are_fresh_and_keep_every_constraint(deps, store):
    pp = make(store, "pp-fresh", prompt="upbeat pop punk, no explicit")
    versions = [refresh(pp, deps, store)[0] for _ in range(4)]
    assert [v.version for v in versions] == [1, 2, 3, 4]
    for before, after in zip(versions, versions[1:], strict=False):
        old, new = {t.id for t in before.playlist.tracks}, {t.id for t in after.playlist.tracks}
        assert new != old  # never the same playlist twice in a row
        assert len(new & old) <= CARRY_LIMIT * len(new)
        assert after.freshness.share <= CARRY_LIMIT and after.diff is not None
        assert {d.id for d in after.diff.removed} == old - new
    for v in versions:
        report = {c.name: c for c in v.playlist.constraints}
        assert report["count"].met and report["explicit"].met and len(v.playlist.tracks) == 10
    assert [v.version for v in store.get("pp-fresh", pp.id).versions] == [4, 3, 2, 1]  # newest first


def test_liked_tracks_may_come_back_and_say_why(deps, store):
    pp = make(store, "pp-liked", prompt="late night jazz piano")
    first, _ = refresh(pp, deps, store)
    liked = [t.id for t in first.playlist.tracks[:6]]
    deps.profiles.add_events("pp-liked", [PlayEvent(track_id=i, liked=True) for i in liked])
    second, _ = refresh(pp, deps, store)
    back = [t for t in second.playlist.tracks if t.id in liked]
    others = [t for t in second.playlist.tracks if t.id in {x.id for x in first.playlist.tracks} and t.id not in liked]
    assert len(others) <= CARRY_LIMIT * len(second.playlist.tracks)
    assert all("you liked it" in t.why for t in back)
    assert second.freshness.carried_liked == len(back)


def test_two_refreshes_at_once_write_one_version(deps, store, monkeypatch):
    pp = make(store, "pp-race")
    refresh(pp, deps, store)
    barrier = threading.Barrier(2)
    real = refresh_mod.fresh_playlist

    def slow(*args, **kwargs):
        barrier.wait(timeout=30)  # both refreshes have read the next version number
        return real(*args, **kwargs)

    monkeypatch.setattr(refresh_mod, "fresh_playlist", slow)
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(refresh(pp, deps, store))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(wrote for _, wrote in results) == [False, True]
    assert {v.version for v, _ in results} == {2}
    assert [v.version for v in store.versions(pp.id)] == [2, 1]


def test_edit_starts_a_new_lineage_and_keeps_history(deps, store):
    pp = make(store, "pp-edit")
    refresh(pp, deps, store)
    edited = store.update("pp-edit", pp.id, PromptedPatch(prompt="calm acoustic folk"))
    assert edited.lineage == 2 and edited.prompt == "calm acoustic folk"
    v2, _ = refresh(edited, deps, store)
    assert v2.lineage == 2 and v2.diff is None and v2.prompt == "calm acoustic folk"
    assert [(v.version, v.lineage) for v in store.versions(pp.id)] == [(2, 2), (1, 1)]


def test_due_playlists_refresh_by_schedule(deps, store):
    daily = make(store, "pp-due", schedule="daily")
    manual = make(store, "pp-due", schedule="manual")
    now = 1_000_000_000.0
    refresh(daily, deps, store, now=now)
    refresh(manual, deps, store, now=now)
    assert (daily.user_id, daily.id) not in store.due(now + 3600)
    assert (daily.user_id, daily.id) in store.due(now + 86_401)
    assert all(pid != manual.id for _, pid in store.due(now + 10 * 86_400, limit=1000))
    done = refresh_due(deps, store, now=now + 86_401, limit=1000)
    assert done["refreshed"] >= 1 and [v.version for v in store.versions(daily.id)][0] == 2


def test_a_failed_refresh_keeps_the_previous_version(deps, store, monkeypatch):
    pp = make(store, "pp-fail", schedule="daily")
    refresh(pp, deps, store, now=2_000_000_000.0)

    def broken(*args, **kwargs):
        raise UpstreamError("the model is down")

    monkeypatch.setattr(refresh_mod, "generate", broken)
    done = refresh_due(deps, store, now=2_000_000_000.0 + 90_000, limit=1000)
    assert done["failed"] >= 1
    after = store.get("pp-fail", pp.id)
    assert [v.version for v in after.versions] == [1] and "model is down" in (after.last_error or "")
    assert after.next_refresh_at is not None and after.next_refresh_at.timestamp() > 2_000_000_000.0 + 90_000


def test_store_errors_are_store_errors(deps, store):
    with pytest.raises(StoreError):
        store.db.rows("SELECT * FROM no_such_table")


def test_the_server_refreshes_due_playlists_by_itself(deps, store, make_worker_app):
    import time as clock

    pp = make(store, "pp-worker", schedule="daily")
    refresh(pp, deps, store, now=clock.time() - 2 * 86_400)  # made two days ago: due now
    app = make_worker_app(refresh_interval_s=0.2)
    from fastapi.testclient import TestClient

    with TestClient(app):
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline and len(store.versions(pp.id)) < 2:
            clock.sleep(0.2)
    assert [v.version for v in store.versions(pp.id)] == [2, 1]
    assert app.state.refresher.rounds >= 1
    assert store.get("pp-worker", pp.id).next_refresh_at.timestamp() > clock.time() + 86_000


def test_a_first_version_that_fails_is_owed_and_retried(deps, store, monkeypatch):
    from agent.api.prompted import create

    def broken(*args, **kwargs):
        raise UpstreamError("the model is down")

    monkeypatch.setattr(refresh_mod, "generate", broken)
    pp = create("pp-first-fails", PromptedIn(prompt="sunny afternoon funk", schedule="manual"), deps)
    assert pp.versions == [] and "model is down" in (pp.last_error or "") and pp.next_refresh_at is not None
    monkeypatch.undo()
    done = refresh_due(deps, store, now=pp.next_refresh_at.timestamp() + 1, limit=1000)
    assert done["refreshed"] >= 1 and [v.version for v in store.versions(pp.id)] == [1]


def test_a_bad_statement_is_not_an_outage(deps, store):
    from tools.store_health import StoreUnavailable

    with pytest.raises(StoreError) as raised:
        store.db.rows("SELECT no_such_column FROM prompted")
    assert not isinstance(raised.value, StoreUnavailable) or store.db.dialect == "sqlite"  # sqlite3 says OperationalError
