"""What the tools see of long work, whoever keeps it: `Jobs` (the board) and `JobView` (one job).

Two boards implement it, and the tools call them the same way:

    LocalJobs     this process's `JobBoard` (jobs.py): stdio, and one `serve --http` without Redis
    RedisJobs     server/shared/board.py: replicas sharing jobs, results and progress through Redis

Every method is a coroutine because a shared board answers over the network. `start` is where two calls
racing for the same session meet: an export joins the one already running or not yet collected, and a
turn is refused while another runs (`JobRunningError`), so the check and the start are one step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from nemo_mcp.errors import JobRunningError, NemoError
from nemo_mcp.server.jobs import JobBoard, JobKind, JobStatus
from nemo_mcp.service.models import ProgressUpdate
from nemo_mcp.service.progress import ProgressSink

if TYPE_CHECKING:  # for annotations only: importing it would load the API client at start
    from nemo_mcp.service.sessions import Snapshot

T = TypeVar("T")


class JobControl(Protocol):
    """What the work of a job calls: progress, the session it settled on, and the moment before a send."""

    async def report(self, update: ProgressUpdate) -> None: ...

    def bind(self, session_id: str) -> None: ...

    async def checkpoint(self, before: Snapshot) -> None:
        """A turn is about to send its message; raises if this process may no longer send it."""
        ...


Work = Callable[[JobControl], Awaitable[T]]


class JobView(Protocol):
    """One job as a tool reads it."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> JobKind: ...
    @property
    def session_id(self) -> str | None: ...
    @property
    def label(self) -> str: ...
    @property
    def latest(self) -> ProgressUpdate | None: ...
    @property
    def done(self) -> bool: ...
    @property
    def status(self) -> JobStatus: ...
    @property
    def elapsed_s(self) -> float: ...
    @property
    def error(self) -> NemoError | None: ...

    def describe(self) -> str: ...

    async def wait(self, budget_s: float, listener: ProgressSink | None = None) -> bool:
        """Wait up to `budget_s` for the end, passing progress on; True when it finished."""
        ...

    async def collect(self) -> Any:
        """The result of a finished job (its error raised), marked collected: it is not news any more."""
        ...


class Jobs(Protocol):
    """The board: long work found by kind and session."""

    async def start(
        self,
        kind: JobKind,
        session_id: str,
        label: str,
        work: Work[Any],
        *,
        facts: Mapping[str, str] | None = None,
    ) -> JobView:
        """Start `work`, or return the export already there for the session; a running turn refuses.

        `facts` is what another replica needs to carry the work on (e.g. the export's output folder).
        """
        ...

    async def find(self, kind: JobKind, session_id: str | None) -> JobView | None:
        """The newest job of `kind` for the session that is still running or not yet collected."""
        ...

    async def running(self, kind: JobKind, session_id: str | None) -> JobView | None: ...

    async def for_session(self, session_id: str) -> list[JobView]: ...

    async def settle(self, session_id: str) -> None:
        """Mark the session's finished jobs collected: their results are history, not news."""
        ...

    async def cancel(self, kind: JobKind, session_id: str, *, wait_s: float = 5.0) -> JobView | None:
        """Stop the running job of `kind` for the session; the job, or None when none was running."""
        ...


class LocalJobs:
    """`Jobs` over this process's `JobBoard`: nothing is shared, nothing can be taken over."""

    def __init__(self, board: JobBoard) -> None:
        self.board = board

    async def start(
        self,
        kind: JobKind,
        session_id: str,
        label: str,
        work: Work[Any],
        *,
        facts: Mapping[str, str] | None = None,
    ) -> JobView:
        current = self.board.find(kind, session_id)
        if current is not None and kind == "export":
            return current
        if current is not None and not current.done:
            raise JobRunningError(f"Session {session_id} is still working on {current.describe()}.")
        return self.board.start(kind, session_id, label, work)

    async def find(self, kind: JobKind, session_id: str | None) -> JobView | None:
        return self.board.find(kind, session_id)

    async def running(self, kind: JobKind, session_id: str | None) -> JobView | None:
        return self.board.running(kind, session_id)

    async def for_session(self, session_id: str) -> list[JobView]:
        return list(self.board.for_session(session_id))

    async def settle(self, session_id: str) -> None:
        self.board.settle(session_id)

    async def cancel(self, kind: JobKind, session_id: str, *, wait_s: float = 5.0) -> JobView | None:
        return await self.board.cancel(kind, session_id, wait_s=wait_s)


__all__ = ["JobControl", "JobView", "Jobs", "LocalJobs", "Work"]
