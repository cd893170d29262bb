"""`nemo-mcp serve --http`: bound to 127.0.0.1 when no host is given, closed to foreign Host and Origin headers.

tests/server/test_http.py already shows a client connecting and one foreign Host and Origin refused; this
checks the address the socket is really bound to and a corpus of near-miss names.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest

from tests.support import free_port, http_server

pytestmark = pytest.mark.anyio


def _listening_addresses(port: int) -> list[str]:
    """The local addresses of sockets listening on `port`, from /proc/net/tcp and tcp6 (hex, as the kernel writes)."""
    found: list[str] = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        lines = Path(table).read_text().splitlines()[1:] if Path(table).exists() else []
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.append(address)
    return found


async def test_serve_http_binds_loopback_and_refuses_foreign_names(tmp_path: Path) -> None:
    if sys.platform != "linux":
        pytest.skip("needs Linux /proc/net/tcp to read the bound address")
    port = free_port()
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "NEMO_MCP_ALLOWED_DIRS": str(tmp_path),
        "NEMO_MCP_DATA_DIR": str(tmp_path / "data"),
        "NEMO_MCP_CONFIG_DIR": str(tmp_path / "config"),
    }
    command = [sys.executable, "-m", "nemo_mcp", "serve", "--http", "--port", str(port), "--local"]
    async with http_server(command, env):
        # 0100007F is 127.0.0.1 as /proc writes it; never 00000000 (every interface).
        assert _listening_addresses(port) == ["0100007F"]

        url = f"http://127.0.0.1:{port}/mcp"
        body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        base = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        async with httpx.AsyncClient(timeout=10) as http:
            for host in (
                "evil.example",
                f"evil.example:{port}",
                f"127.0.0.1.evil.example:{port}",
                f"localhost.evil.example:{port}",
                f"127.0.0.1:{port + 1}",
                "0.0.0.0",
            ):
                refused = await http.post(url, json=body, headers={**base, "Host": host})
                assert refused.status_code == 421, host
            for origin in (
                "http://evil.example",
                f"http://127.0.0.1.evil.example:{port}",
                f"http://localhost:{port}.evil.example",
                "null",
                f"https://localhost:{port + 1}",
            ):
                refused = await http.post(url, json=body, headers={**base, "Origin": origin})
                assert refused.status_code == 403, origin
            # the server's own names still pass the gate (the MCP layer answers, not the guard)
            own = await http.post(url, json=body, headers={**base, "Origin": f"http://localhost:{port}"})
            assert own.status_code not in (403, 421)
