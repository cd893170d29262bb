"""2. Progress latency: `bench-burst N RATE` turns.

The backend stamps each SSE text event with perf_counter_ns() (CLOCK_MONOTONIC, shared by every process)
as it hands it to uvicorn; the client compares it with its own clock when the matching progress
notification arrives. A listener that falls behind gets the newest update (coalescing), so fewer
notifications than events is by design; what is checked is their latency and that the last event always
arrives.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from mcp import Client

from suite.harness import (
    Report,
    Row,
    backend_process,
    call,
    children,
    cpu_seconds,
    mcp_client,
    median,
    new_session,
    pct,
    server_params,
    server_pid,
)


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
        p50, p99 = median(latencies), pct(latencies, 0.99)
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
