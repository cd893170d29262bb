"""A replica killed, paused or stopped during a render or a turn: the other carries the work on.

The backend's fault plan holds the work in flight (`render_submit stall`, `run_sse stall`) while the test
kills, pauses or stops replica A by its process id; replica B's log says when it took the job over, and
the backend's counts prove that nothing ran twice: one render id, one message. Leases are 1 s here.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from redis.asyncio import Redis

from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.server.shared.keys import Keys
from tests.replicas.conftest import Cluster
from tests.replicas.helpers import LEASE_S, ReplicaProcess, connect
from tests.replicas.test_any_replica import SHORT, animated, ok, stalled_turn, submits
from tests.server.conftest import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

# Takeover within one lease plus a reaper pass, with room for two loaded cores; the product bound is 15 s.
TAKEOVER_LIMIT_S = 4 * LEASE_S + 3


@asynccontextmanager
async def events(redis: Redis, backend: LocalBackend) -> AsyncIterator[list[dict[str, Any]]]:
    """Every job event published while the block runs (the test listens like a replica's reader)."""
    seen: list[dict[str, Any]] = []
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(Keys.for_scope(backend.url).events)

    async def listen() -> None:
        async for message in pubsub.listen():
            seen.append(json.loads(message["data"]))

    async with anyio.create_task_group() as tg:
        tg.start_soon(listen)
        yield seen
        tg.cancel_scope.cancel()
    await pubsub.aclose()  # type: ignore[no-untyped-call]


async def takeover(survivor: ReplicaProcess, since: float) -> float:
    """Seconds from `since` until the survivor says it took a job over."""
    assert survivor.log is not None
    await survivor.log.wait_async(r"took over job", TAKEOVER_LIMIT_S + 5)
    return time.monotonic() - since


async def running_export(cluster: Cluster, client: Any, backend: LocalBackend, sid: str) -> None:
    """An export started on A and held in flight by the backend."""
    backend.faults.add("render_submit", "stall")
    with cluster.balancer.pin(cluster.a.port):
        started = ok(await client.call_tool("export", {"session_id": sid, "wait_seconds": 0.5}))
    assert started["status"] == "running", started


async def finished_export(client: Any, backend: LocalBackend) -> dict[str, Any]:
    backend.faults.reset()
    sid = backend.context.store.renders()[0].session_id
    done = ok(await client.call_tool("export", {"session_id": sid, "wait_seconds": 50}))
    assert done["status"] == "done", done
    # The same render id, submitted once: never a second render.
    assert submits(backend) == 1
    assert [render.id for render in backend.context.store.renders()] == [done_render_id(done, backend)]
    return done


def done_render_id(done: dict[str, Any], backend: LocalBackend) -> str:
    render = backend.context.store.renders()[0]
    assert render.id.removeprefix("render_")[:12] in done["path"]
    return render.id


@pytest.mark.parametrize("how", ["kill", "sigterm"])
async def test_a_render_survives_its_replica(
    how: str, start_cluster: Callable[..., Cluster], backend: LocalBackend, sample_png: Path
) -> None:
    cluster = start_cluster()
    async with connect(cluster.balancer) as client:
        sid = await animated(client, sample_png)
        await running_export(cluster, client, backend, sid)
        since = time.monotonic()
        cluster.a.signal(signal.SIGKILL if how == "kill" else signal.SIGTERM)
        cluster.balancer.remove(cluster.a.port)  # the load balancer's health check notices
        took = await takeover(cluster.b, since)
        print(f"\nfailover after {how}: {took:.2f} s")
        assert took < TAKEOVER_LIMIT_S
        if how == "sigterm":
            assert took < LEASE_S, "a handover does not wait for the lease to run out"
            assert cluster.a.process is not None
            assert cluster.a.log is not None
            # uvicorn re-raises the signal once it has shut down: the exit says SIGTERM, the log says handover.
            assert cluster.a.process.wait(10) in (0, -signal.SIGTERM)
            assert "handed 1 job(s) over" in cluster.a.log.text()
        await finished_export(client, backend)


async def test_a_paused_replica_writes_nothing_after_it_lost_its_lease(
    start_cluster: Callable[..., Cluster], backend: LocalBackend, sample_png: Path, redis: Redis
) -> None:
    cluster = start_cluster()
    async with connect(cluster.balancer) as client:
        sid = await animated(client, sample_png)
        await running_export(cluster, client, backend, sid)
        async with events(redis, backend) as seen:
            since = time.monotonic()
            cluster.a.signal(signal.SIGSTOP)
            cluster.balancer.remove(cluster.a.port)
            took = await takeover(cluster.b, since)
            print(f"\nfailover after SIGSTOP: {took:.2f} s")
            assert cluster.a.log is not None
            mark = len(cluster.a.log.lines)
            cluster.a.signal(signal.SIGCONT)
            # A wakes up, finds its lease in B's name, and stops the work without a write.
            await cluster.a.log.wait_async("lost the lease of job", 10, after=mark)
            await finished_export(client, backend)
        writers = {event["w"].rsplit(":", 1)[0] for event in seen if event.get("w")}
        assert writers == {cluster.b.replica_id}, seen
        job = await only_job(redis)
        assert job["owner"] == cluster.b.replica_id
        assert job["writer"] == f"{cluster.b.replica_id}:2"
        assert job["status"] == "done"


async def only_job(redis: Redis) -> dict[str, str]:
    keys = [key async for key in redis.scan_iter("nemo-mcp:*:job:*")]
    jobs: list[dict[str, str]] = [await redis.hgetall(key) for key in keys]  # type: ignore[misc]
    exports = [job for job in jobs if job.get("kind") == "export"]
    assert len(exports) == 1, jobs
    return exports[0]


SIGNALS = {"kill": signal.SIGKILL, "pause": signal.SIGSTOP, "sigterm": signal.SIGTERM}


@pytest.mark.parametrize("how", list(SIGNALS))
async def test_a_turn_sent_before_its_replica_stopped_is_recovered_never_sent_again(
    how: str, start_cluster: Callable[..., Cluster], backend: LocalBackend, sample_png: Path, redis: Redis
) -> None:
    cluster = start_cluster()
    lb = cluster.balancer
    async with connect(lb) as client:
        with lb.pin(cluster.a.port):
            sid = await stalled_turn(client, backend, sample_png)
        async with events(redis, backend) as seen:
            since = time.monotonic()
            cluster.a.signal(SIGNALS[how])
            lb.remove(cluster.a.port)
            took = await takeover(cluster.b, since)
            print(f"\nfailover of a turn after {how}: {took:.2f} s")
            if how == "pause":
                assert cluster.a.log is not None
                mark = len(cluster.a.log.lines)
                cluster.a.signal(signal.SIGCONT)
                # A's stream is still open: it stops following it without a write (and never re-sends).
                await cluster.a.log.wait_async("lost the lease of job", 10, after=mark)
            backend.faults.reset()  # the backend finishes the work it was given once
            state = ok(await client.call_tool("get_state", {"session_id": sid, "wait_seconds": 50}))
        writers = {event["w"].rsplit(":", 1)[0] for event in seen if event.get("w")}
        assert writers == {cluster.b.replica_id}, seen
    assert state["finished_turn"] is not None, state
    assert state["finished_turn"]["ready_to_export"] is True
    assert "connection dropped" in (state["finished_turn"]["notice"] or "")
    assert backend.stats.messages_for(sid) == [SHORT]


async def test_a_turn_whose_replica_died_before_sending_fails_clearly(
    start_cluster: Callable[..., Cluster], backend: LocalBackend, sample_png: Path
) -> None:
    cluster = start_cluster()
    lb = cluster.balancer
    async with connect(lb) as client:
        with lb.pin(cluster.a.port):
            sid = ok(await client.call_tool("upload", {"source": str(sample_png), "new_session": True}))[
                "session_id"
            ]
            # The turn reads the session's state before it sends: hold that read, so A dies before the send.
            backend.faults.add("state", "delay", 3)
            started = ok(
                await client.call_tool(
                    "animate_image", {"instruction": SHORT, "session_id": sid, "wait_seconds": 0.5}
                )
            )
        assert started["status"] == "running", started
        cluster.a.signal(signal.SIGKILL)
        lb.remove(cluster.a.port)
        await takeover(cluster.b, time.monotonic())
        state = ok(await client.call_tool("get_state", {"session_id": sid, "wait_seconds": 10}))
        again = await client.call_tool(
            "animate_image", {"instruction": SHORT, "session_id": sid, "wait_seconds": 50}
        )
    assert "was not sent, and nothing was charged" in state["message"], state
    assert "Send it again" in state["next_step"] or "animate_image" in state["next_step"]
    assert not again.is_error, text_of(again)
    assert backend.stats.messages_for(sid) == [SHORT]  # once: by the person's own second call
