"""1. Tool-call overhead: get_credits / get_state through MCP vs the same HTTP requests made directly with
httpx, in blocks (so that the backend's request count is the tool's own); the added latency is the
difference of the medians.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from suite.harness import (
    Report,
    Row,
    backend_process,
    backend_requests,
    call,
    direct_http,
    direct_ok,
    mcp_client,
    median,
    ms,
    new_session,
    pct,
    server_params,
    timed,
)


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
                mcp_ms, direct_ms = median(ms(mcp_s)), median(ms(direct_s))
                added = mcp_ms - direct_ms
                report.details[f"overhead_{tool}"] = {
                    "mcp_ms": {"p50": mcp_ms, "p90": pct(ms(mcp_s), 0.9)},
                    "direct_ms": {"p50": direct_ms, "p90": pct(ms(direct_s), 0.9)},
                    "backend_requests_per_call": per_call,
                }
                report.add(Row("1 overhead", f"{tool} median latency", mcp_ms, direct_ms, "ms",
                               note=f"backend requests per call: {per_call}"))  # fmt: skip
                report.add(Row("1 overhead", f"{tool} added latency (median)", added, None, "ms",
                               "< 5 ms", added < 5))  # fmt: skip
            # The backend alone, back to back on one keep-alive connection (44 ms before 92b71b6: Nagle).
            took = [await timed(direct_ok(http, "GET", "/api/credits/balance/simple")) for _ in range(calls)]
            backend_ms = median(ms(took))
            report.details["backend_get_ms"] = {"p50": backend_ms, "p90": pct(ms(took), 0.9)}
            report.add(Row("1 overhead", "local backend GET (httpx, keep-alive, back to back)", backend_ms, None,
                           "ms", note=f"median of {calls}; the backend alone, no MCP"))  # fmt: skip
