"""Long work owned by the server process: generation turns and renders, with handles that outlive a tool call.

Video generation takes minutes and MCP clients cancel a tool call after about a minute, so a tool never runs
the work itself. It starts a `Job` in the server's task group (or finds the one already running for the
session), waits on it for its budget, and answers with the result or with a "still running" handle:

    tool call ──start──▶ Job (runs in the lifespan task group, keyed by kind and session)
        │                  │ progress ──▶ every call waiting on it, as MCP progress notifications
        └─wait(budget)─────┤
          done?  result    │ finished: the result is kept until a later call collects it
          expired: handle  │ a cancelled tool call stops waiting; the job carries on

Nothing here imports MCP: a waiter receives `ProgressUpdate`s and decides what to do with them.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from nemo_mcp.errors import JobCancelledError, JobCrashedError, NemoError
from nemo_mcp.service.models import ProgressUpdate
from nemo_mcp.service.progress import ProgressSink
from nemo_mcp.service.text import format_duration

if TYPE_CHECKING:  # for annotations only: importing it would load the API client at start
    from nemo_mcp.service.sessions import Snapshot

log = logging.getLogger(__name__)

JobKind = Literal["turn", "export"]
JobStatus = Literal["running", "done", "failed", "cancelled"]
T = TypeVar("T")

# A waiting call hears from the job at least this often, so clients that reset their timeout on progress
# (Claude Code) keep waiting and the person sees the clock move.
TICK_SECONDS = 10.0
# Updates a slow waiter has not forwarded yet; beyond this the oldest news is simply not delivered to it.
WAITER_BUFFER = 32


class Job(Generic[T]):
    """One piece of long work: its progress, then its result or its error.

    The work function gets the job itself: it reports progress through `report` (a `ProgressSink`) and
    names its session through `bind` as soon as it is known (an upload may pick or create it).
    """

    def __init__(self, kind: JobKind, session_id: str | None, label: str) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.kind: JobKind = kind
        self.session_id = session_id
        self.label = label
        self.started = time.monotonic()
        self.finished: float | None = None
        self.latest: ProgressUpdate | None = None
        self.collected = False
        self._done = anyio.Event()
        self._result: T | None = None
        self._error: NemoError | None = None
        self._cancelled = False
        self._scope = anyio.CancelScope()
        self._waiters: set[MemoryObjectSendStream[ProgressUpdate]] = set()

    def __repr__(self) -> str:
        return f"Job({self.kind}, session={self.session_id}, status={self.status})"

    # -- what the work calls -------------------------------------------------------------------------------

    def bind(self, session_id: str) -> None:
        self.session_id = session_id

    async def checkpoint(self, before: Snapshot) -> None:
        """A turn is about to send its message. One process has nothing to record: it cannot be taken over."""

    async def report(self, update: ProgressUpdate) -> None:
        """Record an update and pass it to every waiting call, never blocking on a slow one."""
        self.latest = update
        for stream in list(self._waiters):
            try:
                stream.send_nowait(update)
            except anyio.WouldBlock:
                # The waiter is behind; it will pass on `latest` when it catches up.
                log.debug("a waiter of %r is behind; it will get the newest update instead", self)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._waiters.discard(stream)

    # -- what callers read ---------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def status(self) -> JobStatus:
        if not self._done.is_set():
            return "running"
        if self._cancelled:
            return "cancelled"
        return "failed" if self._error is not None else "done"

    @property
    def elapsed_s(self) -> float:
        end = self.finished if self.finished is not None else time.monotonic()
        return end - self.started

    @property
    def error(self) -> NemoError | None:
        if self._cancelled:
            return JobCancelledError(f"The {self.label} was cancelled.")
        return self._error

    def result(self) -> T:
        """The result of a finished job; raises its error if it failed. Marks the job collected."""
        if not self._done.is_set():
            raise RuntimeError(f"{self!r} has not finished")
        self.collected = True
        error = self.error
        if error is not None:
            raise error
        assert self._result is not None  # a job that finished without error has a result
        return self._result

    async def collect(self) -> T:
        """`result()` for callers that may be talking to a shared board (`board.JobView`)."""
        return self.result()

    def describe(self) -> str:
        """One line for a person: what runs, what it is doing, how long it has taken."""
        doing = self.latest.message if self.latest is not None else self.label
        if self.done:
            return f"{self.label}: {self.status} after {format_duration(self.elapsed_s)}"
        return f"{doing}, {format_duration(self.elapsed_s)}"

    async def wait(self, budget_s: float, listener: ProgressSink | None = None) -> bool:
        """Wait up to `budget_s` for the job to finish, passing its progress to `listener`.

        True when it finished. A cancellation of the caller stops the waiting only: the job runs on.
        Between updates the listener hears a "still working" tick every TICK_SECONDS.
        """
        if self.done or budget_s <= 0:
            return self.done
        if listener is None:
            with anyio.move_on_after(budget_s):
                await self._done.wait()
            return self.done
        send, receive = anyio.create_memory_object_stream[ProgressUpdate](WAITER_BUFFER)
        self._waiters.add(send)
        try:
            with anyio.move_on_after(budget_s):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(self._forward, receive, listener)
                    await self._done.wait()
                    # Let the listener pass on the last updates, then stop it.
                    send.close()
        finally:
            self._waiters.discard(send)
            send.close()
            receive.close()
        return self.done

    async def _forward(
        self, receive: MemoryObjectReceiveStream[ProgressUpdate], listener: ProgressSink
    ) -> None:
        while True:
            update: ProgressUpdate | None = None
            with anyio.move_on_after(TICK_SECONDS):
                try:
                    update = await receive.receive()
                except (anyio.EndOfStream, anyio.ClosedResourceError):
                    return
                update = self._newest(receive, update)
            if update is None:
                update = ProgressUpdate(message=f"still working: {self.describe()}")
            try:
                await listener(update)
            except Exception:
                # The caller went away or its channel broke: the job does not care, the waiting stops here.
                log.debug("a progress listener of %r failed; it gets no more updates", self, exc_info=True)
                return

    def _newest(
        self, receive: MemoryObjectReceiveStream[ProgressUpdate], update: ProgressUpdate
    ) -> ProgressUpdate:
        """Skip updates a slow listener has not passed on yet: it hears the newest state, not a backlog.

        `latest` is newer than anything queued when the queue overflowed and `report` had to drop one.
        """
        while True:
            try:
                update = receive.receive_nowait()
            except (anyio.WouldBlock, anyio.EndOfStream, anyio.ClosedResourceError):
                break
        return self.latest or update

    # -- what the board calls ------------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the work (its coroutine is cancelled). Waiters see the job finish as cancelled."""
        if not self.done:
            self._cancelled = True
            self._scope.cancel()

    async def run(self, work: Callable[[Job[T]], Awaitable[T]]) -> None:
        try:
            with self._scope:
                try:
                    self._result = await work(self)
                except NemoError as exc:
                    self._error = exc
                except Exception:
                    log.exception("%s crashed", self.label)
                    self._error = JobCrashedError(f"The {self.label} failed unexpectedly.")
        finally:
            if self._result is None and self._error is None:
                # Cancelled: through `cancel`, or because the server is shutting down.
                self._cancelled = True
            self.finished = time.monotonic()
            self._done.set()
            for stream in list(self._waiters):
                stream.close()


class JobBoard:
    """Every job this process has started, found by kind and session; they run in one task group."""

    def __init__(self, task_group: TaskGroup) -> None:
        self._tg = task_group
        self._jobs: list[Job[Any]] = []

    def start(
        self, kind: JobKind, session_id: str | None, label: str, work: Callable[[Job[T]], Awaitable[T]]
    ) -> Job[T]:
        job: Job[T] = Job(kind, session_id, label)
        self._jobs.append(job)
        self._tg.start_soon(job.run, work, name=f"nemo-mcp {kind} job {job.id}")
        self._forget_collected()
        return job

    def find(self, kind: JobKind, session_id: str | None) -> Job[Any] | None:
        """The newest job of `kind` for the session that is still running or not yet collected."""
        matches = (j for j in reversed(self._jobs) if j.kind == kind and j.session_id == session_id)
        return next((j for j in matches if not j.collected), None)

    def running(self, kind: JobKind, session_id: str | None) -> Job[Any] | None:
        job = self.find(kind, session_id)
        return job if job is not None and not job.done else None

    def for_session(self, session_id: str) -> list[Job[Any]]:
        return [job for job in self._jobs if job.session_id == session_id]

    def settle(self, session_id: str) -> None:
        """Mark the session's finished jobs collected: their results are history, not news."""
        for job in self._jobs:
            if job.session_id == session_id and job.done:
                job.collected = True

    async def cancel(self, kind: JobKind, session_id: str, *, wait_s: float = 5.0) -> Job[Any] | None:
        """Stop the running job of `kind` for the session, wait (a little) for it to end, and file it as
        collected: a cancelled job's outcome is nobody's news. The job, or None when none was running."""
        job = self.running(kind, session_id)
        if job is None:
            return None
        job.cancel()
        await job.wait(wait_s)
        job.collected = True
        return job

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def _forget_collected(self) -> None:
        # Keep the newest job of each kind and session even when collected, so get_state can say what ran last.
        keep: list[Job[Any]] = []
        seen: set[tuple[str, str | None]] = set()
        for job in reversed(self._jobs):
            key = (job.kind, job.session_id)
            if not job.done or not job.collected or key not in seen:
                keep.append(job)
            seen.add(key)
        self._jobs = keep[::-1]
