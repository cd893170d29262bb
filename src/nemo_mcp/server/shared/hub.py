"""One reader per replica: a single pub/sub connection hears every job event and wakes the calls waiting here.

    owner replica ──FENCED write + PUBLISH──▶ {p}events ──▶ the one reader of each replica
                                                               └─▶ Watch of every call waiting on that job

A waiting call holds no connection (150 waiting calls cost one connection, not 150: the pool trap of
docs/scale-out.md). A `Watch` keeps only the newest progress, so a slow client hears the newest state rather
than a backlog, and "look again" (the job finished, or the reader reconnected and may have missed news),
which is never dropped. Cancel and handover events go to the board.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import anyio
from redis.exceptions import RedisError

from nemo_mcp.server.shared.codec import decode_update
from nemo_mcp.server.shared.redis_io import SharedRedis
from nemo_mcp.service.models import ProgressUpdate

log = logging.getLogger(__name__)

# How long one read waits for a message before the reader looks at the connection again.
READ_TIMEOUT_S = 1.0
RECONNECT_FIRST_S = 0.1
RECONNECT_MAX_S = 2.0


class Watch:
    """What one waiting call has not taken yet: the newest progress, and whether to read the job again."""

    def __init__(self) -> None:
        self.update: ProgressUpdate | None = None
        self.look = False
        self._event = anyio.Event()

    def poke(self) -> None:
        self._event.set()

    async def next(self, timeout_s: float) -> bool:
        """Wait up to `timeout_s` for news; True when there is some (take it with `take`)."""
        if not self._event.is_set():
            with anyio.move_on_after(timeout_s):
                await self._event.wait()
        fired = self._event.is_set()
        self._event = anyio.Event()
        return fired

    def take(self) -> tuple[ProgressUpdate | None, bool]:
        update, look = self.update, self.look
        self.update, self.look = None, False
        return update, look


class Hub:
    """This replica's reader of `{p}events` and its local fan-out."""

    def __init__(
        self, redis: SharedRedis, on_cancel: Callable[[str], None], on_handover: Callable[[], None]
    ) -> None:
        self._redis = redis
        self._on_cancel = on_cancel
        self._on_handover = on_handover
        self._watches: dict[str, set[Watch]] = {}

    @property
    def waiting(self) -> int:
        return sum(len(watches) for watches in self._watches.values())

    @contextmanager
    def watch(self, job_id: str) -> Iterator[Watch]:
        watch = Watch()
        self._watches.setdefault(job_id, set()).add(watch)
        try:
            yield watch
        finally:
            watches = self._watches.get(job_id)
            if watches is not None:
                watches.discard(watch)
                if not watches:
                    del self._watches[job_id]

    def wake_all(self) -> None:
        """Every waiting call reads its job again (news may have been missed, or this replica is stopping)."""
        for watches in self._watches.values():
            for watch in watches:
                watch.look = True
                watch.poke()

    async def run(self) -> None:
        """Read events until cancelled, reconnecting (with a growing pause) whenever Redis goes away."""
        pause = RECONNECT_FIRST_S
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._redis.keys.events)
                # Anything published while this reader was away is lost to pub/sub: every waiter looks again.
                self.wake_all()
                pause = RECONNECT_FIRST_S
                while True:
                    message = await pubsub.get_message(timeout=READ_TIMEOUT_S)
                    if message is not None and message.get("type") == "message":
                        self.dispatch(str(message["data"]))
            except (RedisError, OSError) as exc:
                log.info("the event reader lost Redis (%s); reconnecting", type(exc).__name__)
            finally:
                with anyio.CancelScope(shield=True), anyio.move_on_after(1):
                    try:
                        await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                    except (RedisError, OSError):
                        log.debug("closing the event reader failed", exc_info=True)
            self.wake_all()
            await anyio.sleep(pause)
            pause = min(pause * 2, RECONNECT_MAX_S)

    def dispatch(self, data: str) -> None:
        try:
            raw = json.loads(data)
            job_id, kind = str(raw["job"]), str(raw["t"])
        except (ValueError, KeyError, TypeError):
            log.debug("ignoring an unreadable job event")
            return
        if kind == "cancel":
            self._on_cancel(job_id)
        elif kind == "handover":
            self._on_handover()
        for watch in self._watches.get(job_id, ()):
            if kind == "progress":
                watch.update = decode_update(raw.get("u"))
            else:
                watch.look = True
            watch.poke()


def event(job_id: str, kind: str, update: str | None = None, writer: str | None = None) -> str:
    """An event as published: the job, what happened, for progress the update itself, and who wrote it
    (the owner's lease token: operators and tests can see that a replica that lost a job went quiet)."""
    return json.dumps({"job": job_id, "t": kind, "u": update, "w": writer})


__all__ = ["Hub", "Watch", "event"]
