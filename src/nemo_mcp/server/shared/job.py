"""One job in Redis, as the tools read it (`RedisJob`) and as its owner's work writes it (`RedisControl`).

A `RedisJob` is what the job hash said when it was read; `wait` follows it through this replica's reader
(`hub.py`) and reads the hash again when the reader says so, when it reconnected, and at least once a lease
period in case an event was lost, so no job is ever waited on past its end. Nothing here holds a
connection while waiting.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import anyio

from nemo_mcp.errors import JobCancelledError, NemoError, SharedStateUnavailableError
from nemo_mcp.server.jobs import TICK_SECONDS, JobKind, JobStatus
from nemo_mcp.server.shared.codec import (
    decode_error,
    decode_result,
    decode_update,
    encode_snapshot,
    encode_update,
)
from nemo_mcp.server.shared.hub import Watch, event
from nemo_mcp.service.models import ProgressUpdate
from nemo_mcp.service.progress import ProgressSink
from nemo_mcp.service.sessions import Snapshot
from nemo_mcp.service.text import format_duration

if TYPE_CHECKING:
    from nemo_mcp.server.shared.engine import Engine

log = logging.getLogger(__name__)


def now_ms() -> int:
    # Wall-clock milliseconds: replicas on different machines agree on it (monotonic clocks do not).
    return int(time.time() * 1000)


@dataclass
class LocalRun:
    """A job this replica owns and runs: the lease token it writes with, and how to stop its work."""

    job_id: str
    token: str
    label: str
    # Whose work, of which kind, for which session: where a finished job is found again.
    user: str = ""
    kind: str = ""
    session_id: str = ""
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    # Why the work stopped, if it was stopped: the lease was lost, the replica hands over, a person cancelled.
    lost: bool = False
    handed_over: bool = False
    cancel_requested: bool = False


class RedisJob:
    """A job as read from Redis. Its `wait` and `collect` work on any replica."""

    def __init__(self, engine: Engine, fields: dict[str, str]) -> None:
        self._engine = engine
        self.id = fields["id"]
        self._load(fields)

    def _load(self, fields: dict[str, str]) -> None:
        self.kind = cast(JobKind, fields.get("kind", "turn"))
        self.session_id: str | None = fields.get("sid") or None
        self.label = fields.get("label") or "work"
        self._status = fields.get("status") or "running"
        self.latest = decode_update(fields.get("latest"))
        self._started = int(fields.get("started") or now_ms())
        self._finished = int(fields["finished"]) if fields.get("finished") else None
        self._result = fields.get("result")
        self._error = fields.get("error")

    def __repr__(self) -> str:
        return f"RedisJob({self.kind}, session={self.session_id}, status={self._status})"

    @property
    def done(self) -> bool:
        return self._status != "running"

    @property
    def status(self) -> JobStatus:
        return cast(JobStatus, self._status)

    @property
    def elapsed_s(self) -> float:
        end = self._finished if self._finished is not None else now_ms()
        return max(0.0, (end - self._started) / 1000)

    @property
    def error(self) -> NemoError | None:
        if self._status == "cancelled":
            return JobCancelledError(f"The {self.label} was cancelled.")
        if self._status == "failed":
            return decode_error(self._error or "")
        return None

    def describe(self) -> str:
        doing = self.latest.message if self.latest is not None else self.label
        if self.done:
            return f"{self.label}: {self.status} after {format_duration(self.elapsed_s)}"
        return f"{doing}, {format_duration(self.elapsed_s)}"

    async def refresh(self) -> None:
        fields = await self._engine.read(self.id)
        if fields is not None:
            self._load(fields)

    async def collect(self) -> Any:
        if not self.done:
            raise RuntimeError(f"{self!r} has not finished")
        await self._engine.collect(self.id)
        error = self.error
        if error is not None:
            raise error
        if self._result is None:
            raise NemoError(f"The {self.label} finished, but its result was not recorded.")
        return decode_result(self._result)

    async def wait(self, budget_s: float, listener: ProgressSink | None = None) -> bool:
        """Wait up to `budget_s`, passing progress on; True when it finished. A stopping replica stops
        waiting at once (the work goes on elsewhere): the call answers "running" and the client comes back."""
        if self.done or budget_s <= 0:
            return self.done
        deadline = anyio.current_time() + budget_s
        with self._engine.hub.watch(self.id) as watch:
            # Read after watching: an end published between the first read and the watch is not missed.
            await self.refresh()
            await self._follow(watch, deadline, listener)
        return self.done

    async def _follow(self, watch: Watch, deadline: float, listener: ProgressSink | None) -> None:
        if self.latest is not None and not self.done:
            # A call that starts waiting (perhaps on another replica than the work) hears where it stands.
            listener = await _tell(listener, self.latest, self)
        told = looked = anyio.current_time()
        every = self._engine.refresh_s
        while not self.done and not self._engine.stopping:
            now = anyio.current_time()
            if now >= deadline:
                return
            fired = await watch.next(min(deadline - now, told + TICK_SECONDS - now, looked + every - now))
            update, look = watch.take() if fired else (None, False)
            now = anyio.current_time()
            if look or now - looked >= every:
                await self.refresh()
                looked = now
            if update is not None:
                self.latest = update
            elif now - told < TICK_SECONDS or self.done:
                continue
            else:
                update = ProgressUpdate(message=f"still working: {self.describe()}")
            told = now
            listener = await _tell(listener, update, self)


async def _tell(listener: ProgressSink | None, update: ProgressUpdate, job: RedisJob) -> ProgressSink | None:
    """Pass an update on; a listener that fails (the caller went away) hears nothing more."""
    if listener is None:
        return None
    try:
        await listener(update)
    except Exception:
        log.debug("a progress listener of %r failed; it gets no more updates", job, exc_info=True)
        return None
    return listener


class RedisControl:
    """What the owner's work calls (`board.JobControl`); every write is fenced by the lease."""

    def __init__(self, engine: Engine, run: LocalRun) -> None:
        self._engine = engine
        self._run = run
        self.bound: str | None = None

    async def report(self, update: ProgressUpdate) -> None:
        text = encode_update(update)
        try:
            message = event(self._run.job_id, "progress", text, self._run.token)
            await self._engine.write(self._run, {"latest": text}, message=message)
        except SharedStateUnavailableError:
            # Progress is not worth stopping the work for; the lease decides who carries it on.
            log.debug("progress of %s not recorded: Redis is unavailable", self._run.job_id)

    def bind(self, session_id: str) -> None:
        self.bound = session_id

    async def checkpoint(self, before: Snapshot) -> None:
        """Record, fenced, that the message is about to go out: raises (and nothing is sent) unless this
        replica still owns the job. A replica taking over afterwards recovers from the state, never re-sends."""
        await self._engine.write(self._run, {"phase": "sent", "before": encode_snapshot(before)})


__all__ = ["LocalRun", "RedisControl", "RedisJob", "now_ms"]
