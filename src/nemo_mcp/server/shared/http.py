"""`nemo-mcp serve --http` as one replica: stateless streamable HTTP, /healthz, and SIGTERM as a handover.

Stateless: any replica answers any request, so a load balancer may send each one anywhere (with MCP
sessions, older clients get "Session not found" on the other replica). uvicorn is run here, not by the
SDK, so that SIGTERM first hands the jobs over (leases released, another replica claims them at once) and
then drains the connections, whose waits end at once with a "still running" answer.
"""

from __future__ import annotations

import socket
import sys
from types import FrameType

import anyio
import uvicorn
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from nemo_mcp.config import Settings
from nemo_mcp.server.app import build_server
from nemo_mcp.server.shared.config import SharedSettings
from nemo_mcp.server.shared.oauth import metadata_endpoint
from nemo_mcp.server.shared.tenants import Replica
from nemo_mcp.server.transports import transport_security

# After SIGTERM, connections still open after this long are closed (their waits end at once anyway).
GRACEFUL_S = 5


def replica_security(shared: SharedSettings, host: str, port: int) -> TransportSecuritySettings:
    """DNS-rebinding protection that also accepts the public name (NEMO_MCP_PUBLIC_URL, --allowed-host)."""
    own = transport_security(host, port)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[*own.allowed_hosts, *shared.public_hosts()],
        allowed_origins=[*own.allowed_origins, *shared.public_origins()],
    )


class _ReplicaServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, replica: Replica, url: str) -> None:
        super().__init__(config)
        self._replica = replica
        self._url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            shared = self._replica.shared
            mode = "hosted, OAuth users" if shared.hosted else "one shared identity"
            print(
                f"nemo-mcp: replica {shared.replica} serving MCP at {self._url} (state in Redis, {mode})",
                file=sys.stderr,
                flush=True,
            )

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._replica.request_handover()
        super().handle_exit(sig, frame)


def run_replica(settings: Settings, shared: SharedSettings, *, host: str, port: int) -> None:
    """Serve until SIGTERM or Ctrl-C; the jobs this replica owns are handed over first."""
    replica = Replica(settings, shared)
    server = build_server(settings, replica=replica)

    async def healthz(_: Request) -> Response:
        ok = await replica.redis.healthy()
        body = {"status": "ok" if ok else "redis unavailable", "replica": shared.replica}
        return JSONResponse(body, status_code=200 if ok else 503)

    server.custom_route("/healthz", ["GET"], include_in_schema=False)(healthz)
    if shared.auth is not None:
        server.custom_route("/.well-known/oauth-protected-resource", ["GET"], include_in_schema=False)(
            metadata_endpoint(shared.auth)
        )
    app = server.streamable_http_app(
        stateless_http=True, transport_security=replica_security(shared, host, port), host=host
    )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        ws="none",
        timeout_graceful_shutdown=GRACEFUL_S,
    )
    name = f"[{host}]" if ":" in host else host
    anyio.run(_ReplicaServer(config, replica, f"http://{name}:{port}/mcp").serve)


__all__ = ["replica_security", "run_replica"]
