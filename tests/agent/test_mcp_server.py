"""`segue mcp` over stdio, driven by the MCP SDK's own client: the tools a host sees and what they return."""

from __future__ import annotations

import os
import sys

import anyio
import pytest
from mcp import Client, StdioServerParameters

from core.settings import REPO_ROOT

pytestmark = pytest.mark.server


def params(settings) -> StdioServerParameters:
    env = {**os.environ, "SEGUE_HOME": str(settings.home), "SEGUE_RAW_DATA_DIR": str(settings.raw_data_dir),
           "SEGUE_PROVIDER": "offline"}
    return StdioServerParameters(command=sys.executable, args=["-m", "agent.cli", "mcp"], env=env, cwd=str(REPO_ROOT))


def run_session(settings, steps):
    async def main():
        async with Client(params(settings), read_timeout_seconds=120) as client:
            return await steps(client)

    return anyio.run(main)


def test_tools_listed_with_typed_schemas(deps):
    async def steps(client):
        return (await client.list_tools()).tools

    tools = {t.name: t for t in run_session(deps.settings, steps)}
    assert set(tools) == {"generate", "refine", "search", "profile", "libraries", "library_save"}
    schema = tools["generate"].input_schema
    assert schema["required"] == ["prompt"] and schema["properties"]["count"]["anyOf"][0]["type"] == "integer"
    assert "prompt" in tools["generate"].description.lower()
    assert tools["generate"].output_schema is not None  # a typed Playlist comes back as structured content


def test_generate_refine_search_and_profile(deps):
    async def steps(client):
        made = await client.call_tool("generate", {"prompt": "upbeat pop punk, no explicit", "count": 8})
        refined = await client.call_tool("refine", {"playlist_id": made.structured_content["id"],
                                                    "instruction": "less upbeat"})
        found = await client.call_tool("search", {"query": "sad acoustic songs", "k": 5,
                                                  "filters": {"explicit": "exclude"}})
        taste = await client.call_tool("profile", {"user_id": "pl-cardio"})
        return made, refined, found, taste

    made, refined, found, taste = run_session(deps.settings, steps)
    assert not made.is_error
    playlist = made.structured_content
    assert len(playlist["tracks"]) == 8
    assert all(t["explicit"] is False for t in playlist["tracks"])  # the clean policy held
    assert {c["name"]: c["met"] for c in playlist["constraints"]}["count"] is True
    assert not refined.is_error and refined.structured_content["parent_id"] == playlist["id"]
    hits = found.structured_content["result"]
    assert len(hits) == 5 and all(h["track"]["explicit"] is False for h in hits)
    assert not taste.is_error and taste.structured_content["user_id"] == "pl-cardio"
    assert taste.structured_content["explanation"]


def test_bad_input_is_a_tool_error_not_a_crash(deps):
    async def steps(client):
        blank = await client.call_tool("generate", {"prompt": ""})
        unknown = await client.call_tool("refine", {"playlist_id": "pl_0000000000000000", "instruction": "calmer"})
        after = await client.call_tool("search", {"query": "jazz", "k": 2})
        return blank, unknown, after

    blank, unknown, after = run_session(deps.settings, steps)
    assert blank.is_error and "prompt" in blank.content[0].text
    assert unknown.is_error and "pl_0000000000000000" in unknown.content[0].text
    assert not after.is_error  # the server kept running


def test_streamable_http_transport(deps, tmp_path):
    import socket
    import subprocess
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = params(deps.settings)
    proc = subprocess.Popen([p.command, *p.args, "--transport", "http", "--port", str(port)], env=p.env, cwd=p.cwd,
                            stdout=subprocess.DEVNULL, stderr=(tmp_path / "mcp.log").open("wb"))

    async def call():
        async with Client(f"http://127.0.0.1:{port}/mcp", read_timeout_seconds=120) as client:
            return await client.call_tool("search", {"query": "bossa nova", "k": 3})

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "mcp.log").read_text()[-2000:]
                time.sleep(0.3)
        result = anyio.run(call)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert not result.is_error and len(result.structured_content["result"]) == 3
