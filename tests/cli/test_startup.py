"""What starting the server loads before it answers tools/list.

`serve --local` starts the embedded backend without the renderer (Pillow, PyAV and NumPy load with the
first render or upload probe); a plain `serve` never imports the embedded backend; neither loads the API
client (nor httpx, nor httpcore) before a call needs it. The server runs in a child process with a SIGUSR1 handler that
writes its `sys.modules`: the handler runs on the main thread as soon as it next runs Python code, which
the request sent after the signal guarantees, so the list is complete once that request is answered.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

pytestmark = [pytest.mark.anyio, pytest.mark.skipif(sys.platform == "win32", reason="SIGUSR1")]

SERVER = """\
import json, os, signal, sys

def dump(signum, frame):
    with open(os.environ["NEMO_TEST_MODULES"], "w", encoding="utf-8") as fh:
        json.dump(sorted(sys.modules), fh)

signal.signal(signal.SIGUSR1, dump)
with open(os.environ["NEMO_TEST_PID"], "w", encoding="utf-8") as fh:
    fh.write(str(os.getpid()))
from nemo_mcp.cli.main import main
sys.exit(main(sys.argv[1:]))
"""
RENDERER = {"PIL", "av", "numpy"}


async def _modules_after_tools_list(tmp_path: Path, *args: str) -> set[str]:
    dump, pid_file = tmp_path / "modules.json", tmp_path / "server.pid"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-c", SERVER, "serve", *args],
        env={
            "HOME": str(tmp_path / "home"),
            "NEMO_API_URL": "http://127.0.0.1:9",  # never called: listing tools sends no request
            "NEMO_MCP_ALLOWED_DIRS": str(tmp_path),
            "NEMO_MCP_CONFIG_DIR": str(tmp_path / "config"),
            "NEMO_MCP_DATA_DIR": str(tmp_path / "data"),
            "NEMO_TEST_MODULES": str(dump),
            "NEMO_TEST_PID": str(pid_file),
        },
        cwd=str(tmp_path),
    )
    async with Client(params, read_timeout_seconds=60) as client:
        tools = await client.list_tools()
        assert {tool.name for tool in tools.tools} >= {"upload", "get_state", "export"}
        os.kill(int(pid_file.read_text(encoding="utf-8")), signal.SIGUSR1)
        await client.list_tools()  # any request: the main thread runs Python code, the handler first
        modules: set[str] = set(json.loads(dump.read_text(encoding="utf-8")))
    return modules


async def test_serve_local_answers_tools_list_without_the_renderer(tmp_path: Path) -> None:
    modules = await _modules_after_tools_list(tmp_path, "--local")
    assert "nemo_mcp.local.runner" in modules, "the embedded backend is running"
    assert not RENDERER & modules
    assert not any(m.startswith(("PIL.", "av.", "numpy.")) for m in modules)
    assert "nemo_mcp.local.render.clip" not in modules
    assert "nemo_mcp.local.agent.understanding" not in modules, "the parser compiles with the first message"
    assert "nemo_mcp.api.client" not in modules, "the service is made by the first call"
    assert "httpcore" not in modules, "the HTTP client is made with the first call"


async def test_plain_serve_never_imports_the_embedded_backend(tmp_path: Path) -> None:
    modules = await _modules_after_tools_list(tmp_path)
    assert not any(m == "nemo_mcp.local" or m.startswith("nemo_mcp.local.") for m in modules)
    assert not RENDERER & modules
    assert not {"nemo_mcp.api.client", "httpx", "httpcore"} & modules, "all made by the first call"
