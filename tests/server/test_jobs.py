"""Background jobs without MCP: budgets, progress forwarding, cancellation, results kept for collection."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest

from nemo_mcp.errors import JobCancelledError, JobCrashedError, NemoError, RenderFailedError
from nemo_mcp.server.jobs import Job, JobBoard
from nemo_mcp.service.models import ProgressUpdate

pytestmark = pytest.mark.anyio


@pytest.fixture
async def board() -> AsyncIterator[JobBoard]:
    async with anyio.create_task_group() as tg:
        yield JobBoard(tg)
        tg.cancel_scope.cancel()


class Gate:
    """Work that reports progress, then waits until the test opens the gate."""

    def __init__(self) -> None:
        self.open = anyio.Event()
        self.started = anyio.Event()
        self.cancelled = False

    async def __call__(self, job: Job[str]) -> str:
        await job.report(ProgressUpdate(message="generating video"))
        self.started.set()
        try:
            await self.open.wait()
        except anyio.get_cancelled_exc_class():
            self.cancelled = True
            raise
        await job.report(ProgressUpdate(message="rendering", fraction=0.5))
        return "clip.mp4"


async def test_a_budget_that_expires_leaves_the_job_running_and_a_later_wait_collects_it(
    board: JobBoard,
) -> None:
    gate = Gate()
    job = board.start("turn", "s1", "instruction", gate)
    assert await job.wait(0.05) is False
    assert job.status == "running"
    assert board.running("turn", "s1") is job
    assert "generating video" in job.describe()

    gate.open.set()
    assert await job.wait(5) is True
    assert job.done
    assert job.result() == "clip.mp4"
    assert job.collected
    assert board.running("turn", "s1") is None
    assert board.find("turn", "s1") is None  # collected: nothing left to pick up


async def test_progress_reaches_every_waiting_call(board: JobBoard) -> None:
    gate = Gate()
    job = board.start("export", "s1", "render", gate)
    await gate.started.wait()
    seen_a: list[str] = []
    seen_b: list[str] = []

    async def listen_a(update: ProgressUpdate) -> None:
        seen_a.append(update.message)

    async def listen_b(update: ProgressUpdate) -> None:
        seen_b.append(update.message)

    async with anyio.create_task_group() as tg:
        tg.start_soon(job.wait, 5, listen_a)
        tg.start_soon(job.wait, 5, listen_b)
        await anyio.wait_all_tasks_blocked()
        gate.open.set()
    assert seen_a == ["rendering"]
    assert seen_b == ["rendering"]


async def test_a_cancelled_wait_does_not_cancel_the_job(board: JobBoard) -> None:
    gate = Gate()
    job = board.start("turn", "s1", "instruction", gate)
    await gate.started.wait()

    async def listener(update: ProgressUpdate) -> None:
        pass

    with anyio.CancelScope() as scope:
        async with anyio.create_task_group() as tg:
            tg.start_soon(job.wait, 30, listener)
            await anyio.wait_all_tasks_blocked()
            scope.cancel()
    assert scope.cancelled_caught
    assert not gate.cancelled
    assert job.status == "running"
    gate.open.set()
    assert await job.wait(5)
    assert job.result() == "clip.mp4"


async def test_an_explicit_cancel_stops_the_work(board: JobBoard) -> None:
    gate = Gate()
    job = board.start("export", "s1", "render", gate)
    await gate.started.wait()
    job.cancel()
    assert await job.wait(5)
    assert gate.cancelled
    assert job.status == "cancelled"
    with pytest.raises(JobCancelledError, match="render was cancelled"):
        job.result()


async def test_errors_are_kept_for_the_caller_and_crashes_stay_generic(board: JobBoard) -> None:
    async def fails(job: Job[str]) -> str:
        raise RenderFailedError("The render failed on the backend.")

    async def crashes(job: Job[str]) -> str:
        raise KeyError("secret internal detail")

    failed = board.start("export", "s1", "render", fails)
    crashed = board.start("export", "s2", "render", crashes)
    assert await failed.wait(5)
    assert await crashed.wait(5)
    assert failed.status == "failed"
    with pytest.raises(RenderFailedError):
        failed.result()
    with pytest.raises(JobCrashedError) as info:
        crashed.result()
    assert "secret" not in str(info.value)
    assert isinstance(info.value, NemoError)


async def test_a_waiter_hears_a_tick_when_the_work_is_quiet(
    board: JobBoard, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nemo_mcp.server.jobs

    monkeypatch.setattr(nemo_mcp.server.jobs, "TICK_SECONDS", 0.05)
    gate = Gate()
    job = board.start("turn", "s1", "instruction", gate)
    await gate.started.wait()
    ticks: list[str] = []
    heard = anyio.Event()

    async def listener(update: ProgressUpdate) -> None:
        ticks.append(update.message)
        heard.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(job.wait, 30, listener)
        await heard.wait()
        gate.open.set()
    assert ticks[0].startswith("still working: generating video, ")


async def test_a_failing_listener_does_not_hurt_the_job(board: JobBoard) -> None:
    gate = Gate()
    job = board.start("turn", "s1", "instruction", gate)
    await gate.started.wait()

    async def broken(update: ProgressUpdate) -> None:
        raise anyio.BrokenResourceError

    async with anyio.create_task_group() as tg:
        tg.start_soon(job.wait, 5, broken)
        await anyio.wait_all_tasks_blocked()
        gate.open.set()
    assert job.result() == "clip.mp4"


async def test_settling_a_session_retires_its_finished_results(board: JobBoard) -> None:
    async def quick(job: Job[str]) -> str:
        return "old clip"

    old = board.start("export", "s1", "render", quick)
    other = board.start("export", "s2", "render", quick)
    assert await old.wait(5)
    assert await other.wait(5)
    board.settle("s1")
    assert board.find("export", "s1") is None
    assert board.find("export", "s2") is other
    assert [job.status for job in board.for_session("s1")] == ["done"]


async def test_a_slow_listener_hears_the_newest_update_not_a_backlog(board: JobBoard) -> None:
    first_heard = anyio.Event()
    release = anyio.Event()
    heard: list[str] = []

    async def slow_listener(update: ProgressUpdate) -> None:
        heard.append(update.message)
        first_heard.set()
        await release.wait()

    async def burst(job: Job[str]) -> str:
        await job.report(ProgressUpdate(message="update 0"))
        await first_heard.wait()  # the listener is now stuck on update 0
        for i in range(1, 200):  # far more than a waiter's buffer holds
            await job.report(ProgressUpdate(message=f"update {i}"))
        release.set()
        return "done"

    job = board.start("turn", "s1", "instruction", burst)
    assert await job.wait(5, slow_listener) is True
    assert heard[0] == "update 0"
    assert heard[-1] == "update 199"
    assert len(heard) < 200
