"""Fixtures: a real redis-server, one local backend, and two `serve --http` replicas with their own homes.

Without the redis-server binary the replica tests are skipped, except under CI (`CI` set), where a missing
binary fails the run: `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis.asyncio import Redis

from nemo_mcp.local.runner import BackendOptions, LocalBackend
from tests.replicas.helpers import (
    LEASE_S,
    PUBLIC_URL,
    SECRET_KEY,
    LoadBalancer,
    RedisServer,
    ReplicaProcess,
)
from tests.support import free_port


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install -y redis-server; .ci/run does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer(binary, free_port(), tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    """A client for the test itself: to read what the replicas wrote (leases, owners, epochs)."""
    client = Redis.from_url(redis_server.url, decode_responses=True)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[LocalBackend]:
    """One local backend for every replica; it fetches URL uploads from loopback (the test's file server)."""
    options = BackendOptions(admin=True, heartbeat_interval_s=0.2, allow_private_urls=True, metered=True)
    backend = LocalBackend(tmp_path / "backend-data", options=options).start()
    try:
        yield backend
    finally:
        backend.stop()


def replica_env(tmp_path: Path, name: str, api_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """A replica's environment: its own home, config, data and output folders; the shared Redis."""
    home = tmp_path / name
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NEMO_", "XDG_"))}
    env.update(
        {
            "HOME": str(home),
            "NEMO_API_URL": api_url,
            "NEMO_MCP_ALLOWED_DIRS": str(tmp_path),
            "NEMO_MCP_OUTPUT_DIR": str(home / "out"),
            "NEMO_MCP_CONFIG_DIR": str(home / "config"),
            "NEMO_MCP_DATA_DIR": str(home / "data"),
            "NEMO_MCP_RATE_LIMIT_WAIT": "0",
            "NEMO_MCP_REDIS_URL": redis_url,
            "NEMO_MCP_SECRET_KEY": SECRET_KEY,
            "NEMO_MCP_LEASE_SECONDS": str(LEASE_S),
            "NEMO_MCP_PUBLIC_URL": PUBLIC_URL,
            # A turn taken over is recovered from the state: first look after 1 s, then every 2 s.
            "NEMO_MCP_RECOVERY_DELAY": "1",
        }
    )
    env.update(extra)
    return env


@dataclass
class Cluster:
    a: ReplicaProcess
    b: ReplicaProcess
    balancer: LoadBalancer

    def other(self, replica: ReplicaProcess) -> ReplicaProcess:
        return self.b if replica is self.a else self.a


@pytest.fixture
def start_cluster(
    tmp_path: Path, backend: LocalBackend, redis_server: RedisServer
) -> Iterator[Callable[..., Cluster]]:
    """Start two replicas (extra environment for both as keyword arguments); both stop at the end."""
    started: list[ReplicaProcess] = []
    with ExitStack() as stack:

        def start(**extra: str) -> Cluster:
            pair = [
                ReplicaProcess(
                    name, free_port(), replica_env(tmp_path, name, backend.url, redis_server.url, **extra)
                )
                for name in ("a", "b")
            ]
            for replica in pair:
                stack.callback(replica.reap)
                stack.callback(replica.stop)
                replica.start()
                started.append(replica)
            for replica in pair:
                replica.wait_ready()
            return Cluster(pair[0], pair[1], LoadBalancer([replica.port for replica in pair]))

        yield start
    # Whatever a test did to them, no replica may have logged a traceback (a crash hidden behind an answer).
    for replica in started:
        assert replica.log is not None
        assert "Traceback" not in replica.log.text(), f"replica {replica.name}:\n{replica.log.text()}"
