"""The Redis connections of one replica, kept apart so that no kind of work can starve another.

    main     a blocking pool for the tools' short commands (reads, job starts, fenced writes)
    leases   a small pool of its own for renewals, claims and releases: a flood of calls can never delay
             a renewal past the lease (the pool trap of docs/scale-out.md: every job falsely taken over)
    pubsub   one connection, held by the one reader of this replica (`hub.py`)

No waiting call ever holds a connection: calls wait on in-process events that the reader sets. Every
failure comes out as `SharedStateUnavailableError`, and nothing falls back to local state.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from nemo_mcp.errors import SharedStateUnavailableError
from nemo_mcp.server.shared import scripts
from nemo_mcp.server.shared.keys import Keys

log = logging.getLogger(__name__)

MAIN_CONNECTIONS = 64
LEASE_CONNECTIONS = 4
# Waiting longer than this for a free connection means Redis is not keeping up: say so.
POOL_WAIT_S = 5.0
SOCKET_TIMEOUT_S = 2.0
CONNECT_TIMEOUT_S = 1.0


@contextmanager
def shared_state(what: str) -> Iterator[None]:
    """Any Redis failure inside becomes one clear `SharedStateUnavailableError` (no URL, no password)."""
    try:
        yield
    except (RedisError, OSError) as exc:
        if not isinstance(exc, RedisConnectionError | RedisTimeoutError | OSError):
            log.warning("Redis refused a command while %s: %s", what, type(exc).__name__)
        raise SharedStateUnavailableError(
            f"The shared state (Redis) cannot be reached while {what} ({type(exc).__name__})."
        ) from None


def _client(url: str, connections: int) -> Redis:
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=connections,
        timeout=POOL_WAIT_S,
        decode_responses=True,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        # One quick retry rides out a connection Redis closed; a Redis that is down fails the call at once.
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
        health_check_interval=30,
    )
    return Redis(connection_pool=pool)


class SharedRedis:
    """The pools and the scripts, bound to the pool each one runs on."""

    def __init__(self, url: str, keys: Keys) -> None:
        self.keys = keys
        self.main = _client(url, MAIN_CONNECTIONS)
        self.leases = _client(url, LEASE_CONNECTIONS)
        self._pubsub_client = _client(url, 1)
        self.start = self.main.register_script(scripts.START)
        self.fenced = self.main.register_script(scripts.FENCED)
        self.find = self.main.register_script(scripts.FIND)
        self.session_jobs = self.main.register_script(scripts.SESSION_JOBS)
        self.collect = self.main.register_script(scripts.COLLECT)
        self.cancel = self.main.register_script(scripts.CANCEL)
        self.session_get = self.main.register_script(scripts.SESSION_GET)
        self.session_latest = self.main.register_script(scripts.SESSION_LATEST)
        self.session_touch = self.main.register_script(scripts.SESSION_TOUCH)
        self.renew: AsyncScript = self.leases.register_script(scripts.RENEW)
        self.release: AsyncScript = self.leases.register_script(scripts.RELEASE)
        self.claim: AsyncScript = self.leases.register_script(scripts.CLAIM)

    def pubsub(self) -> PubSub:
        return self._pubsub_client.pubsub(ignore_subscribe_messages=True)

    async def healthy(self) -> bool:
        try:
            return bool(await self.main.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        for client in (self.main, self.leases, self._pubsub_client):
            try:
                await client.aclose()
            except (RedisError, OSError):
                log.debug("closing a Redis client failed", exc_info=True)


__all__ = ["SharedRedis", "shared_state"]
