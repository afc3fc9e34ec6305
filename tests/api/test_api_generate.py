"""POST /generate and POST /generate/stream over the fixture catalog."""

from __future__ import annotations

import json

import httpx
import pytest

from agent.generate import generate
from agent.models import GenerateRequest, Playlist


def sse(text: str) -> list[tuple[str, dict]]:
    """Parse a Server-Sent Events body into (event, data) pairs."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def test_generate_returns_the_cli_json_and_keeps_the_playlist(client, deps):
    body = {"prompt": "upbeat pop punk for a run", "count": 8, "seed": 3}
    response = client.post("/generate", json=body)
    assert response.status_code == 200, response.text
    got = response.json()
    expected = generate(GenerateRequest(**body), deps).model_dump(mode="json")
    for key in ("id", "tracks", "segments", "constraints", "spec", "provider"):
        assert got[key] == expected[key]
    assert len(got["tracks"]) == 8
    kept = client.get(f"/playlists/{got['id']}")
    assert kept.status_code == 200
    assert kept.json()["tracks"] == got["tracks"]


def test_generate_clean_option_is_enforced(client):
    response = client.post("/generate", json={"prompt": "hardcore gangster rap bangers", "count": 10, "allow_explicit": False})
    assert response.status_code == 200
    tracks = response.json()["tracks"]
    assert tracks and all(t["explicit"] is False for t in tracks)


def test_stream_sends_spec_tracks_segments_done_in_order(client):
    response = client.post("/generate/stream", json={"prompt": "late night jazz for reading", "count": 6})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse(response.text)
    names = [n for n, _ in events]
    assert names[0] == "spec" and names[-1] == "done"
    assert names == ["spec"] + ["track"] * names.count("track") + ["segment"] * names.count("segment") + ["done"]
    done = Playlist.model_validate(events[-1][1])
    assert [d for n, d in events if n == "track"] == [t.model_dump(mode="json") for t in done.tracks]
    assert events[0][1]["id"] == done.id and len(done.tracks) == 6
    assert client.get(f"/playlists/{done.id}").status_code == 200


def test_stream_rejects_bad_input_before_streaming(client):
    from api_helpers import assert_problem

    assert_problem(client.post("/generate/stream", json={"prompt": ""}), 422)


@pytest.mark.anyio
async def test_generate_in_process_with_asgi_transport(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://segue.test") as c:
        response = await c.post("/generate", json={"prompt": "sad acoustic breakup songs", "minutes": 20})
        health = await c.get("/healthz")
    assert response.status_code == 200
    playlist = response.json()
    minutes = sum(t["duration_ms"] for t in playlist["tracks"]) / 60000
    report = next(c for c in playlist["constraints"] if c["name"] == "duration")
    assert report["met"] == (abs(minutes - 20) <= 0.03 * 20)  # the report tells the truth about the length
    assert health.json() == {"status": "ok"}
