"""The jobs of all replicas, as one replica takes part in them: starting, owning, renewing, taking over.

    start ──START (atomic)──▶ job hash + lease "<me>:1" ──▶ the work runs here, writing through FENCED
    renewer (own pool) ── every lease/3: RENEW each lease held; one refused ⇒ that work is cancelled, unwritten
    reaper ── every lease/4, and at once on a handover: CLAIM expired leases (epoch + 1) and resume the work
    handover (SIGTERM) ── cancel the local work, RELEASE the leases, publish: another replica claims at once

What "resume" means is the caller's (`tenants.resume_work`): an export polls the same render id (its handle
is in Redis), a turn that may have been sent is recovered from the session's state and never sent again.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import anyio
from anyio.abc import TaskGroup
from redis.exceptions import RedisError

from nemo_mcp.errors import JobCrashedError, LeaseLostError, NemoError, SharedStateUnavailableError
from nemo_mcp.server.board import Work
from nemo_mcp.server.jobs import JobKind
from nemo_mcp.server.shared.codec import encode_error, encode_result
from nemo_mcp.server.shared.hub import Hub, event
from nemo_mcp.server.shared.job import LocalRun, RedisControl, now_ms
from nemo_mcp.server.shared.keys import JOB_TTL_MS
from nemo_mcp.server.shared.redis_io import SharedRedis, shared_state

log = logging.getLogger(__name__)

WAITER_REFRESH_S = 5.0

# Given a claimed job's fields, the work that carries it on (or raises a NemoError it ends with).
Resumer = Callable[[dict[str, str]], Work[Any]]


def _pairs(fields: Mapping[str, str]) -> list[str]:
    return [item for pair in fields.items() for item in pair]


def _fields(raw: list[Any] | None) -> dict[str, str] | None:
    if not raw:
        return None
    return {str(raw[i]): str(raw[i + 1]) for i in range(0, len(raw) - 1, 2)}


class Engine:
    """This replica's part in the shared jobs. One per process; `serve` runs its three background tasks."""

    def __init__(self, redis: SharedRedis, replica: str, lease_s: float, resume: Resumer) -> None:
        self.redis = redis
        self.keys = redis.keys
        self.replica = replica
        self.lease_ms = int(lease_s * 1000)
        # A waiting call reads its job at least this often, in case an event was lost (the reader also wakes
        # every waiter when it reconnects, so this is a second line: cheap, not frequent).
        self.refresh_s = max(lease_s, WAITER_REFRESH_S)
        self._resume = resume
        self.hub = Hub(redis, self._cancel_requested, self._wake_reaper)
        self._runs: dict[str, LocalRun] = {}
        self._tg: TaskGroup | None = None
        self._reap_now = anyio.Event()
        self._stopped = anyio.Event()
        self.takeovers = 0

    @property
    def stopping(self) -> bool:
        """This replica hands its work over: it owns nothing any more and takes nothing over."""
        return self._stopped.is_set()

    # -- lifecycle -------------------------------------------------------------------------------------

    def serve(self, tg: TaskGroup) -> None:
        """Start the reader, the renewer and the reaper in `tg` (where the work runs too)."""
        self._tg = tg
        tg.start_soon(self.hub.run, name="nemo-mcp event reader")
        tg.start_soon(self._renew_forever, name="nemo-mcp lease renewer")
        tg.start_soon(self._reap_forever, name="nemo-mcp reaper")

    async def handover(self) -> None:
        """Stop owning work, at once: cancel it here (it writes nothing more) and release its leases so that
        another replica's reaper claims it now rather than after the lease runs out."""
        if self.stopping:
            return
        self._stopped.set()
        self.hub.wake_all()
        runs = list(self._runs.values())
        for run in runs:
            run.handed_over = True
            run.scope.cancel()
        if not runs:
            return
        with anyio.CancelScope(shield=True), anyio.move_on_after(2):
            try:
                async with self.redis.leases.pipeline(transaction=False) as pipe:
                    for run in runs:
                        await self.redis.release(
                            keys=[self.keys.lease(run.job_id)], args=[run.token], client=pipe
                        )
                    await pipe.publish(self.keys.events, event("-", "handover"))
                    await pipe.execute()
                log.warning("handed %d job(s) over to the other replicas", len(runs))
            except (RedisError, OSError) as exc:
                log.warning(
                    "could not release %d lease(s) (%s); they will lapse", len(runs), type(exc).__name__
                )

    # -- reading (any replica) -------------------------------------------------------------------------

    async def read(self, job_id: str) -> dict[str, str] | None:
        with shared_state("reading a job"):
            raw = await self.redis.main.hgetall(self.keys.job(job_id))
        return {**{str(k): str(v) for k, v in raw.items()}, "id": job_id} if raw else None

    async def find(self, user: str, kind: JobKind, session_id: str) -> dict[str, str] | None:
        with shared_state("looking for the session's work"):
            raw = await self.redis.find(
                keys=[self.keys.current(user, kind, session_id)], args=[self.keys.prefix]
            )
        return _fields(raw)

    async def session_jobs(self, user: str, session_id: str) -> list[dict[str, str]]:
        with shared_state("reading the session's work"):
            raw = await self.redis.session_jobs(
                keys=[self.keys.session_jobs(user, session_id)], args=[self.keys.prefix, "0"]
            )
        return [fields for item in raw or [] if (fields := _fields(item)) is not None]

    async def settle(self, user: str, session_id: str) -> None:
        with shared_state("filing the session's finished work"):
            await self.redis.session_jobs(
                keys=[self.keys.session_jobs(user, session_id)], args=[self.keys.prefix, "1"]
            )

    async def collect(self, job_id: str) -> None:
        with shared_state("collecting a result"):
            await self.redis.collect(keys=[self.keys.job(job_id)])

    async def cancel(self, job_id: str) -> bool:
        """Ask the owner (wherever it runs) to stop the job; False if it is not running."""
        with shared_state("cancelling"):
            asked = await self.redis.cancel(
                keys=[self.keys.job(job_id)], args=[self.keys.events, event(job_id, "cancel")]
            )
        return bool(asked)

    # -- starting and owning ---------------------------------------------------------------------------

    async def start(
        self, user: str, kind: JobKind, session_id: str, label: str, facts: Mapping[str, str], work: Work[Any]
    ) -> tuple[str, dict[str, str]]:
        """("new", fields) when this replica now runs `work`; ("running" | "exists", fields) otherwise."""
        if self.stopping:
            raise SharedStateUnavailableError("This server is handing its work over to the other replicas.")
        job_id, started = uuid.uuid4().hex[:16], now_ms()
        token = f"{self.replica}:1"
        fields = {
            "kind": kind,
            "sid": session_id,
            "user": user,
            "label": label,
            "status": "running",
            "started": str(started),
            "epoch": "1",
            "owner": self.replica,
            "phase": "new",
            "facts": json.dumps(dict(facts)),
        }
        k = self.keys
        with shared_state("starting the work"):
            verdict, existing = await self.redis.start(
                keys=[k.current(user, kind, session_id), k.session_jobs(user, session_id), k.running],
                args=[k.prefix, job_id, kind, token, self.lease_ms, started, JOB_TTL_MS, *_pairs(fields)],
            )
        if verdict != "new":
            found = await self.read(str(existing))
            return str(verdict), found or {**fields, "id": str(existing)}
        self._launch(LocalRun(job_id, token, label, user, kind, session_id), work)
        return "new", {**fields, "id": job_id}

    def _launch(self, run: LocalRun, work: Work[Any]) -> None:
        assert self._tg is not None, "Engine.serve was not called"
        self._runs[run.job_id] = run
        self._tg.start_soon(self._run, run, work, name=f"nemo-mcp job {run.job_id}")

    async def _run(self, run: LocalRun, work: Work[Any]) -> None:
        control = RedisControl(self, run)
        result: object = None
        error: NemoError | None = None
        try:
            with run.scope:
                try:
                    result = await work(control)
                except NemoError as exc:
                    error = exc
                except Exception:
                    log.exception("%s crashed", run.label)
                    error = JobCrashedError(f"The {run.label} failed unexpectedly.")
        finally:
            self._runs.pop(run.job_id, None)
        if run.lost or run.handed_over:
            return  # another replica carries it on; this one writes nothing more
        if result is None and error is None and not run.cancel_requested:
            return
        await self._finish(run, result, error, control.bound)

    async def _finish(
        self, run: LocalRun, result: object, error: NemoError | None, bound: str | None
    ) -> None:
        status = "cancelled" if result is None and error is None else "failed" if error else "done"
        fields = {"status": status, "finished": str(now_ms())}
        if error is not None:
            fields["error"] = encode_error(error)
        elif result is not None:
            fields["result"] = encode_result(result)
        moved = bound if bound and bound != run.session_id else None
        if moved:
            fields["sid"] = moved
        # The end of the work is recorded even when the replica is stopping around it.
        with anyio.CancelScope(shield=True):
            try:
                await self.write(
                    run, fields, message=event(run.job_id, "done", writer=run.token), finish=True
                )
                if moved:
                    await self._file_under(run, moved)
            except LeaseLostError:
                return
            except SharedStateUnavailableError:
                log.warning("the end of %s could not be recorded; its lease will lapse", run.job_id)

    async def _file_under(self, run: LocalRun, session_id: str) -> None:
        """The work landed in another session (the first was forgotten, 1002): find it there too."""
        k = self.keys
        with shared_state("filing the work under its new session"):
            async with self.redis.main.pipeline(transaction=True) as pipe:
                pipe.set(k.current(run.user, run.kind, session_id), run.job_id, px=JOB_TTL_MS)
                pipe.zadd(k.session_jobs(run.user, session_id), {run.job_id: now_ms()})
                pipe.pexpire(k.session_jobs(run.user, session_id), JOB_TTL_MS)
                await pipe.execute()

    async def write(
        self, run: LocalRun, fields: Mapping[str, str], *, message: str | None = None, finish: bool = False
    ) -> None:
        """A write by the owner, fenced by its lease: refused (LeaseLostError, the work cancelled) once the
        lease names another replica or nobody."""
        k = self.keys
        with shared_state("recording the work"):
            written = await self.redis.fenced(
                keys=[k.lease(run.job_id), k.job(run.job_id), k.running],
                args=[
                    run.token,
                    JOB_TTL_MS,
                    k.events,
                    message or "",
                    "1" if finish else "0",
                    run.job_id,
                    *_pairs(fields),
                ],
            )
        if not written:
            self._lose(run)
            raise LeaseLostError(f"Another replica took over the {run.label}.")

    def _lose(self, run: LocalRun) -> None:
        if not run.lost:
            log.warning("lost the lease of job %s (%s): it is another replica's now", run.job_id, run.label)
        run.lost = True
        run.scope.cancel()

    def _cancel_requested(self, job_id: str) -> None:
        run = self._runs.get(job_id)
        if run is not None:
            run.cancel_requested = True
            run.scope.cancel()

    # -- keeping leases, taking over -------------------------------------------------------------------

    async def _renew_forever(self) -> None:
        while not self.stopping:
            await anyio.sleep(self.lease_ms / 3000)
            runs = list(self._runs.values())
            if runs:
                await self._renew(runs)

    async def _renew(self, runs: list[LocalRun]) -> None:
        try:
            async with self.redis.leases.pipeline(transaction=False) as pipe:
                for run in runs:
                    await self.redis.renew(
                        keys=[self.keys.lease(run.job_id)], args=[run.token, self.lease_ms], client=pipe
                    )
                renewed = await pipe.execute()
        except (RedisError, OSError) as exc:
            # The leases run out on their own if this goes on; the fenced writes then refuse.
            log.info("could not renew %d lease(s): %s", len(runs), type(exc).__name__)
            return
        for run, ok in zip(runs, renewed, strict=True):
            # A job that finished while the renewals were in flight gave its lease up itself: not a loss.
            if not ok and not run.handed_over and self._runs.get(run.job_id) is run:
                self._lose(run)

    def _wake_reaper(self) -> None:
        self._reap_now.set()

    async def _reap_forever(self) -> None:
        while not self.stopping:
            with anyio.move_on_after(self.lease_ms / 4000):
                await self._reap_now.wait()
            self._reap_now = anyio.Event()
            if self._stopped.is_set():
                return
            try:
                await self._reap()
            except (RedisError, OSError) as exc:
                log.debug("reaper pass failed: %s", type(exc).__name__)

    async def _reap(self) -> None:
        """Claim every running job whose lease is gone, and carry it on here."""
        k, leases = self.keys, self.redis.leases
        ids = await leases.zrange(k.running, 0, -1)
        candidates = [str(job_id) for job_id in ids if str(job_id) not in self._runs]
        if not candidates:
            return
        async with leases.pipeline(transaction=False) as pipe:
            for job_id in candidates:
                pipe.exists(k.lease(job_id))
            alive: list[int] = await pipe.execute()
        for job_id, held in zip(candidates, alive, strict=True):
            if held:
                continue
            token = await self.redis.claim(
                keys=[k.lease(job_id), k.job(job_id), k.running], args=[self.replica, self.lease_ms, job_id]
            )
            if token and not self.stopping:
                await self._take_over(job_id, str(token))

    async def _take_over(self, job_id: str, token: str) -> None:
        fields = await self.read(job_id)
        if fields is None:
            return
        self.takeovers += 1
        run = LocalRun(
            job_id,
            token,
            fields.get("label") or "work",
            fields.get("user", ""),
            fields.get("kind", ""),
            fields.get("sid", ""),
        )
        log.warning("took over job %s (%s) as %s", job_id, run.label, token)
        if fields.get("cancel") == "1":
            run.cancel_requested = True
            await self._finish(run, None, None, None)
            return
        try:
            work = self._resume(fields)
        except NemoError as exc:
            await self._finish(run, None, exc, None)
            return
        self._launch(run, work)


__all__ = ["Engine", "Resumer"]
