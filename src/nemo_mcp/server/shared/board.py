"""`RedisJobs`: the board of one user, in Redis, seen the same way from every replica (`board.Jobs`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nemo_mcp.errors import JobRunningError
from nemo_mcp.server.board import JobView, Work
from nemo_mcp.server.jobs import JobKind
from nemo_mcp.server.shared.engine import Engine
from nemo_mcp.server.shared.job import RedisJob


class RedisJobs:
    """One user's jobs. Every read goes through the user's own indexes: nobody finds another's work."""

    def __init__(self, engine: Engine, user: str) -> None:
        self._engine = engine
        self._user = user

    async def start(
        self,
        kind: JobKind,
        session_id: str,
        label: str,
        work: Work[Any],
        *,
        facts: Mapping[str, str] | None = None,
    ) -> JobView:
        verdict, fields = await self._engine.start(self._user, kind, session_id, label, facts or {}, work)
        job = RedisJob(self._engine, fields)
        if verdict == "running" and kind == "turn":
            # Another call (on any replica) started one between our check and this start.
            raise JobRunningError(
                f"Session {session_id} is still working on the previous instruction ({job.describe()}). Do not "
                "send it again: that would charge twice."
            )
        return job

    async def find(self, kind: JobKind, session_id: str | None) -> JobView | None:
        if session_id is None:
            return None
        fields = await self._engine.find(self._user, kind, session_id)
        if fields is None or fields.get("collected") == "1":
            return None
        return RedisJob(self._engine, fields)

    async def running(self, kind: JobKind, session_id: str | None) -> JobView | None:
        job = await self.find(kind, session_id)
        return job if job is not None and not job.done else None

    async def for_session(self, session_id: str) -> list[JobView]:
        return [
            RedisJob(self._engine, fields)
            for fields in await self._engine.session_jobs(self._user, session_id)
        ]

    async def settle(self, session_id: str) -> None:
        await self._engine.settle(self._user, session_id)

    async def cancel(self, kind: JobKind, session_id: str, *, wait_s: float = 5.0) -> JobView | None:
        job = await self.running(kind, session_id)
        if job is None:
            return None
        await self._engine.cancel(job.id)
        await job.wait(wait_s)
        # A cancelled job's outcome is nobody's news.
        await self._engine.collect(job.id)
        return job


__all__ = ["RedisJobs"]
