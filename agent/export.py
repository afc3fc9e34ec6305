"""Standard playlist files from a Playlist: M3U8 (extended M3U), XSPF 1 (XML) and JSPF (XSPF as JSON).

XSPF and JSPF tracks carry the explicit flag in a Segue extension (application `urn:segue:track`): in JSPF
`{"explicit": true | false | null}`, in XSPF an `<explicit>` element holding `true` or `false` (no extension
when the status is unknown). M3U8 has no place for it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote

from agent.models import Playlist, PlaylistTrack

ExportFormat = Literal["m3u8", "xspf", "jspf"]
FORMATS: tuple[ExportFormat, ...] = ("m3u8", "xspf", "jspf")
MEDIA_TYPES: dict[ExportFormat, str] = {
    "m3u8": "application/vnd.apple.mpegurl",
    "xspf": "application/xspf+xml",
    "jspf": "application/jspf+json",
}
XSPF_NS = "http://xspf.org/ns/0/"
SEGUE_EXTENSION = "urn:segue:track"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def track_location(track: PlaylistTrack) -> str:
    """The Spotify web URL of a track; a Spotify search URL for songs known only by title."""
    if track.id.startswith("th_"):
        return "https://open.spotify.com/search/" + quote(f"{track.artists[0] if track.artists else ''} {track.title}".strip())
    return f"https://open.spotify.com/track/{quote(track.id)}"


def track_identifier(track: PlaylistTrack) -> str | None:
    return None if track.id.startswith("th_") else f"spotify:track:{track.id}"


def playlist_title(playlist: Playlist) -> str:
    title = _one_line(playlist.prompt)
    return title if len(title) <= 120 else title[:119] + "…"


def to_m3u8(playlist: Playlist) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{playlist_title(playlist)}"]
    for t in playlist.tracks:
        seconds = round(t.duration_ms / 1000)
        lines.append(f"#EXTINF:{seconds},{_one_line(', '.join(t.artists))} - {_one_line(t.title)}")
        lines.append(track_location(t))
    return "\n".join(lines) + "\n"


def to_xspf(playlist: Playlist) -> str:
    ET.register_namespace("", XSPF_NS)
    ET.register_namespace("segue", SEGUE_EXTENSION)
    root = ET.Element(f"{{{XSPF_NS}}}playlist", {"version": "1"})
    _sub(root, "title", playlist_title(playlist))
    _sub(root, "creator", "Segue")
    _sub(root, "annotation", _narration(playlist))
    _sub(root, "date", _now())
    _sub(root, "identifier", f"urn:segue:playlist:{playlist.id}")
    track_list = ET.SubElement(root, f"{{{XSPF_NS}}}trackList")
    for t in playlist.tracks:  # child order as in the XSPF 1 specification
        el = ET.SubElement(track_list, f"{{{XSPF_NS}}}track")
        _sub(el, "location", track_location(t))
        if ident := track_identifier(t):
            _sub(el, "identifier", ident)
        _sub(el, "title", t.title)
        _sub(el, "creator", ", ".join(t.artists))
        _sub(el, "annotation", t.why)
        _sub(el, "album", t.album)
        _sub(el, "trackNum", str(t.position))
        _sub(el, "duration", str(max(0, t.duration_ms)))
        _xspf_extension(el, t)
    ET.indent(root)  # one element per line, two spaces a level; text inside elements is untouched
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def to_jspf(playlist: Playlist) -> str:
    tracks = []
    for t in playlist.tracks:
        item: dict = {"location": [track_location(t)], "title": t.title, "creator": ", ".join(t.artists)}
        if ident := track_identifier(t):
            item["identifier"] = [ident]
        if t.album:
            item["album"] = t.album
        item |= {"annotation": t.why, "trackNum": t.position, "duration": max(0, t.duration_ms),
                 "extension": {SEGUE_EXTENSION: [{"explicit": t.explicit}]}}
        tracks.append(item)
    doc = {"playlist": {"title": playlist_title(playlist), "creator": "Segue", "annotation": _narration(playlist),
                        "date": _now(), "identifier": f"urn:segue:playlist:{playlist.id}", "track": tracks}}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def export(playlist: Playlist, fmt: ExportFormat) -> str:
    writers = {"m3u8": to_m3u8, "xspf": to_xspf, "jspf": to_jspf}
    return writers[fmt](playlist)


def filename(playlist: Playlist, fmt: ExportFormat) -> str:
    return f"segue-{playlist.id}.{fmt}"


def _xspf_extension(parent: ET.Element, track: PlaylistTrack) -> None:
    if track.explicit is None:  # unknown: no element
        return
    ext = ET.SubElement(parent, f"{{{XSPF_NS}}}extension", {"application": SEGUE_EXTENSION})
    ET.SubElement(ext, f"{{{SEGUE_EXTENSION}}}explicit").text = "true" if track.explicit else "false"  # xsd:boolean


def _sub(parent: ET.Element, tag: str, text: str) -> None:
    text = _XML_BAD.sub("", text)
    if text:
        ET.SubElement(parent, f"{{{XSPF_NS}}}{tag}").text = text


def _narration(playlist: Playlist) -> str:
    return "\n\n".join(s.text for s in sorted(playlist.segments, key=lambda s: s.before_position))


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text).strip()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
