"""Spawning `nemo-mcp serve` over stdio against a LocalBackend the test controls (its fault plan, its stats)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from tests.server.conftest import text_of


def server_command() -> str:
    script = Path(sys.executable).parent / "nemo-mcp"
    found = str(script) if script.exists() else shutil.which("nemo-mcp")
    assert found, "the nemo-mcp console script is not installed"
    return found


def server_env(tmp_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    """The environment of a server process: every folder under tmp_path, no rate-limit wait."""
    return {
        "HOME": str(tmp_path / "home"),
        "NEMO_API_URL": api_url,
        "NEMO_MCP_ALLOWED_DIRS": str(tmp_path),
        "NEMO_MCP_OUTPUT_DIR": str(tmp_path / "out"),
        "NEMO_MCP_CONFIG_DIR": str(tmp_path / "config"),
        "NEMO_MCP_DATA_DIR": str(tmp_path / "data"),
        "NEMO_MCP_RATE_LIMIT_WAIT": "0",
        **extra,
    }


@asynccontextmanager
async def stdio_server(
    env: dict[str, str], cwd: Path, *, args: tuple[str, ...] = ("serve",), errlog: TextIO | None = None
) -> AsyncIterator[Client]:
    """A Client on a freshly spawned `nemo-mcp <args>` process; its stderr goes to `errlog` when given."""
    params = StdioServerParameters(command=server_command(), args=list(args), env=env, cwd=str(cwd))
    transport = stdio_client(params, errlog=errlog) if errlog is not None else stdio_client(params)
    async with Client(transport, read_timeout_seconds=120) as client:
        yield client


def child_server_pids() -> list[int]:
    """Process ids of the `nemo-mcp` servers this test process spawned (its direct children)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"nemo-mcp" in cmdline:
            found.append(int(entry.name))
    return found


async def tool(client: Client, name: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
    return await client.call_tool(name, arguments or {})


def ok(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    structured: dict[str, Any] | None = result.structured_content
    assert structured is not None
    return structured


def error(result: CallToolResult) -> str:
    assert result.is_error, result.structured_content
    return text_of(result)
