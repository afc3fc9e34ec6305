"""M3U8, XSPF and JSPF files from a real playlist: parse back, locations, durations, hostile text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from agent.export import XSPF_NS, to_jspf, to_m3u8, to_xspf
from agent.generate import generate
from agent.models import GenerateRequest

NS = {"x": XSPF_NS}
# XSPF 1 (https://xspf.org/spec): the order of a track's children
TRACK_ORDER = ["location", "identifier", "title", "creator", "annotation", "info", "image", "album", "trackNum",
               "duration", "link", "meta", "extension"]
HOSTILE = 'Fish & Chips <script>alert("x")</script>\n#EXTINF:1,injected\x07'


@pytest.fixture(scope="module")
def playlist(deps):
    base = generate(GenerateRequest(prompt="late night jazz for reading", count=6), deps)
    tracks = list(base.tracks)
    tracks[1] = tracks[1].model_copy(update={"title": HOSTILE, "why": "a <b>bold</b> & odd reason"})
    tracks[2] = tracks[2].model_copy(update={"id": "th_0123abcd", "title": "Only A Hit", "artists": ["Some Band"]})
    return base.model_copy(update={"tracks": tracks})


def parse_xspf(text: str):
    try:
        from lxml import etree  # stricter parser when installed
    except ImportError:
        return ET.fromstring(text.encode("utf-8"))
    return ET.fromstring(etree.tostring(etree.fromstring(text.encode("utf-8"))))


def test_m3u8_pairs_every_track_with_its_location(playlist):
    lines = to_m3u8(playlist).splitlines()
    assert lines[0] == "#EXTM3U" and lines[1].startswith("#PLAYLIST:")
    body = lines[2:]
    assert len(body) == 2 * len(playlist.tracks)
    for t, (info, url) in zip(playlist.tracks, zip(body[::2], body[1::2], strict=True), strict=True):
        assert info.startswith(f"#EXTINF:{round(t.duration_ms / 1000)},")
        if t.id.startswith("th_"):
            assert url == "https://open.spotify.com/search/Some%20Band%20Only%20A%20Hit"
        else:
            assert url == f"https://open.spotify.com/track/{t.id}"
    assert sum(line.startswith("#EXTINF") for line in lines) == len(playlist.tracks)  # the newline could not inject


def test_xspf_is_well_formed_and_follows_the_spec(playlist):
    root = parse_xspf(to_xspf(playlist))
    assert root.tag == f"{{{XSPF_NS}}}playlist" and root.get("version") == "1"
    tracks = root.findall("x:trackList/x:track", NS)
    assert len(tracks) == len(playlist.tracks)
    for el, t in zip(tracks, playlist.tracks, strict=True):
        tags = [child.tag.split("}")[1] for child in el]
        assert tags == sorted(tags, key=TRACK_ORDER.index)
        assert el.findtext("x:location", namespaces=NS).startswith("https://open.spotify.com/")
        assert int(el.findtext("x:duration", namespaces=NS)) == t.duration_ms
        assert el.findtext("x:creator", namespaces=NS) == ", ".join(t.artists)
    hostile = tracks[1].findtext("x:title", namespaces=NS)
    assert hostile == HOSTILE.replace("\x07", "")  # markup survives as text; the control character is dropped
    assert tracks[2].find("x:identifier", NS) is None
    assert tracks[0].findtext("x:identifier", namespaces=NS) == f"spotify:track:{playlist.tracks[0].id}"
    assert root.findtext("x:annotation", namespaces=NS) == "\n\n".join(s.text for s in playlist.segments)


def test_xspf_is_pretty_printed_one_element_a_line(playlist):
    from lxml import etree

    text = to_xspf(playlist)
    lines = text.splitlines()
    assert lines[0] == '<?xml version="1.0" encoding="UTF-8"?>' and lines[1].startswith("<playlist ")
    assert lines[-1] == "</playlist>" and text.endswith("</playlist>\n")
    track_lines = [line for line in lines if line.strip() == "<track>"]
    assert len(track_lines) == len(playlist.tracks) and all(line == "    <track>" for line in track_lines)
    assert sum(line.startswith("      <location>") for line in lines) == len(playlist.tracks)
    root = etree.fromstring(text.encode("utf-8"))  # lxml's strict parser: well-formed, and the indentation adds no text
    titles = root.findall("x:trackList/x:track/x:title", NS)
    assert [t.text for t in titles] == [t.title.replace("\x07", "") for t in playlist.tracks]


def test_jspf_mirrors_xspf(playlist):
    doc = json.loads(to_jspf(playlist))["playlist"]
    assert doc["creator"] == "Segue" and len(doc["track"]) == len(playlist.tracks)
    for item, t in zip(doc["track"], playlist.tracks, strict=True):
        assert isinstance(item["location"], list) and item["location"][0].startswith("https://open.spotify.com/")
        assert item["duration"] == t.duration_ms and item["title"] == t.title
    assert doc["track"][1]["title"] == HOSTILE
    assert "identifier" not in doc["track"][2]


def test_explicit_flag_travels_as_boolean_in_jspf_and_xspf(deps):
    from agent.export import SEGUE_EXTENSION

    pl = generate(GenerateRequest(prompt="2000s hip hop party", count=20), deps)
    flags = [t.explicit for t in pl.tracks]
    assert {True, False, None} <= set(flags)
    items = json.loads(to_jspf(pl))["playlist"]["track"]
    assert [item["extension"] for item in items] == [{SEGUE_EXTENSION: [{"explicit": f}]} for f in flags]
    tracks = parse_xspf(to_xspf(pl)).findall("x:trackList/x:track", NS)
    for el, flag in zip(tracks, flags, strict=True):
        ext = el.find("x:extension", NS)
        if flag is None:  # unknown: no extension at all
            assert ext is None
        else:
            assert ext.get("application") == SEGUE_EXTENSION and [c.tag for c in ext] == [f"{{{SEGUE_EXTENSION}}}explicit"]
            assert ext.findtext(f"{{{SEGUE_EXTENSION}}}explicit") == ("true" if flag else "false")
