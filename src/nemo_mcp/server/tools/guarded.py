"""A shared board that cannot be reached fails the tool call with its own words.

A board in Redis can fail in any call, and tools call it outside their `errors()` blocks (a failing local
board was a bug, not news). `GuardedJobs` turns `SharedStateUnavailableError` into a `ToolError` carrying its
message and hint, so the client reads "the shared state (Redis) cannot be reached…" instead of the SDK's
bare "Error executing tool". A job's own error (a failed render) still comes out of `collect` as itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from nemo_mcp.errors import NemoError, SharedStateUnavailableError
from nemo_mcp.server.board import Jobs, JobView, Work
from nemo_mcp.server.jobs import JobKind, JobStatus
from nemo_mcp.service.models import ProgressUpdate
from nemo_mcp.service.progress import ProgressSink


@contextmanager
def shared_errors() -> Iterator[None]:
    try:
        yield
    except SharedStateUnavailableError as exc:
        raise ToolError(str(exc)) from None


class GuardedJob:
    """A `JobView` whose waiting and collecting fail as a ToolError when the shared state is gone."""

    def __init__(self, inner: JobView) -> None:
        self._inner = inner

    @property
    def id(self) -> str:
        return self._inner.id

    @property
    def kind(self) -> JobKind:
        return self._inner.kind

    @property
    def session_id(self) -> str | None:
        return self._inner.session_id

    @property
    def label(self) -> str:
        return self._inner.label

    @property
    def latest(self) -> ProgressUpdate | None:
        return self._inner.latest

    @property
    def done(self) -> bool:
        return self._inner.done

    @property
    def status(self) -> JobStatus:
        return self._inner.status

    @property
    def elapsed_s(self) -> float:
        return self._inner.elapsed_s

    @property
    def error(self) -> NemoError | None:
        return self._inner.error

    def describe(self) -> str:
        return self._inner.describe()

    async def wait(self, budget_s: float, listener: ProgressSink | None = None) -> bool:
        with shared_errors():
            return await self._inner.wait(budget_s, listener)

    async def collect(self) -> Any:
        with shared_errors():
            return await self._inner.collect()


def _guarded(job: JobView | None) -> JobView | None:
    return GuardedJob(job) if job is not None else None


class GuardedJobs:
    """`Jobs` whose every call fails as a ToolError when the shared state is gone."""

    def __init__(self, inner: Jobs) -> None:
        self.inner = inner

    async def start(
        self,
        kind: JobKind,
        session_id: str,
        label: str,
        work: Work[Any],
        *,
        facts: Mapping[str, str] | None = None,
    ) -> JobView:
        with shared_errors():
            return GuardedJob(await self.inner.start(kind, session_id, label, work, facts=facts))

    async def find(self, kind: JobKind, session_id: str | None) -> JobView | None:
        with shared_errors():
            return _guarded(await self.inner.find(kind, session_id))

    async def running(self, kind: JobKind, session_id: str | None) -> JobView | None:
        with shared_errors():
            return _guarded(await self.inner.running(kind, session_id))

    async def for_session(self, session_id: str) -> list[JobView]:
        with shared_errors():
            return [GuardedJob(job) for job in await self.inner.for_session(session_id)]

    async def settle(self, session_id: str) -> None:
        with shared_errors():
            await self.inner.settle(session_id)

    async def cancel(self, kind: JobKind, session_id: str, *, wait_s: float = 5.0) -> JobView | None:
        with shared_errors():
            return _guarded(await self.inner.cancel(kind, session_id, wait_s=wait_s))


__all__ = ["GuardedJob", "GuardedJobs", "shared_errors"]
