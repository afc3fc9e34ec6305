"""ListenBrainz and Last.fm exports in their real file shapes into the taste profile: resolved by MBID or by
name, unmatched listens counted, re-imports adding nothing."""

from __future__ import annotations

import json
import zipfile

from tools.library.keyed_events import add_listens
from tools.library.listens import detect_source, read_listens


def lb_listen(at: int, artist: str, title: str, mbid: str | None = None) -> dict:
    meta = {"artist_name": artist, "track_name": title, "release_name": "",
            "additional_info": {"media_player": "Supysonic", "submission_client": "test"}}
    if mbid:
        meta["mbid_mapping"] = {"recording_mbid": mbid, "artist_mbids": [], "recording_name": title}
    return {"listened_at": at, "recording_msid": f"msid-{at}", "track_metadata": meta, "inserted_at": at + 3}


def test_listenbrainz_zip_export_is_idempotent(deps, tmp_path, songs):
    named = [s for s in songs if s.catalog_id and not s.via_mbid][:3]
    rows = [lb_listen(1_700_000_000 + n, s.artist, s.title) for n, s in enumerate(named)]
    rows.append(lb_listen(1_700_000_100, "No Such Artist", "No Such Song"))
    export = tmp_path / "listenbrainz_me_1700000000.zip"
    with zipfile.ZipFile(export, "w") as z:
        z.writestr("user.json", json.dumps({"user_id": 1, "username": "me"}))
        z.writestr("feedback.jsonl", "")
        z.writestr("listens/2023/11.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    assert detect_source(export) == "listenbrainz"
    listens = read_listens(export, "listenbrainz")
    first = add_listens(deps.profiles, "lb-listener", listens, "listenbrainz")
    assert (first.received, first.imported, first.unmatched) == (4, 3, 1)
    again = add_listens(deps.profiles, "lb-listener", read_listens(export, "listenbrainz"), "listenbrainz")
    assert (again.imported, again.already) == (0, 3)
    assert {u.user_id: u.events for u in deps.profiles.list_users()}["lb-listener"] == 3  # no double counting


def test_listenbrainz_mbid_resolves_through_a_library(deps, tmp_path, songs):
    song = next(s for s in songs if s.mbid and not s.via_mbid)
    path = tmp_path / "listens.jsonl"
    path.write_text(json.dumps(lb_listen(1_700_000_500, "Someone", "Unknown title", song.mbid)) + "\n")
    report = add_listens(deps.profiles, "lb-mbid", read_listens(path, "listenbrainz"), "listenbrainz",
                         mbids={song.mbid: song.catalog_id})
    assert report.imported == 1 and report.unmatched == 0


def test_lastfm_json_pages_and_csv(deps, tmp_path, songs):
    named = [s for s in songs if s.catalog_id and not s.via_mbid][3:6]
    pages = [{"recenttracks": {"track": [
        {"artist": {"mbid": "", "#text": s.artist}, "name": s.title, "album": {"#text": ""}, "mbid": "",
         "date": {"uts": str(1_600_000_000 + n), "#text": "13 Sep 2020, 12:26"}} for n, s in enumerate(named)]
        + [{"artist": {"#text": named[0].artist}, "name": named[0].title, "@attr": {"nowplaying": "true"}}],
        "@attr": {"user": "me", "page": "1", "totalPages": "1"}}}]
    as_json = tmp_path / "scrobbles.json"
    as_json.write_text(json.dumps(pages))
    report = add_listens(deps.profiles, "lfm-listener", read_listens(as_json, "lastfm"), "lastfm")
    assert (report.received, report.imported) == (3, 3)  # now-playing is not a scrobble
    as_csv = tmp_path / "lastfm.csv"
    as_csv.write_text("".join(f'"{s.artist}","","{s.title}","13 Sep 2020 12:{n:02d}"\n' for n, s in enumerate(named)))
    assert detect_source(as_csv) == "lastfm"
    csv_report = add_listens(deps.profiles, "lfm-listener", read_listens(as_csv, "lastfm"), "lastfm")
    assert csv_report.imported == 3
    assert add_listens(deps.profiles, "lfm-listener", read_listens(as_csv, "lastfm"), "lastfm").imported == 0


def test_a_broken_export_is_one_clear_error(tmp_path):
    import pytest

    from core.errors import InvalidInput

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"listened_at": 1}\n{not json\n')
    with pytest.raises(InvalidInput, match="line 2: not JSON"):
        read_listens(bad, "listenbrainz")
    with pytest.raises(InvalidInput, match="expected artist,album,title,date"):
        (tmp_path / "x.csv").write_text("a,b\n")
        read_listens(tmp_path / "x.csv", "lastfm")
