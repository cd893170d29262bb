"""The scale reference: a bare MCP server whose one tool makes the backend request `get_state` makes.

    BENCH_API_URL=http://127.0.0.1:PORT BENCH_CLIENT_ID=ID python benchmarks/bench_bare_server.py

The same SDK (`MCPServer`, stdio), one tool `get_state(session_id)` that sends the same GET of the
session's state with httpx (same token: same client id; same attribution headers) and returns the answer's
JSON as structured content. What any Python MCP server pays to proxy one backend request; nemo-mcp's
`get_state` latency and CPU are reported against it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from mcp.server import MCPServer
from mcp.server.mcpserver import Context

from nemo_mcp.api.headers import attribution_headers


@asynccontextmanager
async def lifespan(_: MCPServer[httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    url, client_id = os.environ["BENCH_API_URL"], os.environ["BENCH_CLIENT_ID"]
    async with httpx.AsyncClient(base_url=url, headers=attribution_headers("unknown"), timeout=60) as http:
        answer = await http.post("/api/auth/anonymous-token", headers={"X-Client-Id": client_id})
        answer.raise_for_status()
        http.headers["Authorization"] = f"Bearer {answer.json()['data']['token']}"
        yield http


# Warnings only, as nemo-mcp logs: at the SDK's default (INFO) the SDK and httpx would write a line or two
# per call to stderr, work that nemo-mcp does not do.
server: MCPServer[httpx.AsyncClient] = MCPServer("bare", lifespan=lifespan, log_level="WARNING")


@server.tool()
async def get_state(session_id: str, ctx: Context[httpx.AsyncClient, Any]) -> dict[str, Any]:
    """The session's latest state, as the backend answers it."""
    http = ctx.request_context.lifespan_context
    answer = await http.get(f"/api/state/nemo_agent/me/{session_id}/latest")
    answer.raise_for_status()
    data: dict[str, Any] = answer.json()
    return data


if __name__ == "__main__":
    server.run()
