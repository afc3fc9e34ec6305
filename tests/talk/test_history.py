"""Play events in (agent/history.py): music to the profile store, podcast episodes to the talk history."""

from __future__ import annotations

import dataclasses

import pytest

from agent.history import record_history, split_events
from tools.profiles import PlayEvent
from tools.talk_profile import taste_for


@pytest.fixture
def home_deps(state_deps, talk, tmp_path):
    """The fixture Deps with the talk catalog and a private home (an empty SQLite talk history), on each state
    backend in turn (on PostgreSQL the talk history is the database's talk_events table)."""
    return dataclasses.replace(state_deps, talk_catalog=talk,
                               settings=state_deps.settings.model_copy(update={"home": tmp_path / "home"}))


def test_episodes_go_to_the_talk_history_and_tracks_to_the_profile(home_deps):
    d = home_deps
    crime = [i for i in d.talk.items if "true crime" in i.topics][:3]
    tracks = [t for t in d.catalog.tracks if "Norah Jones" in t.artists][:2]
    events = ([PlayEvent(track_id=i.id, liked=True) for i in crime] + [PlayEvent(track_id=t.id) for t in tracks]
              + [PlayEvent(track_id="not-anything"), PlayEvent(artist="Nobody Known", title="Nothing")])
    report = record_history("history-mixed", events, d)
    assert (report.received, report.imported, report.talk_imported, report.unknown_count) == (7, 5, 3, 2)
    assert any("not-anything" in u for u in report.unknown) and any("Nobody Known" in u for u in report.unknown)
    assert taste_for("history-mixed", d).top_topics(1) == ["true crime"]
    profile = d.profiles.get_profile("history-mixed")
    assert "Norah Jones" in profile.artist_affinities
    on_disk = (d.settings.home / "talk" / "history.sqlite").exists()
    assert on_disk == (d.settings.database_url is None)


def test_music_only_batches_never_open_the_talk_catalog(deps):
    tracks = [t for t in deps.catalog.tracks][:3]
    music, talk = split_events([PlayEvent(track_id=t.id) for t in tracks] + [PlayEvent(artist="A", title="B")], deps)
    assert len(music) == 4 and talk == [] and deps.talk_catalog is None


def test_history_api_accepts_episode_ids(talk_deps, tmp_path):
    from fastapi.testclient import TestClient

    from app import create_app

    d = dataclasses.replace(talk_deps, settings=talk_deps.settings.model_copy(update={"home": tmp_path / "home"}))
    episode = next(i for i in d.talk.items if i.topics)
    with TestClient(create_app(lambda: d, settings=d.settings, warm=False)) as client:
        body = client.post("/users/api-talk-listener/history", json={"events": [{"track_id": episode.id, "liked": True}]})
    assert body.status_code == 200, body.text
    assert body.json()["talk_imported"] == 1 and body.json()["imported"] == 1
    topics = taste_for("api-talk-listener", d).top_topics(3)
    assert topics and set(topics) <= set(episode.topics)


def test_unknown_ids_without_a_talk_store_still_import_the_music(deps, tmp_path):
    """The fixture's raw folder has no podcast files: the talk store cannot be built, the batch still lands."""
    d = dataclasses.replace(deps, settings=deps.settings.model_copy(update={"home": tmp_path / "home"}), talk_catalog=None)
    track = deps.catalog.tracks[0]
    report = record_history("history-no-talk", [PlayEvent(track_id=track.id), PlayEvent(track_id="no-such-id")], d)
    assert (report.imported, report.talk_imported, report.unknown_count) == (1, 0, 1)
