"""What the benchmarks share: the report rows, the processes they start, MCP and direct HTTP helpers.

The MCP benchmarks run the embedded local backend in a process of its own (`bench_backend.py`: the real
backend plus a timestamped-burst hook on /run_sse) and spawn `nemo-mcp serve` over stdio with the SDK's
own `Client` (response cache off), pointed at it with NEMO_API_URL and a fixed NEMO_CLIENT_ID, so that
direct httpx/curl requests and the reference servers get the same token, user and sessions.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from mcp import Client, StdioServerParameters
from mcp.types import TextContent

from nemo_mcp.api.headers import attribution_headers
from upload_memory import make_bmp  # the existing benchmark's real BMP writer

BENCHMARKS = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "nemo-mcp-bench"
CLIENT_ID = "nemo-mcp-benchmarks"


@dataclass
class Row:
    bench: str
    measure: str
    ours: float | None
    reference: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.reference is None or self.reference == 0:
            return None
        return self.ours / self.reference


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.measure}: {fmt(row.ours)} {row.unit} (reference {fmt(row.reference)})", flush=True)


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if abs(value) < 100 else f"{value:.0f}"


def ms(seconds: list[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


# ---- processes ---------------------------------------------------------------------------------------------


def script(name: str) -> str:
    found = Path(sys.executable).parent / name
    path = str(found) if found.exists() else shutil.which(name)
    if not path:
        raise SystemExit(f"{name} is not installed next to {sys.executable} nor on PATH")
    return path


@contextmanager
def backend_process(folder: Path) -> Iterator[str]:
    """The local backend (with the burst hook) in its own process; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, str(BENCHMARKS / "bench_backend.py"), str(folder / "backend")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.strip().rsplit(" ", 1)[-1]
        if not url.startswith("http"):
            raise SystemExit(f"the local backend did not start: {line!r}")
        yield url
    finally:
        process.terminate()
        process.wait(15)


def server_env(url: str, folder: Path) -> dict[str, str]:
    env = {
        "HOME": str(folder / "home"),
        "NEMO_API_URL": url,
        "NEMO_CLIENT_ID": CLIENT_ID,
        "NEMO_MCP_ALLOWED_DIRS": str(folder),
        "NEMO_MCP_OUTPUT_DIR": str(folder / "out"),
        "NEMO_MCP_CONFIG_DIR": str(folder / "config"),
        "NEMO_MCP_DATA_DIR": str(folder / "data"),
        "NEMO_MCP_RATE_LIMIT_WAIT": "0",
    }
    # The SDK passes only a few variables on to a server it spawns; PYTHONPATH lets a run measure
    # another tree of nemo-mcp (e.g. the code before a change) with the same benchmark scripts.
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def server_params(url: str, folder: Path, *args: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=script("nemo-mcp"), args=["serve", *args], env=server_env(url, folder), cwd=str(folder)
    )


def python_params(name: str, *args: str, env: dict[str, str] | None = None) -> StdioServerParameters:
    """One of the benchmark's own reference servers (a script next to run.py) over stdio."""
    return StdioServerParameters(command=sys.executable, args=[str(BENCHMARKS / name), *args], env=env)


def mcp_client(params: StdioServerParameters) -> Client:
    # No response cache: every call must reach the server.
    return Client(params, read_timeout_seconds=300, cache=None)


def children() -> set[int]:
    return {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()}


def server_pid(before: set[int], needle: bytes = b" serve") -> int | None:
    """The child of this process (`nemo-mcp serve` by default) that was not there before."""
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in before:
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == me and needle in cmdline:
            return int(entry.name)
    return None


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process so far (this process when pid is None)."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---- MCP and direct HTTP helpers ---------------------------------------------------------------------------


def text_of(result: Any) -> str:
    return "\n".join(b.text for b in result.content if isinstance(b, TextContent))


async def call(client: Client, name: str, arguments: dict[str, Any], **kw: Any) -> dict[str, Any]:
    result = await client.call_tool(name, arguments, **kw)
    if result.is_error or result.structured_content is None:
        raise SystemExit(f"{name} failed: {text_of(result)}")
    structured: dict[str, Any] = result.structured_content
    return structured


async def timed(coro: Awaitable[Any]) -> float:
    started = time.perf_counter()
    await coro
    return time.perf_counter() - started


@asynccontextmanager
async def direct_http(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client with the same token (same client id), attribution headers and user as the server."""
    headers = attribution_headers("unknown")
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
        answer = await http.post("/api/auth/anonymous-token", headers={"X-Client-Id": CLIENT_ID})
        answer.raise_for_status()
        http.headers["Authorization"] = f"Bearer {answer.json()['data']['token']}"
        yield http


async def direct_ok(http: httpx.AsyncClient, method: str, path: str) -> None:
    answer = await http.request(method, path)
    answer.raise_for_status()
    if answer.json().get("code") not in (0, None):
        raise SystemExit(f"{path}: {answer.text[:200]}")


async def backend_requests(http: httpx.AsyncClient) -> dict[str, int]:
    answer = await http.get("/_admin/stats")
    requests: dict[str, int] = answer.json()["requests"]
    return requests


def small_image(folder: Path) -> Path:
    path = folder / "small.bmp"
    if not path.exists():
        make_bmp(path, 64, 64)
    return path


async def new_session(client: Client, folder: Path) -> str:
    uploaded = await call(client, "upload", {"source": str(small_image(folder)), "new_session": True})
    sid: str = uploaded["session_id"]
    return sid


def state_path(sid: str) -> str:
    return f"/api/state/nemo_agent/me/{sid}/latest"
