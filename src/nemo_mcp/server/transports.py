"""How the MCP server is reached: stdio (the default), or streamable HTTP with DNS-rebinding protection."""

from __future__ import annotations

import logging
import socket
import sys
from typing import TYPE_CHECKING

from mcp.server.transport_security import TransportSecuritySettings

from nemo_mcp.config import Settings
from nemo_mcp.errors import NemoError
from nemo_mcp.server.app import build_server

if TYPE_CHECKING:
    from nemo_mcp.server.shared.config import SharedSettings

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def transport_security(host: str, port: int) -> TransportSecuritySettings:
    """DNS-rebinding protection: only requests addressed to this server by one of its own names are served."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    if host not in LOOPBACK_HOSTS and host not in ("0.0.0.0", "::"):  # noqa: S104  # compared, not bound
        names.add(f"[{host}]" if ":" in host else host)
    ordered = sorted(names)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{name}:{port}" for name in ordered],
        allowed_origins=[f"http://{name}:{port}" for name in ordered],
    )


def run_server(
    settings: Settings,
    *,
    http: bool = False,
    host: str = "127.0.0.1",
    port: int = 8765,
    shared: SharedSettings | None = None,
) -> None:
    """Serve MCP over stdio (default) or streamable HTTP, until the client or a signal ends it.

    With `shared` (Redis), the HTTP server is one replica of several (server/shared/http.py).
    """
    if not http:
        build_server(settings).run()
        return
    _check_port(host, port)
    if host not in LOOPBACK_HOSTS and (shared is None or not shared.hosted):
        log.warning("serving MCP on %s:%s: anyone who can reach this port can spend your credits", host, port)
    if shared is not None:
        from nemo_mcp.server.shared.http import run_replica  # imports redis: only replicas need it

        run_replica(settings, shared, host=host, port=port)
        return
    server = build_server(settings)
    print(f"nemo-mcp: MCP over streamable HTTP at http://{host}:{port}/mcp", file=sys.stderr, flush=True)
    server.run("streamable-http", host=host, port=port, transport_security=transport_security(host, port))


def _check_port(host: str, port: int) -> None:
    """Fail with one clear line, before uvicorn starts, when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if sys.platform != "win32":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise cannot_listen(host, port, exc) from None


def cannot_listen(host: str, port: int, exc: OSError) -> NemoError:
    return NemoError(
        f"Cannot listen on {host}:{port}: {exc.strerror or exc}.",
        hint="Another program may be using that port: choose another with --port.",
    )
