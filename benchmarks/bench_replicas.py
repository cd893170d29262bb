"""Replicas with Redis (issue 14): what shared state costs per call, and a crowd of waiting calls.

    python benchmarks/bench_replicas.py [--calls 200] [--waiters 150] [--sessions 10] [--wait 8] [--json F]

1 latency   `get_state` and `get_credits` through MCP over stateless streamable HTTP, interleaved call by
            call: a replica with its state in Redis (`nemo-mcp serve --http` with NEMO_MCP_REDIS_URL)
            against the same server with its state in process (this script serves `build_server()` with
            the same stateless transport, so the only difference is where the state lives). Reported: the
            medians and p95, and the added latency (difference of the medians; goal: at most +3 ms).
2 waiters   two replicas (1 s leases, the most renewal traffic), `--sessions` turns held running by the
            backend's fault plan, then `--waiters` get_state calls waiting at once (`--wait` s, several
            lease periods), spread over both replicas by a round-robin load balancer. Reported: errors,
            false takeovers (a lease lost or taken over while every replica was alive; and every job still
            at epoch 1), Redis connections during the wait (no connection per waiting call), how long
            the calls took; then the turns are released and a second crowd collects them.
3 failover  two replicas with the default 5 s lease, an export held in flight on A; A killed (SIGKILL),
            paused (SIGSTOP) or stopped (SIGTERM): seconds until B took the render over (its log says so),
            then the render finished by B.

Needs redis-server (Debian: apt-get install redis-server) and the project with its dev extra. The local
backend runs in its own process (benchmarks/bench_backend.py), as in benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
from mcp import Client
from mcp.types import CallToolResult
from redis.asyncio import Redis

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.replicas.helpers import (  # noqa: E402  # the replica tests' real parts: redis, replicas, balancer
    LEASE_S,
    PUBLIC_URL,
    SECRET_KEY,
    LoadBalancer,
    OutputLog,
    RedisServer,
    ReplicaProcess,
    connect,
)
from tests.support import free_port  # noqa: E402

from nemo_mcp.server.shared.config import DEFAULT_LEASE_SECONDS  # noqa: E402
from nemo_mcp.server.shared.redis_io import LEASE_CONNECTIONS, MAIN_CONNECTIONS  # noqa: E402

SHORT = "animate this image into a 1-second video clip"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@contextmanager
def backend_process(folder: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(HERE / "bench_backend.py"), str(folder / "backend")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        if not url.startswith("http"):
            raise SystemExit("the local backend did not start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:  # a render thread still busy: the figures are taken already
            process.kill()
            process.wait(5)


def env_for(folder: Path, name: str, api_url: str, redis_url: str | None, lease_s: float) -> dict[str, str]:
    home = folder / name
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEMO_", "XDG_"))}
    env.update(
        {
            "HOME": str(home),
            "NEMO_API_URL": api_url,
            "NEMO_MCP_ALLOWED_DIRS": str(folder.parent),
            "NEMO_MCP_OUTPUT_DIR": str(home / "out"),
            "NEMO_MCP_CONFIG_DIR": str(home / "config"),
            "NEMO_MCP_DATA_DIR": str(home / "data"),
            "NEMO_MCP_RATE_LIMIT_WAIT": "0",
            "NEMO_MCP_PUBLIC_URL": PUBLIC_URL,
            "NEMO_MCP_LEASE_SECONDS": str(lease_s),
            "NEMO_MCP_SECRET_KEY": SECRET_KEY,
        }
    )
    if redis_url:
        env["NEMO_MCP_REDIS_URL"] = redis_url
    return env


def serve_in_process(port: int) -> None:
    """The reference: the same server and stateless transport, state in this process (no Redis)."""
    import uvicorn

    from nemo_mcp.config import Settings
    from nemo_mcp.server.app import build_server
    from nemo_mcp.server.shared.config import SharedSettings
    from nemo_mcp.server.shared.http import replica_security

    settings = Settings.from_env()
    names = {
        "NEMO_MCP_REDIS_URL": "redis://unused",
        "NEMO_MCP_SECRET_KEY": SECRET_KEY,
        "NEMO_MCP_PUBLIC_URL": PUBLIC_URL,
    }
    shared = SharedSettings.from_env(names)
    assert shared is not None  # only its public names are used, for the same Host checks as a replica
    app = build_server(settings).streamable_http_app(
        stateless_http=True, transport_security=replica_security(shared, "127.0.0.1", port)
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)  # listening from here on: the line below may be waited for
    print(
        f"nemo-mcp: replica in-process serving MCP at http://127.0.0.1:{port}/mcp",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])


@contextmanager
def processes(
    folder: Path, api_url: str, redis_url: str, lease_s: float, reference: bool
) -> Iterator[list[ReplicaProcess]]:
    """Two replicas with Redis, or (reference) one in-process server and one replica."""
    with ExitStack() as stack:
        started = []
        for name in ("a", "b"):
            in_process = reference and name == "a"
            env = env_for(folder, name, api_url, None if in_process else redis_url, lease_s)
            replica = ReplicaProcess(name, free_port(), env)
            if in_process:
                replica.args = []
                command = [sys.executable, str(Path(__file__)), "--serve-in-process", str(replica.port)]
                replica.process = subprocess.Popen(
                    command,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
                replica.log = OutputLog(replica.process.stderr)
            else:
                replica.start()
            stack.callback(replica.stop)
            started.append(replica)
        for replica in started:
            replica.wait_ready()
        yield started


def structured(result: CallToolResult) -> dict[str, Any]:
    if result.is_error or result.structured_content is None:
        raise SystemExit(f"a tool call failed: {result.content}")
    content: dict[str, Any] = result.structured_content
    return content


async def timed(client: Client, name: str, args: dict[str, Any]) -> float:
    began = time.perf_counter()
    result = await client.call_tool(name, args)
    took = time.perf_counter() - began
    if result.is_error:
        raise SystemExit(f"{name} failed: {result.content}")
    return took


async def latency(folder: Path, api_url: str, redis_url: str, image: Path, calls: int) -> dict[str, Any]:
    with processes(folder / "latency", api_url, redis_url, LEASE_S * 5, reference=True) as (local, shared):
        balancers = {"in-process": LoadBalancer([local.port]), "redis": LoadBalancer([shared.port])}
        out: dict[str, Any] = {}
        async with connect(balancers["in-process"]) as ref, connect(balancers["redis"]) as red:
            clients = {"in-process": ref, "redis": red}
            sids = {}
            for name, client in clients.items():
                upload = await client.call_tool("upload", {"source": str(image), "new_session": True})
                sids[name] = structured(upload)["session_id"]
            for tool in ("get_state", "get_credits"):
                times: dict[str, list[float]] = {"in-process": [], "redis": []}
                for i in range(calls + 10):
                    for name, client in clients.items():  # interleaved: both see the same load
                        args = {"session_id": sids[name]} if tool == "get_state" else {}
                        took = await timed(client, tool, args)
                        if i >= 10:
                            times[name].append(took * 1000)
                medians = {name: statistics.median(values) for name, values in times.items()}
                out[tool] = {
                    "median_ms": medians,
                    "p95_ms": {name: _pct(values, 0.95) for name, values in times.items()},
                    "added_median_ms": medians["redis"] - medians["in-process"],
                }
                print(
                    f"  {tool}: in-process {medians['in-process']:.2f} ms, redis {medians['redis']:.2f} ms "
                    f"(+{out[tool]['added_median_ms']:.2f} ms median)",
                    flush=True,
                )
        return out


async def crowd(
    client: Client, sids: list[str], waiters: int, wait_s: float
) -> tuple[list[float], int, list[dict[str, Any]]]:
    durations: list[float] = []
    errors = 0
    answers: list[dict[str, Any]] = []

    async def one(i: int) -> None:
        nonlocal errors
        began = time.perf_counter()
        result = await client.call_tool(
            "get_state", {"session_id": sids[i % len(sids)], "wait_seconds": wait_s}
        )
        durations.append(time.perf_counter() - began)
        if result.is_error:
            errors += 1
        else:
            answers.append(result.structured_content or {})

    await asyncio.gather(*(one(i) for i in range(waiters)))
    return durations, errors, answers


async def connections(redis: Redis, every_s: float, stop: asyncio.Event) -> tuple[int, int, float]:
    """While the crowd waits: the most clients connected to Redis (bounded by the replicas' pools, whatever
    the number of waiting calls), the most subscribed readers (one per replica), and the median commands
    per second."""
    most, readers, rates = 0, 0, []
    while not stop.is_set():
        info = await redis.info()
        most = max(most, int(info["connected_clients"]))
        rates.append(float(info["instantaneous_ops_per_sec"]))
        clients = await redis.client_list()
        readers = max(readers, sum(1 for client in clients if "P" in str(client.get("flags", ""))))
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)
    return most, readers, statistics.median(rates) if rates else 0.0


async def waiters(
    folder: Path, api_url: str, redis_url: str, image: Path, count: int, sessions: int, wait_s: float
) -> dict[str, Any]:
    faults = f"{api_url}/_admin/faults"
    with processes(folder / "waiters", api_url, redis_url, LEASE_S, reference=False) as pair:
        lb = LoadBalancer([replica.port for replica in pair])
        redis = Redis.from_url(redis_url, decode_responses=True)
        async with connect(lb) as client, httpx.AsyncClient(timeout=10) as http:
            (
                await http.post(
                    faults, json={"rules": [{"route": "run_sse", "effect": "stall", "times": None}]}
                )
            ).raise_for_status()
            sids = []
            for _ in range(sessions):
                upload = await client.call_tool("upload", {"source": str(image), "new_session": True})
                sid = structured(upload)["session_id"]
                await client.call_tool(
                    "animate_image", {"instruction": SHORT, "session_id": sid, "wait_seconds": 0}
                )
                sids.append(sid)
            stop = asyncio.Event()
            watcher = asyncio.create_task(connections(redis, 0.25, stop))
            began = time.perf_counter()
            durations, errors, _ = await crowd(client, sids, count, wait_s)
            crowd_s = time.perf_counter() - began
            stop.set()
            most_connections, readers, ops_per_s = await watcher
            (await http.post(f"{api_url}/_admin/reset-faults")).raise_for_status()
            began = time.perf_counter()
            _, late_errors, answers = await crowd(client, sids, count, 50)
            collect_s = time.perf_counter() - began
        epochs = [await redis.hget(key, "epoch") async for key in redis.scan_iter("nemo-mcp:*:job:*")]
        await redis.aclose()
        logs = "\n".join(replica.log.text() for replica in pair if replica.log is not None)
    lines = [line for line in logs.splitlines() if "took over job" in line or "lost the lease" in line]
    for line in lines:
        print(f"  ! {line}", flush=True)
    false_takeovers = len(lines)
    finished = sum(1 for answer in answers if answer.get("finished_turn"))
    result = {
        "waiters": count,
        "sessions": sessions,
        "wait_s": wait_s,
        "lease_s": LEASE_S,
        "errors": errors + late_errors,
        "false_takeovers": false_takeovers,
        "epochs_above_1": sum(1 for epoch in epochs if epoch != "1"),
        "redis_connections_max": most_connections,
        "redis_connections_bound": 2 * (MAIN_CONNECTIONS + LEASE_CONNECTIONS + 1) + 1,
        "event_readers": readers,
        "redis_ops_per_s_median": ops_per_s,
        "call_s_median": statistics.median(durations),
        "call_s_max": max(durations),
        "crowd_s": crowd_s,
        "collect_s": collect_s,
        "finished_turns_collected": finished,
        "answers_after_release": len(answers),
    }
    print(f"  {json.dumps(result)}", flush=True)
    return result


async def failover(
    folder: Path, api_url: str, redis_url: str, image: Path, lease_s: float
) -> dict[str, float]:
    """Seconds from a signal to replica A (owning a render held in flight) until B took the render over."""
    faults = f"{api_url}/_admin/faults"
    took: dict[str, float] = {}
    for how, sig in (("kill", signal.SIGKILL), ("pause", signal.SIGSTOP), ("sigterm", signal.SIGTERM)):
        with processes(folder / f"failover-{how}", api_url, redis_url, lease_s, reference=False) as (a, b):
            lb = LoadBalancer([a.port, b.port])
            async with connect(lb) as client, httpx.AsyncClient(timeout=10) as http:
                sid = structured(
                    await client.call_tool("upload", {"source": str(image), "new_session": True})
                )["session_id"]
                args = {"instruction": SHORT, "session_id": sid, "wait_seconds": 50}
                structured(await client.call_tool("animate_image", args))
                rule = {"route": "render_submit", "effect": "stall", "times": 1}
                (await http.post(faults, json={"rules": [rule]})).raise_for_status()
                with lb.pin(a.port):
                    structured(await client.call_tool("export", {"session_id": sid, "wait_seconds": 0.5}))
                began = time.monotonic()
                a.signal(sig)
                assert b.log is not None
                await b.log.wait_async("took over job", 4 * lease_s + 10)
                took[how] = time.monotonic() - began
                (await http.post(f"{api_url}/_admin/reset-faults")).raise_for_status()
                with lb.pin(b.port):
                    done = structured(
                        await client.call_tool("export", {"session_id": sid, "wait_seconds": 50})
                    )
                if done.get("status") != "done":
                    raise SystemExit(f"the render taken over did not finish: {done}")
            print(f"  {how}: taken over after {took[how]:.2f} s (lease {lease_s:g} s)", flush=True)
    return took


def sample_image(folder: Path) -> Path:
    import numpy as np
    from PIL import Image

    path = folder / "sample.png"
    xs = np.linspace(0, 255, 640, dtype=np.uint8)[None, :].repeat(480, axis=0)
    ys = np.linspace(0, 255, 480, dtype=np.uint8)[:, None].repeat(640, axis=1)
    Image.fromarray(np.dstack([xs, ys, np.full((480, 640), 128, dtype=np.uint8)]), "RGB").save(path)
    return path


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install -y redis-server)")
    with tempfile.TemporaryDirectory(prefix="nemo-replicas-bench-") as scratch:
        folder = Path(scratch)
        image = sample_image(folder)
        redis = RedisServer(binary, free_port(), folder / "redis").start()
        try:
            with backend_process(folder) as api_url:
                print("1 latency: get_state / get_credits, state in process vs in Redis", flush=True)
                report = {"latency": await latency(folder, api_url, redis.url, image, args.calls)}
                print(f"2 waiters: {args.waiters} calls waiting at once over two replicas", flush=True)
                report["waiters"] = await waiters(
                    folder, api_url, redis.url, image, args.waiters, args.sessions, args.wait
                )
                print(f"3 failover: a render taken over, lease {args.lease:g} s", flush=True)
                report["failover_s"] = await failover(folder, api_url, redis.url, image, args.lease)
                return report
        finally:
            redis.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--waiters", type=int, default=150)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--wait", type=float, default=8.0)
    parser.add_argument(
        "--lease", type=float, default=DEFAULT_LEASE_SECONDS, help="lease for the failover runs"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--serve-in-process", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_in_process:
        serve_in_process(args.serve_in_process)
        return
    report = asyncio.run(main_async(args))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
