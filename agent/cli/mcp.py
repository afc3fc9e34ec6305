"""`segue mcp`: Segue's tools for MCP hosts (Claude Desktop, IDE agents …) over stdio or streamable HTTP."""

from __future__ import annotations

from typing import Annotated, Literal

import typer


def register(app: typer.Typer) -> None:
    app.command("mcp", help="Serve Segue's tools (generate, refine, search, profile) to an MCP host.\n\n"
                "Example (stdio, as a host starts it):  segue mcp\n\n"
                "Example (streamable HTTP):  segue mcp --transport http --port 8765")(mcp)


def mcp(
    transport: Annotated[Literal["stdio", "http"], typer.Option(help="stdio for a host that starts Segue; http to serve it.")] = "stdio",
    host: Annotated[str, typer.Option(help="Interface for --transport http.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port for --transport http.", min=1, max=65535)] = 8765,
) -> None:
    from agent.deps import get_deps
    from agent.mcp_server import build_server

    server = build_server(get_deps)
    if transport == "stdio":
        server.run("stdio")
    else:
        server.run("streamable-http", host=host, port=port)
