"""6. Scale: 1, 4 and 16 concurrent callers, each on its own session of one server, calling get_state.

Three ways of making the same call, interleaved level by level and round by round:
- nemo-mcp's `get_state` through MCP (stdio);
- a bare MCPServer whose one tool makes the same backend request with httpx (`bench_bare_server.py`),
  through MCP the same way: what any Python MCP server pays for a proxied request;
- the request made directly with httpx (no MCP at all).
Each level makes the same number of calls in total, split between its callers, so that CPU per call is
measured over a similar span at every level (the kernel counts CPU in 10 ms ticks). Figures are medians
over the rounds: of each round's median latency, of each round's CPU per call.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from mcp import Client

from suite.harness import (
    CLIENT_ID,
    Report,
    Row,
    backend_process,
    call,
    children,
    cpu_seconds,
    direct_http,
    direct_ok,
    mcp_client,
    median,
    ms,
    new_session,
    python_params,
    server_params,
    server_pid,
    state_path,
    text_of,
    timed,
)

LEVELS = (1, 4, 16)
OURS, BARE, DIRECT = "nemo-mcp", "bare server", "direct httpx"


@dataclass
class Way:
    """One way of making the call, and the process that serves it (None: direct calls have none)."""

    name: str
    pid: int | None
    call: Callable[[str], Awaitable[object]]


@dataclass
class Sample:
    """One level of one way in one round."""

    latencies_s: list[float]
    wall_s: float
    cpu_ms: dict[str, float]  # per call, by process: server, backend, client


async def bare_call(client: Client, sid: str) -> None:
    result = await client.call_tool("get_state", {"session_id": sid})
    if result.is_error:
        raise SystemExit(f"the bare server's get_state failed: {text_of(result)}")


async def run_level(way: Way, sids: list[str], level: int, total: int, backend: int | None) -> Sample:
    per_caller = max(1, total // level)
    latencies: list[float] = []

    async def caller(sid: str) -> None:
        for _ in range(per_caller):
            latencies.append(await timed(way.call(sid)))

    pids = {"server": way.pid, "backend": backend, "client": None}
    before = {name: cpu_seconds(pid) for name, pid in pids.items() if pid or name == "client"}
    started = time.perf_counter()
    await asyncio.gather(*(caller(sid) for sid in sids[:level]))
    wall = time.perf_counter() - started
    calls = per_caller * level
    spent = {name: (cpu_seconds(pids[name]) - was) * 1000 / calls for name, was in before.items()}
    return Sample(latencies, wall, spent)


async def bench_scale(report: Report, folder: Path, total: int, rounds: int) -> None:
    existing = children()
    with backend_process(folder) as url:
        backend = server_pid(existing, b"bench_backend")
        bare_env = {"BENCH_API_URL": url, "BENCH_CLIENT_ID": CLIENT_ID}
        if os.environ.get("PYTHONPATH"):
            bare_env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        bare_params = python_params("bench_bare_server.py", env=bare_env)
        async with (
            mcp_client(server_params(url, folder)) as ours,
            mcp_client(bare_params) as bare,
            direct_http(url) as http,
        ):
            ways = [
                Way(OURS, server_pid(existing), lambda sid: call(ours, "get_state", {"session_id": sid})),
                Way(BARE, server_pid(existing, b"bench_bare_server"), lambda sid: bare_call(bare, sid)),
                Way(DIRECT, None, lambda sid: direct_ok(http, "GET", state_path(sid))),
            ]
            sids = [await new_session(ours, folder) for _ in range(max(LEVELS))]
            for way in ways:  # warm-up: connections, the claim links nemo-mcp caches per session
                for sid in sids:
                    await way.call(sid)
            samples: dict[tuple[int, str], list[Sample]] = {}
            for _ in range(rounds):
                for level in LEVELS:
                    for way in ways:
                        sample = await run_level(way, sids, level, total, backend)
                        samples.setdefault((level, way.name), []).append(sample)
    _rows(report, samples, rounds)


def _p50_ms(samples: list[Sample]) -> float:
    return median([median(ms(s.latencies_s)) for s in samples])


def _cpu_ms(samples: list[Sample], process: str = "server") -> float:
    return median([s.cpu_ms.get(process, 0.0) for s in samples])


def _rows(report: Report, samples: dict[tuple[int, str], list[Sample]], rounds: int) -> None:
    one_cpu = _cpu_ms(samples[(1, OURS)])
    for level in LEVELS:
        ours, bare, direct = (samples[(level, name)] for name in (OURS, BARE, DIRECT))
        rates = {name: median([len(s.latencies_s) / s.wall_s for s in samples[(level, name)]])
                 for name in (OURS, BARE, DIRECT)}  # fmt: skip
        report.details[f"scale_{level}"] = {
            name: {"p50_ms_by_round": [median(ms(s.latencies_s)) for s in samples[(level, name)]],
                   "cpu_ms_per_call_by_round": [s.cpu_ms for s in samples[(level, name)]],
                   "calls_per_s": rates[name]}
            for name in (OURS, BARE, DIRECT)
        }  # fmt: skip
        goal = level == max(LEVELS)
        report.add(Row("6 scale", f"{level:2} callers: get_state latency (median of {rounds} rounds' medians)",
                       _p50_ms(ours), _p50_ms(bare), "ms", "<= 1.5x bare server" if goal else "",
                       _p50_ms(ours) <= 1.5 * _p50_ms(bare) if goal else None,
                       f"reference: the bare server; calls/s: {', '.join(f'{k} {v:.0f}' for k, v in rates.items())}"))  # fmt: skip
        report.add(Row("6 scale", f"{level:2} callers: latency of the request made directly with httpx",
                       _p50_ms(direct), None, "ms", note="no MCP: the backend and the client alone"))  # fmt: skip
        report.add(Row("6 scale", f"{level:2} callers: server CPU per call", _cpu_ms(ours), _cpu_ms(bare), "ms",
                       note=f"reference: the bare server's; backend {_cpu_ms(ours, 'backend'):.2f} ms, "
                            f"client {_cpu_ms(ours, 'client'):.2f} ms per call"))  # fmt: skip
        if level > 1:
            report.add(Row("6 scale", f"{level:2} callers: server CPU per call against 1 caller", _cpu_ms(ours),
                           one_cpu, "ms", "<= 1.2x", _cpu_ms(ours) <= 1.2 * one_cpu,
                           "reference: nemo-mcp's own figure with 1 caller, same run"))  # fmt: skip
