"""Server processes for the state tests: `chroma run` and the `segue` command from this environment."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def tool(name: str) -> str:
    found = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    if found is None:
        pytest.skip(f"the {name} command is not installed")
    return found


def segue() -> str:
    return tool("segue")


@contextlib.contextmanager
def chroma_server(path: Path):
    """`chroma run` on a free 127.0.0.1 port; yields its URL."""
    from bench.generate import free_port, process_server

    port = free_port()
    argv = [tool("chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with process_server(argv, f"http://127.0.0.1:{port}", "/api/v2/heartbeat", 60.0, 30.0,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as (url, _):
        yield url
