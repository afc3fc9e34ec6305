"""Columnar track storage: big catalogs share repeated strings and lists without changing any track; the explicit
flag is kept as text and read back as True, False or None."""

from __future__ import annotations

import copy
import json

import pytest
from pydantic import ValidationError

from core.types import Track
from tools import columns
from tools.columns import LIST_FIELDS, TrackColumns, share_repeats


def test_share_repeats_keeps_values_and_shares_identical_lists(catalog):
    text = copy.deepcopy(catalog.tracks.text)
    before = copy.deepcopy(text)
    share_repeats(text)
    assert text == before
    genres = text["genres"]
    first, second = next((i, j) for i in range(len(genres)) for j in range(i + 1, min(i + 50, len(genres)))
                         if genres[i] and genres[i] == genres[j])
    assert genres[first] is genres[second]
    assert all(isinstance(v, list) for f in LIST_FIELDS for v in text[f])


def test_loaded_tracks_are_the_same_with_sharing(catalog, monkeypatch):
    plain = TrackColumns.load(catalog.build.path)
    monkeypatch.setattr(columns, "SHARE_MIN_ROWS", 1)
    shared = TrackColumns.load(catalog.build.path)
    assert len(shared) == len(plain)
    for i in range(0, len(plain), 97):
        assert shared[i] == plain[i]
    assert shared[0].year == plain[0].year and isinstance(shared[0].tempo, float)


def test_explicit_is_stored_as_text_and_read_as_a_boolean_or_none(catalog):
    column = catalog.tracks.text["explicit"]
    assert set(column) == {"true", "false", "unknown"}
    values = [t.explicit for t in catalog.tracks]
    assert values == [{"true": True, "false": False, "unknown": None}[v] for v in column]
    assert catalog.explicit_ok.tolist() == [v is False for v in values]  # the clean mask: known clean only


@pytest.mark.parametrize("stored, value", [("true", True), ("false", False), ("unknown", None), (True, True),
                                           (False, False), (None, None)])
def test_every_model_reads_the_stored_text_forms(catalog, stored, value):
    from agent.models import PlaylistTrack
    from tools.talk_build import TalkItem

    track = catalog.tracks[0]
    assert Track.model_validate(track.model_dump() | {"explicit": stored}).explicit is value
    entry = PlaylistTrack.of_track(1, track, "").model_dump() | {"explicit": stored}
    assert PlaylistTrack.model_validate_json(json.dumps(entry)).explicit is value
    item = TalkItem(id="e1", show="A show", show_id="s1", title="An episode", source="spotify-2024", explicit=stored)
    assert TalkItem.model_validate_json(item.model_dump_json()).explicit is value


@pytest.mark.parametrize("bad", ["yes", "False", "", 1, 0, "null"])
def test_other_explicit_values_are_refused(catalog, bad):
    with pytest.raises(ValidationError):
        Track.model_validate(catalog.tracks[0].model_dump() | {"explicit": bad})
