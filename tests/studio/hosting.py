"""The processes behind the studio's browser test.

nemo_http_server(tmp_path)  `nemo-mcp serve --local --http --port N` as a child process with its own HOME and
                            data folders; yields its MCP URL once uvicorn says it is listening; stopped by pid.
serve_host(client)          the test web server, in this event loop on a free loopback port: GET / is
                            host.html, POST /rpc passes one JSON-RPC request from the page on to the real
                            server through `client` (a real mcp.Client) and answers with its result.
find_chromium()             the system Chromium (Debian's `chromium` package); Playwright never downloads one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import uvicorn
from anyio.abc import Process
from mcp import Client
from mcp.shared.exceptions import MCPError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from tests.support import free_port

HOST_PAGE = Path(__file__).with_name("host.html")
# The host page's own policy (the view's stricter one is set in host.html): it may call /rpc and nothing else.
HOST_PAGE_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
    "img-src 'self' data:; media-src 'self' data: blob:; frame-src 'self'"
)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def server_command() -> str:
    script = Path(sys.executable).parent / "nemo-mcp"
    found = str(script) if script.exists() else shutil.which("nemo-mcp")
    assert found, "the nemo-mcp console script is not installed"
    return found


@dataclass
class ServerProcess:
    url: str
    process: Process
    stderr: list[bytes] = field(default_factory=list)

    def log(self) -> str:
        return b"".join(self.stderr).decode(errors="replace")


@asynccontextmanager
async def nemo_http_server(tmp_path: Path) -> AsyncIterator[ServerProcess]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NEMO_", "XDG_"))},
        "HOME": str(tmp_path / "home"),
        "NEMO_MCP_ALLOWED_DIRS": str(tmp_path),
        "NEMO_MCP_OUTPUT_DIR": str(tmp_path / "out"),
        "NEMO_MCP_DATA_DIR": str(tmp_path / "data"),
        "NEMO_MCP_CONFIG_DIR": str(tmp_path / "config"),
        "NEMO_MCP_RATE_LIMIT_WAIT": "0",
    }
    command = [server_command(), "serve", "--local", "--http", "--port", str(port)]
    process = await anyio.open_process(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = ServerProcess(f"http://127.0.0.1:{port}/mcp", process)
    ready = anyio.Event()

    async def drain() -> None:
        assert process.stderr is not None
        async for chunk in process.stderr:
            server.stderr.append(chunk)
            if b"Uvicorn running on" in b"".join(server.stderr[-3:]):
                ready.set()
        ready.set()  # it ended: the test fails on connecting, with the log

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(drain)
            with anyio.fail_after(60):
                await ready.wait()
            assert process.returncode is None, server.log()
            try:
                yield server
            finally:
                process.terminate()
                with anyio.move_on_after(10):
                    await process.wait()
                if process.returncode is None:
                    process.kill()
                tg.cancel_scope.cancel()
    finally:
        await process.aclose()


@dataclass
class HostServer:
    url: str
    calls: list[dict[str, Any]] = field(default_factory=list)


async def _forward(client: Client, method: str, params: dict[str, Any]) -> dict[str, Any]:
    if method == "tools/call":
        result: Any = await client.call_tool(
            str(params["name"]), dict(params.get("arguments") or {}), read_timeout_seconds=120
        )
    elif method == "resources/read":
        result = await client.read_resource(str(params["uri"]))
    elif method == "tools/list":
        result = await client.list_tools()
    else:
        return {"error": {"code": -32601, "message": f"Method not found: {method}"}}
    return {"result": result.model_dump(mode="json", by_alias=True, exclude_none=True)}


@asynccontextmanager
async def serve_host(client: Client) -> AsyncIterator[HostServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    host = HostServer(f"http://127.0.0.1:{port}/")

    async def page(_: Request) -> Response:
        return FileResponse(
            HOST_PAGE, headers={"Content-Security-Policy": HOST_PAGE_CSP, "Cache-Control": "no-store"}
        )

    async def rpc(request: Request) -> Response:
        body = await request.json()
        method = str(body.get("method"))
        params = dict(body.get("params") or {})
        record: dict[str, Any] = {"method": method, "params": params, "ok": None}
        host.calls.append(record)
        try:
            answer = await _forward(client, method, params)
        except MCPError as exc:
            answer = {"error": {"code": exc.error.code, "message": exc.error.message}}
        record["ok"] = "result" in answer and not answer["result"].get("isError", False)
        return JSONResponse(answer)

    async def no_icon(_: Request) -> Response:
        return Response(status_code=204)

    app = Starlette(
        routes=[Route("/", page), Route("/rpc", rpc, methods=["POST"]), Route("/favicon.ico", no_icon)]
    )
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="none", access_log=False)
    server = uvicorn.Server(config)
    try:
        async with anyio.create_task_group() as tg:
            # The socket already listens: the page can connect before uvicorn's loop reaches accept().
            tg.start_soon(server.serve, [sock])
            try:
                yield host
            finally:
                server.should_exit = True
    finally:
        sock.close()
