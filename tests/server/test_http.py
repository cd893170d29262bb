"""Streamable HTTP: served on loopback, reachable by an MCP client, closed to foreign Host and Origin headers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest
from mcp import Client

from nemo_mcp.server.transports import transport_security
from tests.support import free_port, http_server

pytestmark = pytest.mark.anyio


def test_only_this_servers_own_names_are_accepted() -> None:
    security = transport_security("127.0.0.1", 8765)
    assert security.enable_dns_rebinding_protection
    assert "127.0.0.1:8765" in security.allowed_hosts
    assert "localhost:8765" in security.allowed_hosts
    assert not any("*" in host for host in security.allowed_hosts)
    assert "http://localhost:8765" in security.allowed_origins
    lan = transport_security("192.168.1.20", 9000)
    assert "192.168.1.20:9000" in lan.allowed_hosts


async def test_http_transport_serves_loopback_and_refuses_foreign_hosts(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "NEMO_MCP_ALLOWED_DIRS": str(tmp_path),
        "NEMO_MCP_DATA_DIR": str(tmp_path / "data"),
        "NEMO_MCP_CONFIG_DIR": str(tmp_path / "config"),
    }
    command = [sys.executable, "-m", "nemo_mcp", "serve", "--local", "--http", "--port", str(port)]
    async with http_server(command, env):
        url = f"http://127.0.0.1:{port}/mcp"
        async with Client(url) as client:
            tools = await client.list_tools()
            assert len(tools.tools) == 5

        body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        async with httpx.AsyncClient() as http:
            rebinding = await http.post(url, json=body, headers={**headers, "Host": "evil.example"})
            assert rebinding.status_code == 421
            foreign = await http.post(url, json=body, headers={**headers, "Origin": "http://evil.example"})
            assert foreign.status_code == 403
