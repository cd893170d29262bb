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
from nemo_mcp.server.http_auth import serve_with_key

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
        _say_allowed(settings)
        build_server(settings).run()
        return
    # Beyond loopback a request must prove who sent it: the bearer key, or (replicas) an OAuth token.
    authenticated = settings.http_key is not None or (shared is not None and shared.auth is not None)
    if host not in LOOPBACK_HOSTS and not authenticated:
        raise NemoError(
            f"Refusing to serve MCP on {host}: beyond loopback, anyone who reaches the port could use it.",
            hint="Set NEMO_MCP_HTTP_KEY to a secret of 32 characters or more; clients send it as "
            "Authorization: Bearer <key>. (Replicas serving many people use OAuth: docs/deploy.md.)",
        )
    _check_port(host, port)
    _say_allowed(settings)
    if shared is not None:
        from nemo_mcp.server.shared.http import run_replica  # imports redis: only replicas need it

        run_replica(settings, shared, host=host, port=port)
        return
    server = build_server(settings)
    print(f"nemo-mcp: MCP over streamable HTTP at http://{host}:{port}/mcp", file=sys.stderr, flush=True)
    security = transport_security(host, port)
    if settings.http_key is None:
        server.run("streamable-http", host=host, port=port, transport_security=security)
    else:
        serve_with_key(server, settings.http_key, host, port, security)


def _say_allowed(settings: Settings) -> None:
    """One line on stderr (the MCP host's log): the folders a model may have files uploaded from."""
    if settings.allowed_dirs:
        folders = ", ".join(str(folder) for folder in settings.allowed_dirs)
        print(f"nemo-mcp: files may be uploaded from {folders} (NEMO_MCP_ALLOWED_DIRS)", file=sys.stderr)
    else:
        print(
            "nemo-mcp: no folder is allowed for uploads (the current one is too broad to allow by default); "
            "set NEMO_MCP_ALLOWED_DIRS",
            file=sys.stderr,
        )


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
