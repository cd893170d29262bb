"""Small pieces several test packages need: settings aimed at a test backend, a free loopback port, a
`serve --http` process."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from anyio.abc import Process

from nemo_mcp.config import Settings


def settings_for(api_url: str, *, home: Path, tmp_path: Path, allowed: Path) -> Settings:
    """Settings for a test: every folder under tmp_path, uploads from `allowed`, no rate-limit wait."""
    return Settings.from_env(
        {
            "HOME": str(home),
            "NEMO_API_URL": api_url,
            "NEMO_MCP_ALLOWED_DIRS": str(allowed),
            "NEMO_MCP_OUTPUT_DIR": str(allowed / "out"),
            "NEMO_MCP_RATE_LIMIT_WAIT": "0",
            "NEMO_MCP_CONFIG_DIR": str(tmp_path / "config"),
            "NEMO_MCP_DATA_DIR": str(tmp_path / "data"),
        },
        cwd=tmp_path,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def http_server(command: Sequence[str], env: Mapping[str, str]) -> AsyncIterator[Process]:
    """A `serve --http` process, yielded once its socket listens and terminated by its process id after."""
    process = await anyio.open_process(
        list(command), env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        assert process.stderr is not None
        seen = b""
        with anyio.fail_after(30):
            async for chunk in process.stderr:
                seen += chunk
                if b"Uvicorn running on" in seen:  # printed once the socket listens
                    break
        yield process
    finally:
        process.terminate()
        await process.wait()
