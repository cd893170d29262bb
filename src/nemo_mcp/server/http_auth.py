"""A bearer key for `serve --http`: what lets a single person use the server from another machine.

Off loopback, the Host check alone keeps nothing out: any client that can reach the port can name the
server `127.0.0.1:PORT` in its Host header. So beyond loopback the server needs `NEMO_MCP_HTTP_KEY`, and
with a key set every request must carry `Authorization: Bearer <key>` (compared in constant time) before
it reaches the MCP app; the Host and Origin checks still run behind it.
"""

from __future__ import annotations

import hmac
from typing import Any

import anyio
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class BearerKey:
    """ASGI middleware: HTTP requests without the key get 401 and never reach the app."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self._expected = f"Bearer {key}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = next((value for name, value in scope["headers"] if name == b"authorization"), b"")
            if not hmac.compare_digest(given, self._expected):
                refused = JSONResponse(
                    {
                        "error": "unauthorized",
                        "error_description": "Send Authorization: Bearer <NEMO_MCP_HTTP_KEY>.",
                    },
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="nemo-mcp"'},
                )
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)


def serve_with_key(
    server: MCPServer[Any], key: str, host: str, port: int, security: TransportSecuritySettings
) -> None:
    """Serve streamable HTTP like `server.run("streamable-http")`, with the key checked in front."""
    import uvicorn  # only when serving HTTP: stdio starts without it

    app = server.streamable_http_app(host=host, transport_security=security)
    config = uvicorn.Config(
        BearerKey(app, key), host=host, port=port, log_level=server.settings.log_level.lower()
    )
    anyio.run(uvicorn.Server(config).serve)


__all__ = ["BearerKey", "serve_with_key"]
