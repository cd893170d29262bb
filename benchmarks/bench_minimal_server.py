"""The cold-start reference: the smallest useful MCP server on the same SDK (one tool, stdio).

    python benchmarks/bench_minimal_server.py

What any Python MCP server on `mcp` 2.x pays at start (the interpreter, the SDK, pydantic); nemo-mcp's
cold start is reported as a ratio to it.
"""

from __future__ import annotations

from mcp.server import MCPServer

server: MCPServer[object] = MCPServer("minimal")


@server.tool()
def echo(text: str) -> str:
    """Return the text."""
    return text


if __name__ == "__main__":
    server.run()
