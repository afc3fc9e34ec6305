"""The daylist from a library (a real Supysonic server, a folder): every track owned and the `owned` constraint
reported, through the function, POST /daylist, `segue daylist --library` and Home's daylist shelf for a
listener whose library names them."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from agent.daylist import daylist
from tests.library.server import USER
from tools.library.models import LibraryConfig
from tools.library.owned import playable_id

MORNING = datetime(2026, 11, 27, 7, 30)  # a Friday commute
LISTENER = "pl-cardio"


def owned_ids(state) -> set[str]:
    """What a playlist may hold from this library: catalog matches and songs known from their audio."""
    return {i for t in state.tracks if (i := playable_id(state.name, t))}


def assert_all_owned(tracks: list[str], constraints: list[dict], owned: set[str]) -> None:
    assert tracks and set(tracks) <= owned
    report = next(c for c in constraints if c["name"] == "owned")
    assert report["met"] and report["actual"] == f"{len(tracks)} of {len(tracks)} owned"


@pytest.mark.server
def test_daylist_from_a_subsonic_library(server, synced, lib_deps, lib_client):
    url, _ = server
    owned = owned_ids(synced(LibraryConfig(name="home", kind="subsonic", url=url, user=USER)))
    mine = daylist(LISTENER, MORNING, lib_deps, library="home").model_dump(mode="json")
    assert_all_owned([t["id"] for t in mine["tracks"]], mine["constraints"], owned)
    assert mine["library"] == "home" and mine["daypart"] == "commute"
    plain = daylist(LISTENER, MORNING, lib_deps)
    assert not {t.id for t in plain.tracks} <= owned  # without the library the catalog is open

    r = lib_client.post("/daylist", json={"user_id": LISTENER, "at": MORNING.isoformat(), "library": "home"})
    assert r.status_code == 200, r.text
    assert [t["id"] for t in r.json()["tracks"]] == [t["id"] for t in mine["tracks"]] and r.json()["title"] == mine["title"]
    r = lib_client.post("/daylist", json={"user_id": LISTENER, "library": "nope"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


def test_daylist_from_a_folder_library_on_the_command_line(segue, music, settings):
    from tools.library.store import LibraryStore

    code, out, err = segue("library", "add", "folder", str(music), "--name", "dayfiles", "--json")
    assert code == 0, err
    owned = owned_ids(LibraryStore(settings.library_root).state("dayfiles"))
    code, out, err = segue("daylist", LISTENER, "--at", MORNING.isoformat(), "--library", "dayfiles", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert_all_owned([t["id"] for t in result["tracks"]], result["constraints"], owned)
    code, _, err = segue("daylist", LISTENER, "--library", "nope")
    assert code == 4 and "no library named 'nope'" in err and "Traceback" not in err


def test_home_daylist_comes_from_the_listeners_library(music, synced, lib_deps, deps):
    from agent.home.page import home, prepare
    from tools.profiles import PlayEvent

    user = "lib-home"
    owned = owned_ids(synced(LibraryConfig(name="files", kind="folder", path=str(music), listener=user)))
    deps.profiles.add_events(user, [PlayEvent(track_id=i) for i in sorted(owned)[:5]])
    page = home(user, lib_deps, now=MORNING)
    shelf = next(s for s in page.shelves if s.id == "daylist")
    assert {i.id for i in shelf.items} <= owned and "from your library files" in shelf.why
    assert prepare(user, lib_deps, MORNING)[1] != prepare(user, deps, MORNING)[1]  # the library is in the ETag
    other = next(s for s in home(user, deps, now=MORNING).shelves if s.id == "daylist")
    assert not {i.id for i in other.items} <= owned  # no library named for them: the catalog daylist
