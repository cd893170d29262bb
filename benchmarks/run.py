"""nemo-mcp benchmarks (issue 7): six measurements, each against a reference made in the same run.

    python benchmarks/run.py [--only NAME ...] [--json out.json] [--quick]

NAME is one of: overhead, progress, upload, render, coldstart, scale. Benchmarks are not tests: nothing
fails on a timing; the exit status is 0 whatever the figures. See docs/benchmarks.md for the last results.

Set-up shared by the MCP benchmarks: the embedded local backend runs in its own process
(benchmarks/bench_backend.py: the real backend plus a timestamped-burst hook on /run_sse), and
`nemo-mcp serve` is spawned over stdio by the SDK's own `Client` (response cache off), pointed at it with
NEMO_API_URL and a fixed NEMO_CLIENT_ID, so that direct httpx/curl requests get the same token, user and
sessions as the server.

1 overhead   get_credits / get_state through MCP vs the same HTTP requests made directly with httpx,
             interleaved; the added latency is the difference of the medians.
2 progress   `bench-burst N RATE` turns: the backend stamps each SSE text event with perf_counter_ns()
             (CLOCK_MONOTONIC, shared by every process) as it hands it to uvicorn; the client compares it
             with its own clock when the matching progress notification arrives. A listener that falls
             behind gets the newest update (coalescing), so fewer notifications than events is by design;
             what is checked is their latency and that the last event always arrives.
3 upload     a 51.6 MB BMP through the `upload` tool vs `curl -F files=@…` to the same route; peak RSS
             (VmHWM from /proc) of the server process before and after.
4 render     benchmarks/render_bench.py (its child processes, its zoompan reference through PyAV's
             libavfilter when no ffmpeg binary is installed).
5 coldstart  spawn `nemo-mcp serve` until tools/list is answered, vs a one-tool MCPServer on the same SDK;
             `python -X importtime` of `nemo-mcp serve`.
6 scale      1, 4 and 16 concurrent callers, each on its own session of one server, calling get_state;
             the same concurrency made directly with httpx as the reference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from mcp import Client, StdioServerParameters
from mcp.types import TextContent

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from nemo_mcp.api.headers import attribution_headers  # noqa: E402
from upload_memory import make_bmp  # noqa: E402  # the existing benchmark's real 51.6 MB BMP writer

CACHE = Path(tempfile.gettempdir()) / "nemo-mcp-bench"
CLIENT_ID = "nemo-mcp-benchmarks"
NAMES = ("overhead", "progress", "upload", "render", "coldstart", "scale")


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
        print(f"  {row.measure}: {_fmt(row.ours)} {row.unit} (reference {_fmt(row.reference)})", flush=True)


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if abs(value) < 100 else f"{value:.0f}"


def _ms(seconds: list[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


# ---- processes ---------------------------------------------------------------------------------------------


def _script(name: str) -> str:
    found = Path(sys.executable).parent / name
    path = str(found) if found.exists() else shutil.which(name)
    if not path:
        raise SystemExit(f"{name} is not installed next to {sys.executable} nor on PATH")
    return path


@contextmanager
def backend_process(folder: Path) -> Iterator[str]:
    """The local backend (with the burst hook) in its own process; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, str(HERE / "bench_backend.py"), str(folder / "backend")],
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
    return {
        "HOME": str(folder / "home"),
        "NEMO_API_URL": url,
        "NEMO_CLIENT_ID": CLIENT_ID,
        "NEMO_MCP_ALLOWED_DIRS": str(folder),
        "NEMO_MCP_OUTPUT_DIR": str(folder / "out"),
        "NEMO_MCP_CONFIG_DIR": str(folder / "config"),
        "NEMO_MCP_DATA_DIR": str(folder / "data"),
        "NEMO_MCP_RATE_LIMIT_WAIT": "0",
    }


def server_params(url: str, folder: Path) -> StdioServerParameters:
    return StdioServerParameters(
        command=_script("nemo-mcp"), args=["serve"], env=server_env(url, folder), cwd=str(folder)
    )


def mcp_client(params: StdioServerParameters) -> Client:
    # No response cache: every call must reach the server.
    return Client(params, read_timeout_seconds=300, cache=None)


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


def children() -> set[int]:
    return {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()}


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


def _text(result: Any) -> str:
    return "\n".join(b.text for b in result.content if isinstance(b, TextContent))


async def call(client: Client, name: str, arguments: dict[str, Any], **kw: Any) -> dict[str, Any]:
    result = await client.call_tool(name, arguments, **kw)
    if result.is_error or result.structured_content is None:
        raise SystemExit(f"{name} failed: {_text(result)}")
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


# ---- 1. tool-call overhead ---------------------------------------------------------------------------------


async def bench_overhead(report: Report, folder: Path, calls: int) -> None:
    with backend_process(folder) as url:
        async with mcp_client(server_params(url, folder)) as client, direct_http(url) as http:
            sid = await new_session(client, folder)
            state_path = f"/api/state/nemo_agent/me/{sid}/latest"
            cases: list[tuple[str, dict[str, Any], str, str]] = [
                ("get_credits", {}, "GET", "/api/credits/balance/simple"),
                ("get_state", {"session_id": sid}, "GET", state_path),
            ]
            for tool, args, method, path in cases:  # warm-up: imports, connections, token
                for _ in range(10):
                    await call(client, tool, args)
                    await direct_ok(http, method, path)
            for tool, args, method, path in cases:
                before = await backend_requests(http)
                mcp_s: list[float] = []
                for _ in range(calls):
                    mcp_s.append(await timed(call(client, tool, args)))
                after = await backend_requests(http)
                direct_s: list[float] = []
                for _ in range(calls):
                    direct_s.append(await timed(direct_ok(http, method, path)))
                # In blocks rather than interleaved, so that the backend's request count is the tool's own.
                per_call = {k: (after.get(k, 0) - before.get(k, 0)) / calls for k in after}
                per_call = {k: v for k, v in per_call.items() if v}
                mcp_ms, direct_ms = statistics.median(_ms(mcp_s)), statistics.median(_ms(direct_s))
                added = mcp_ms - direct_ms
                report.details[f"overhead_{tool}"] = {
                    "mcp_ms": {"p50": mcp_ms, "p90": _pct(_ms(mcp_s), 0.9)},
                    "direct_ms": {"p50": direct_ms, "p90": _pct(_ms(direct_s), 0.9)},
                    "backend_requests_per_call": per_call,
                }
                report.add(Row("1 overhead", f"{tool} median latency", mcp_ms, direct_ms, "ms",
                               note=f"backend requests per call: {per_call}"))  # fmt: skip
                report.add(Row("1 overhead", f"{tool} added latency (median)", added, None, "ms",
                               "< 5 ms", added < 5))  # fmt: skip
            # The backend alone, back to back on one keep-alive connection (44 ms before 92b71b6: Nagle).
            took = [await timed(direct_ok(http, "GET", "/api/credits/balance/simple")) for _ in range(calls)]
            backend_ms = statistics.median(_ms(took))
            report.details["backend_get_ms"] = {"p50": backend_ms, "p90": _pct(_ms(took), 0.9)}
            report.add(Row("1 overhead", "local backend GET (httpx, keep-alive, back to back)", backend_ms, None,
                           "ms", note=f"median of {calls}; the backend alone, no MCP"))  # fmt: skip


# ---- 2. progress latency -----------------------------------------------------------------------------------


@dataclass
class Burst:
    """What the client heard of one burst of `count` stamped events."""

    count: int
    latencies_ms: list[float]  # of each notification that carried a burst event, in arrival order
    seqs: list[int]  # the sequence number each of them carried

    @property
    def last_arrived(self) -> bool:
        """The final event (the state the turn ended in) reached the client."""
        return bool(self.seqs) and self.seqs[-1] == self.count - 1

    @property
    def in_order(self) -> bool:
        return all(a < b for a, b in zip(self.seqs, self.seqs[1:], strict=False))


async def burst(client: Client, sid: str, count: int, rate: int) -> Burst:
    """Send a `bench-burst` turn and record the progress notifications that carried one of its events."""
    heard = Burst(count, [], [])
    stamp = re.compile(r"bench seq=(\d+) t=(\d+)")

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        now = time.perf_counter_ns()
        found = stamp.search(message or "")
        if found:
            heard.seqs.append(int(found[1]))
            heard.latencies_ms.append((now - int(found[2])) / 1e6)

    args = {"instruction": f"bench-burst {count} {rate}", "session_id": sid, "wait_seconds": 55}
    await call(client, "animate_image", args, progress_callback=on_progress)
    return heard


async def bench_progress(report: Report, folder: Path, count: int) -> None:
    existing = children()
    with backend_process(folder) as url:
        backend = server_pid(existing, b"bench_backend")
        async with mcp_client(server_params(url, folder)) as client:
            server = server_pid(existing)
            await _bursts(report, client, await new_session(client, folder), count, (server, backend))


async def _bursts(report: Report, client: Client, sid: str, count: int, pids: tuple[int | None, ...]) -> None:
    """Latency of the notifications that are sent, and that the last event always arrives.

    Since 04c3be6 a listener that falls behind is handed the newest update and skips the ones queued
    before it (coalescing), so under a burst fewer notifications than events are sent, by design: the
    count is reported for information, not as a loss. What matters is how fresh each notification is
    (its latency: the event it carries is the newest one) and that the final state is never lost.
    """
    await burst(client, sid, 50, 1000)  # warm-up
    names = ("server", "backend", "client")
    for rate in (100, 1000):
        cpu_before = [cpu_seconds(pid) if pid or i == 2 else 0.0 for i, pid in enumerate((*pids, None))]
        wall_before = time.perf_counter()
        heard = await burst(client, sid, count, rate)
        wall = time.perf_counter() - wall_before
        cpu_after = [cpu_seconds(pid) if pid or i == 2 else 0.0 for i, pid in enumerate((*pids, None))]
        busy = {n: round((a - b) / wall, 2) for n, a, b in zip(names, cpu_after, cpu_before, strict=True)}
        latencies = heard.latencies_ms
        got = len(latencies)
        p50, p99 = statistics.median(latencies), _pct(latencies, 0.99)
        report.details[f"progress_{rate}"] = {
            "events": count,
            "notifications": got,
            "p50_ms": p50,
            "p99_ms": p99,
            "max_ms": max(latencies),
            "last_event_arrived": heard.last_arrived,
            "last_seq_heard": heard.seqs[-1] if heard.seqs else None,
            "in_order": heard.in_order,
            "cpu_share_during_burst": busy,
        }
        note = (
            f"{got} notifications for {count} events; in order: {heard.in_order}; "
            f"CPU share during the burst: {busy}"
        )
        report.add(Row("2 progress", f"p50 at {rate} events/s", p50, None, "ms", "< 5 ms", p50 < 5, note))
        report.add(Row("2 progress", f"p99 at {rate} events/s", p99, None, "ms", "< 50 ms", p99 < 50))
        report.add(Row("2 progress", f"max at {rate} events/s", max(latencies), None, "ms"))
        report.add(Row("2 progress", f"last event arrives at {rate} events/s (1 = yes)", float(heard.last_arrived),
                       None, "", "always", heard.last_arrived,
                       f"last sequence number heard: {heard.seqs[-1] if heard.seqs else None} of {count - 1}"))  # fmt: skip
        report.add(Row("2 progress", f"notifications per 100 events at {rate} events/s (coalesced by design)",
                       100 * got / count, None, "%", note=note))  # fmt: skip


# ---- 3. upload ---------------------------------------------------------------------------------------------


def big_bmp() -> Path:
    path = CACHE / "upload-51.6MB.bmp"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        make_bmp(path, 4096, 4200)  # 51.6 MB: just under the 50 MiB limit
    return path


def curl_upload(url: str, token: str, sid: str, path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `curl -F files=@…` upload."""
    # `Expect:` turns off curl's "Expect: 100-continue" wait (up to 1 s before sending a large body).
    command = ["curl", "-sS", "--fail", "-o", "-", "-H", "Expect:", "-H", f"Authorization: Bearer {token}"]
    for name, value in attribution_headers("unknown").items():
        command += ["-H", f"{name}: {value}"]
    command += ["-F", f"files=@{path}", f"{url}/api/upload-video/nemo_agent/me/{sid}"]
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0 or json.loads(out).get("code") != 0:
        raise SystemExit(f"curl upload failed ({process.returncode}): {out.decode()[:200]}")
    return wall, usage.ru_maxrss / 1024


async def bench_upload(report: Report, folder: Path, runs: int) -> None:
    if not shutil.which("curl"):
        print("  curl is not installed: upload benchmark skipped")
        return
    big = big_bmp()
    shutil.copy(big, folder / big.name)  # inside the allowed folder
    big = folder / big.name
    with backend_process(folder) as url:
        existing = children()
        async with mcp_client(server_params(url, folder)) as client, direct_http(url) as http:
            pid = server_pid(existing)
            sid = await new_session(client, folder)
            await call(client, "upload", {"source": str(small_image(folder)), "session_id": sid})
            token = str(http.headers["Authorization"]).split()[1]
            curl_upload(url, token, sid, small_image(folder))
            hwm_before = proc_status_mb(pid, "VmHWM") if pid else float("nan")
            rss_before = proc_status_mb(pid, "VmRSS") if pid else float("nan")
            ours: list[float] = []
            theirs: list[float] = []
            curl_peak = 0.0
            for _ in range(runs):
                ours.append(await timed(call(client, "upload", {"source": str(big), "session_id": sid})))
                wall, peak = curl_upload(url, token, sid, big)
                theirs.append(wall)
                curl_peak = max(curl_peak, peak)
            hwm_after = proc_status_mb(pid, "VmHWM") if pid else float("nan")
    size_mb = big.stat().st_size / 1e6
    mcp_s, curl_s = statistics.median(ours), statistics.median(theirs)
    growth = hwm_after - hwm_before
    report.details["upload"] = {
        "size_mb": size_mb,
        "mcp_s": ours,
        "curl_s": theirs,
        "server_rss_before_mb": rss_before,
        "server_peak_before_mb": hwm_before,
        "server_peak_after_mb": hwm_after,
        "curl_peak_mb": curl_peak,
    }
    report.add(Row("3 upload", f"{size_mb:.1f} MB upload time (median of {runs})", mcp_s, curl_s, "s",
                   "<= 1.2x curl", mcp_s / curl_s <= 1.2))  # fmt: skip
    report.add(Row("3 upload", "server peak RSS growth", growth, None, "MB", "< 20 MB", growth < 20,
                   f"server peak {hwm_before:.0f} -> {hwm_after:.0f} MB; curl's own peak {curl_peak:.0f} MB"))  # fmt: skip


# ---- 4. render ---------------------------------------------------------------------------------------------


def bench_render(report: Report, runs: int) -> None:
    command = [sys.executable, str(HERE / "render_bench.py"), "--runs", str(runs)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    table = re.compile(r"^(nemo-mcp .*?|zoompan .*?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", re.MULTILINE)
    found = {m[1].split()[0]: (float(m[2]), float(m[3]), float(m[4])) for m in table.finditer(output)}
    if "nemo-mcp" not in found or "zoompan" not in found:
        raise SystemExit(f"render_bench.py printed no table:\n{output}")
    (wall, cpu, peak), (ref_wall, ref_cpu, ref_peak) = found["nemo-mcp"], found["zoompan"]
    how = (
        "ffmpeg command"
        if shutil.which("ffmpeg")
        else "zoompan through PyAV's libavfilter (no ffmpeg binary)"
    )
    report.details["render"] = {"ours": found["nemo-mcp"], "reference": found["zoompan"], "reference_is": how}
    report.add(Row("4 render", f"5 s 1280x720 30 fps from 12 MP, wall (median of {runs})", wall, ref_wall, "s",
                   "< 5 s and <= 1.5x", wall < 5 and wall / ref_wall <= 1.5, how))  # fmt: skip
    report.add(Row("4 render", "CPU time (user + sys)", cpu, ref_cpu, "s"))
    report.add(Row("4 render", "peak RSS", peak, ref_peak, "MB", "< 500 MB", peak < 500))


# ---- 5. cold start -----------------------------------------------------------------------------------------


async def time_to_tools(params: StdioServerParameters) -> float:
    started = time.perf_counter()
    async with mcp_client(params) as client:
        await client.list_tools()
        return time.perf_counter() - started


def import_profile(url: str, folder: Path) -> dict[str, Any]:
    """`python -X importtime` of `nemo-mcp serve` started with stdin closed (it imports, serves, exits)."""
    code = "import sys; from nemo_mcp.cli.main import main; sys.exit(main(['serve']))"
    env = {**os.environ, **server_env(url, folder)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    line = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")
    modules: list[tuple[str, int, int, int]] = []
    for raw in done.stderr.splitlines():
        m = line.match(raw)
        if m:
            modules.append((m[4], int(m[1]), int(m[2]), len(m[3])))
    total_ms = sum(self_us for _, self_us, _, _ in modules) / 1000
    packages: dict[str, int] = {}
    for name, self_us, _, _ in modules:
        top = name.split(".")[0]
        packages[top] = packages.get(top, 0) + self_us
    loaded = {name for name, *_ in modules}
    cumulative = {name: cum for name, _, cum, _ in modules}
    watch = ("PIL", "av", "numpy", "uvicorn", "starlette", "nemo_mcp.local", "nemo_mcp.local.runner",
             "nemo_mcp.service.media", "httpx", "httpx2", "pydantic", "mcp.server", "mcp.client", "anyio")  # fmt: skip
    return {
        "total_ms": total_ms,
        "modules": len(modules),
        "by_package_ms": dict(
            sorted(((k, v / 1000) for k, v in packages.items()), key=lambda kv: -kv[1])[:15]
        ),
        "watched_ms": {name: cumulative[name] / 1000 for name in watch if name in loaded},
        "top_cumulative_ms": [
            (name, cum / 1000) for name, _, cum, depth in sorted(modules, key=lambda m: -m[2]) if depth <= 4
        ][:25],
    }


def _python_startup() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


async def bench_coldstart(report: Report, folder: Path, runs: int) -> None:
    with backend_process(folder) as url:
        ours = [await time_to_tools(server_params(url, folder)) for _ in range(runs)]
        minimal = StdioServerParameters(command=sys.executable, args=[str(HERE / "bench_minimal_server.py")])
        theirs = [await time_to_tools(minimal) for _ in range(runs)]
        python_s = await asyncio.to_thread(_python_startup)
        profile = await asyncio.to_thread(import_profile, url, folder)
    median, ref = statistics.median(ours), statistics.median(theirs)
    report.details["coldstart"] = {"nemo_s": ours, "minimal_server_s": theirs, "python_startup_s": python_s,
                                   "importtime": profile}  # fmt: skip
    report.add(Row("5 cold start", f"spawn -> tools/list answered (median of {runs})", median * 1000,
                   ref * 1000, "ms", "< 1000 ms", median < 1, "reference: a one-tool MCPServer"))  # fmt: skip
    report.add(Row("5 cold start", "imports of `nemo-mcp serve` (sum of -X importtime self)",
                   profile["total_ms"], None, "ms", note=f"{profile['modules']} modules"))  # fmt: skip
    print("  import time by top-level package (ms, self):")
    for name, ms in profile["by_package_ms"].items():
        print(f"    {name:28} {ms:8.1f}")
    print("  watched modules (ms, cumulative when first imported):")
    for name, ms in profile["watched_ms"].items():
        print(f"    {name:28} {ms:8.1f}")


# ---- 6. scale ----------------------------------------------------------------------------------------------


async def bench_scale(report: Report, folder: Path, per_caller: int) -> None:
    levels = (1, 4, 16)
    existing = children()
    with backend_process(folder) as url:
        backend = server_pid(existing, b"bench_backend")
        async with mcp_client(server_params(url, folder)) as client, direct_http(url) as http:
            server = server_pid(existing)
            sids = [await new_session(client, folder) for _ in range(max(levels))]
            for sid in sids:  # warm-up
                await call(client, "get_state", {"session_id": sid})
                await direct_ok(http, "GET", f"/api/state/nemo_agent/me/{sid}/latest")
            for level in levels:
                mcp_s: list[float] = []
                direct_s: list[float] = []

                async def mcp_caller(sid: str, out: list[float]) -> None:
                    for _ in range(per_caller):
                        out.append(await timed(call(client, "get_state", {"session_id": sid})))

                async def direct_caller(sid: str, out: list[float]) -> None:
                    for _ in range(per_caller):
                        out.append(
                            await timed(direct_ok(http, "GET", f"/api/state/nemo_agent/me/{sid}/latest"))
                        )

                cpu = [cpu_seconds(pid) if pid else 0.0 for pid in (server, backend)] + [cpu_seconds(None)]
                started = time.perf_counter()
                await asyncio.gather(*(mcp_caller(sid, mcp_s) for sid in sids[:level]))
                mcp_wall = time.perf_counter() - started
                calls = level * per_caller
                spent = [cpu_seconds(pid) if pid else 0.0 for pid in (server, backend)] + [cpu_seconds(None)]
                cpu_ms = {
                    name: round((after - before) * 1000 / calls, 2)
                    for name, after, before in zip(("server", "backend", "client"), spent, cpu, strict=True)
                }
                started = time.perf_counter()
                await asyncio.gather(*(direct_caller(sid, direct_s) for sid in sids[:level]))
                direct_wall = time.perf_counter() - started
                mcp_ms, direct_ms = statistics.median(_ms(mcp_s)), statistics.median(_ms(direct_s))
                report.details[f"scale_{level}"] = {
                    "cpu_ms_per_mcp_call": cpu_ms,
                    "mcp_p50_ms": mcp_ms,
                    "mcp_p90_ms": _pct(_ms(mcp_s), 0.9),
                    "direct_p50_ms": direct_ms,
                    "direct_p90_ms": _pct(_ms(direct_s), 0.9),
                    "mcp_calls_per_s": calls / mcp_wall,
                    "direct_calls_per_s": calls / direct_wall,
                }
                report.add(Row("6 scale", f"{level:2} sessions: get_state latency (median)", mcp_ms, direct_ms, "ms",
                               note=f"{calls / mcp_wall:.0f} calls/s through MCP, {calls / direct_wall:.0f}/s direct"))  # fmt: skip
                report.add(Row("6 scale", f"{level:2} sessions: added latency per call", mcp_ms - direct_ms, None,
                               "ms", "flat", None))  # fmt: skip
                report.add(Row("6 scale", f"{level:2} sessions: server CPU per call", cpu_ms["server"], None, "ms",
                               note=f"CPU ms per MCP call: {cpu_ms}"))  # fmt: skip
    flat = [r for r in report.rows if r.bench == "6 scale" and "added" in r.measure]
    if flat and flat[0].ours:
        for row in flat:
            row.reference = flat[0].ours
            row.target = "flat (<= 2x the 1-session figure)"
            row.met = row.ours is not None and row.ours <= 2 * flat[0].ours
            row.note = "reference: the added latency with 1 session"


# ---- report ------------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        ram = "unknown"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "ffmpeg_binary": shutil.which("ffmpeg") or "none",
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def print_table(report: Report) -> None:
    header = ("benchmark", "measure", "nemo-mcp", "reference", "ratio", "unit", "target", "met")
    rows = [
        (r.bench, r.measure, _fmt(r.ours), _fmt(r.reference), f"{r.ratio:.2f}x" if r.ratio is not None else "-",
         r.unit, r.target, {True: "yes", False: "NO", None: ""}[r.met])
        for r in report.rows
    ]  # fmt: skip
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    print()
    for line in (header, *rows):
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())


def markdown_table(report: Report) -> str:
    lines = ["| benchmark | measure | nemo-mcp | reference | ratio | unit | target | met |", "|---" * 8 + "|"]
    for r in report.rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        met = {True: "yes", False: "**no**", None: ""}[r.met]
        lines.append(f"| {r.bench} | {r.measure} | {_fmt(r.ours)} | {_fmt(r.reference) if r.reference is not None else ''} "
                     f"| {ratio} | {r.unit} | {r.target} | {met} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", action="append", choices=NAMES, help="run only this benchmark (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the figures and details to this file")
    parser.add_argument(
        "--markdown", type=Path, help="also write the table as Markdown (for docs/benchmarks.md)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = parser.parse_args()
    chosen = args.only or list(NAMES)
    quick = args.quick
    report = Report()
    info = machine()
    print(f"nemo-mcp benchmarks, {info['date']}: {info['nproc']} x {info['cpu']}, {info['ram']}, "
          f"Python {info['python']}, load average {info['load_average']}")  # fmt: skip
    started = time.perf_counter()
    for name in chosen:
        print(f"\n[{name}]", flush=True)
        began = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=f"nemo-bench-{name}-") as tmp:
            folder = Path(tmp)
            (folder / "home").mkdir()
            if name == "overhead":
                asyncio.run(bench_overhead(report, folder, 30 if quick else 200))
            elif name == "progress":
                asyncio.run(bench_progress(report, folder, 200 if quick else 2000))
            elif name == "upload":
                asyncio.run(bench_upload(report, folder, 1 if quick else 5))
            elif name == "render":
                bench_render(report, 1 if quick else 2)
            elif name == "coldstart":
                asyncio.run(bench_coldstart(report, folder, 2 if quick else 5))
            elif name == "scale":
                asyncio.run(bench_scale(report, folder, 5 if quick else 30))
        report.details.setdefault("seconds", {})[name] = time.perf_counter() - began
    total = time.perf_counter() - started
    print_table(report)
    print(f"\nall in {total:.0f} s; load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.markdown:
        args.markdown.write_text(markdown_table(report))
    if args.json:
        payload = {"machine": info, "seconds": total, "rows": [asdict(r) | {"ratio": r.ratio} for r in report.rows],
                   "details": report.details}  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
