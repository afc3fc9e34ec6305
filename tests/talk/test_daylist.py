"""Daylist on the fixture catalog and the seeded listeners: the hour and weekday change the mood and energy,
the title names only genres and moods found in the chosen tracks, the same moment gives the same list,
and listeners with talk history get an episode of their topic on a commute."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import numpy as np
import pytest
from fastapi.testclient import TestClient

from agent.daylist import COMMUTE, LATE_NIGHT, NIGHT_OUT, SMALL_HOURS, daylist, daypart
from tools.moods import mood_words
from tools.normalize import fold

MORNING = datetime(2026, 11, 27, 7, 30)  # a Friday
LATE = datetime(2026, 11, 29, 23, 30)  # a Sunday


@pytest.fixture(scope="module")
def listener(deps):
    """The seeded playlist listener with the most history in the fixture catalog."""
    users = [u for u in deps.profiles.list_users() if u.user_id.startswith("pl-")]
    return max(users, key=lambda u: (u.events, u.user_id)).user_id


def test_dayparts():
    assert daypart(MORNING) is COMMUTE and daypart(LATE) is LATE_NIGHT
    assert daypart(datetime(2026, 11, 28, 21, 0)) is NIGHT_OUT and daypart(datetime(2026, 11, 28, 3, 0)) is SMALL_HOURS


def test_morning_and_late_night_differ_sensibly(deps, listener):
    morning, late = daylist(listener, MORNING, deps), daylist(listener, LATE, deps)
    assert len(morning.tracks) == len(late.tracks) == 20
    energy = lambda pl: float(np.mean([t.energy for t in pl.tracks]))  # noqa: E731
    assert energy(morning) - energy(late) >= 0.1, (energy(morning), energy(late))
    assert {t.id for t in morning.tracks} != {t.id for t in late.tracks}
    assert morning.daypart == "commute" and late.daypart == "late night"


@pytest.mark.parametrize("at", [MORNING, LATE, datetime(2026, 11, 28, 21, 0), datetime(2026, 11, 29, 9, 0)])
def test_title_names_only_what_the_tracks_have(deps, listener, at):
    pl = daylist(listener, at, deps)
    tracks = [deps.catalog.get(t.id) for t in pl.tracks]
    expected = " ".join(p for p in (pl.title_mood, at.strftime("%A").lower(), pl.daypart, pl.title_genre) if p)
    assert pl.title == expected
    if pl.title_mood:
        assert sum(pl.title_mood in mood_words(t) for t in tracks) >= len(tracks) / 4
    if pl.title_genre:
        assert sum(fold(pl.title_genre) in {fold(g) for g in t.genres} for t in tracks) >= len(tracks) / 3
    assert pl.title_mood or pl.title_genre


def test_same_moment_same_daylist(deps, listener):
    a, b = daylist(listener, MORNING, deps), daylist(listener, MORNING.replace(minute=45), deps)
    assert [t.id for t in a.tracks] == [t.id for t in b.tracks] and a.title == b.title


def test_talk_history_brings_an_episode_on_the_commute(talk_deps, listener, tmp_path):
    from tools.talk_profile import TalkEvent, TalkHistory, history_path, talk_taste

    home = tmp_path / "home"
    d = dataclasses.replace(talk_deps, settings=talk_deps.settings.model_copy(update={"home": home}))
    crime = [i for i in d.talk.items if "true crime" in i.topics and i.explicit is False][:4]
    events = [TalkEvent(item_id=i.id, liked=True) for i in crime] + [TalkEvent(item_id="unknown-episode")]
    stored, unknown = TalkHistory(history_path(home)).add(listener, events, d.talk)
    assert stored == 4 and unknown == ["unknown-episode"]
    assert talk_taste(listener, events, d.talk).top_topics(1) == ["true crime"]
    commute, late = daylist(listener, MORNING, d), daylist(listener, LATE, d)
    assert commute.tracks[0].kind == "talk" and "true crime" in d.talk.get(commute.tracks[0].id).topics
    assert sum(t.kind == "music" for t in commute.tracks) == 20
    assert all(t.kind == "music" for t in late.tracks)


def test_api_daylist(deps, listener):
    from app import create_app

    with TestClient(create_app(lambda: deps, warm=False)) as client:
        ok = client.post("/daylist", json={"user_id": listener, "at": "2026-11-27T07:30:00"})
        bad = client.post("/daylist", json={"user_id": "no spaces allowed"})
    assert ok.status_code == 200 and ok.json()["daypart"] == "commute" and len(ok.json()["tracks"]) == 20
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


def test_a_library_daylist_holds_only_owned_music(talk_deps, listener, tmp_path):
    """With a library the commute brings no episode (none is owned) and every track is owned."""
    from tests.library.music import Song, write_song
    from tools.library.models import LibraryConfig
    from tools.library.store import LibraryStore
    from tools.library.sync import sync_library
    from tools.talk_profile import TalkEvent, TalkHistory, history_path

    home = tmp_path / "home"
    store = LibraryStore(tmp_path / "libraries")
    d = dataclasses.replace(talk_deps, settings=talk_deps.settings.model_copy(update={"home": home}),
                            extra={**talk_deps.extra, "libraries": store})
    crime = [i for i in d.talk.items if "true crime" in i.topics and i.explicit is False][:4]
    TalkHistory(history_path(home)).add(listener, [TalkEvent(item_id=i.id, liked=True) for i in crime], d.talk)
    picked = daylist(listener, MORNING, d).tracks[1:13]  # music the listener's daylist would hold anyway
    (tmp_path / "music").mkdir()
    for n, t in enumerate(picked):
        write_song(tmp_path / "music", n, Song(t.title, t.artists[0], "", t.id))
    store.add(LibraryConfig(name="mine", kind="folder", path=str(tmp_path / "music")))
    state, report = sync_library("mine", store, d.catalog, d.settings)
    owned = {t.catalog_id for t in state.tracks if t.catalog_id}
    assert report.matched >= 10
    mine = daylist(listener, MORNING, d, library="mine")
    assert all(t.kind == "music" for t in mine.tracks) and {t.id for t in mine.tracks} <= owned
    assert {c.name: c.actual for c in mine.constraints}["owned"] == f"{len(mine.tracks)} of {len(mine.tracks)} owned"
