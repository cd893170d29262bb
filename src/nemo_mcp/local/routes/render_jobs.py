"""Render (export) jobs: submit, poll, cancel, download; the work runs on worker threads, off the loop.

A job renders the clip its draft describes. Clips are cached by what they show (`draft.clip_key`), so
exporting right after a generation reuses the generated file. Jobs are kept in `renders/<id>.json`; a job
that was pending or processing when the backend stopped is run again at the next start (same id, so a
client that kept the id gets its file without submitting again).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import socket
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Literal

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from nemo_mcp.local.agent.plan import DraftError, clip_key, from_draft, to_spec
from nemo_mcp.local.context import BackendContext, JobControl
from nemo_mcp.local.faults import DroppedByFaultError
from nemo_mcp.local.render import clip as render
from nemo_mcp.local.routes.guards import begin, generic_fault, iso, now, owned_session, render_fail, render_ok
from nemo_mcp.local.store import RenderRecord

log = logging.getLogger(__name__)

_RENDER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
ACTIVE = ("pending", "processing")
CANCEL_WAIT_S = 15.0
_STALL_CHECK_S = 0.1
_CHUNK = 256 * 1024

_JOB_FAULTS: dict[str, Literal["render_fail", "stall"]] = {"render_fail": "render_fail", "stall": "stall"}

_key_locks: dict[str, threading.Lock] = {}
_key_locks_guard = threading.Lock()


def render_cached(
    ctx: BackendContext,
    spec: render.ClipSpec,
    key: str,
    *,
    on_progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> tuple[Path, bool]:
    """The clip for `spec` at its cache path, rendering it unless it is there: (path, was cached)."""
    out = ctx.store.clip_path(key)
    with _key_locks_guard:
        lock = _key_locks.setdefault(str(out), threading.Lock())
    with lock:
        if out.is_file():
            if on_progress is not None:
                on_progress(1.0)
            return out, True
        render.render_clip(spec, out, on_progress=on_progress, should_cancel=should_cancel)
        return out, False


def spec_to_json(spec: render.ClipSpec) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(spec).items()}


def spec_from_json(raw: dict[str, Any]) -> render.ClipSpec:
    values = dict(raw)
    values["image"] = Path(values["image"])
    values["music"] = Path(values["music"]) if values.get("music") else None
    return render.ClipSpec(**values)


def output_url(ctx: BackendContext, render_id: str) -> str:
    return f"{ctx.base_url}/files/renders/{render_id}.mp4"


def _set(ctx: BackendContext, render_id: str, **changes: Any) -> RenderRecord | None:
    with ctx.store.lock:
        job = ctx.store.render(render_id)
        if job is None:
            return None
        updated = job.model_copy(update=changes)
        ctx.store.save_render(updated)
        return updated


def _run_job(ctx: BackendContext, render_id: str, control: JobControl) -> None:
    """The worker: runs one job to completed or failed (or leaves it resumable when the backend stops)."""
    try:
        with ctx.store.lock:
            job = ctx.store.render(render_id)
            if job is None or job.status not in ACTIVE or control.cancel.is_set():
                return
            job = _set(ctx, render_id, status="processing", progress=10)
        assert job is not None
        if job.fault == "stall" and control.release is not None:
            while not control.release.wait(_STALL_CHECK_S):
                if control.cancel.is_set() or ctx.stopping.is_set():
                    break
        if ctx.stopping.is_set():
            return
        if control.cancel.is_set():
            _set(ctx, render_id, status="failed", error="Cancelled.", completed_at=now())
            return
        if job.fault == "render_fail":
            _set(ctx, render_id, status="failed", error="The render failed (fault plan).", completed_at=now())
            return
        last = [10]

        def on_progress(fraction: float) -> None:
            progress = 10 + int(85 * min(max(fraction, 0.0), 1.0))
            if progress >= last[0] + 5:
                last[0] = progress
                _set(ctx, render_id, progress=progress)

        def should_cancel() -> bool:
            return control.cancel.is_set() or ctx.stopping.is_set()

        render_cached(
            ctx, spec_from_json(job.spec), job.clip_key, on_progress=on_progress, should_cancel=should_cancel
        )
        _set(ctx, render_id, status="completed", progress=100, completed_at=now())
    except render.RenderCancelledError:
        if not control.cancel.is_set():
            return  # the backend is stopping: the job stays processing and runs again at the next start
        _set(ctx, render_id, status="failed", error="Cancelled.", completed_at=now())
    except Exception as exc:
        log.exception("local backend: render %s failed", render_id)
        _set(ctx, render_id, status="failed", error=f"The render failed: {exc}", completed_at=now())
    finally:
        control.done.set()


def _schedule(ctx: BackendContext, render_id: str, control: JobControl) -> None:
    ctx.jobs[render_id] = control
    ctx.executor.submit(_run_job, ctx, render_id, control)


def resume_jobs(ctx: BackendContext) -> None:
    """Run again the jobs a previous run left pending or processing (a stall from that run is forgotten)."""
    for job in ctx.store.renders():
        if job.status in ACTIVE:
            log.info("local backend: resuming render %s", job.id)
            _set(ctx, job.id, fault=None if job.fault == "stall" else job.fault)
            _schedule(ctx, job.id, JobControl())


def _attribution_missing() -> JSONResponse:
    return JSONResponse(
        {
            "success": False,
            "error": "Export needs the X-Skill-Source, X-Skill-Version and X-Skill-Platform headers.",
        },
        status_code=402,
    )


def routes(ctx: BackendContext) -> list[BaseRoute]:
    async def submit(request: Request) -> Response:
        caller = await begin(ctx, request, "render_submit")
        if isinstance(caller, Response):
            return caller
        if not caller.attributed:
            return _attribution_missing()
        rule = ctx.faults.take("render_submit", ("submit_fail", "render_fail", "stall"))
        if rule is not None and rule.effect == "submit_fail":
            return render_fail("The render could not be submitted (fault plan).", status=500)
        try:
            body = await request.json()
        except ValueError:
            return render_fail("The body is not JSON.", status=400)
        if not isinstance(body, dict):
            return render_fail("The body is not a JSON object.", status=400)
        render_id, session_id = body.get("id"), body.get("sessionId", body.get("session_id"))
        if not isinstance(render_id, str) or not _RENDER_ID.match(render_id):
            return render_fail("`id` must be 1-128 letters, digits or _.:- characters.", status=400)
        if not isinstance(session_id, str):
            return render_fail("`sessionId` is required.", status=400)
        session = owned_session(ctx, caller, "me", session_id)
        if session is None:
            return render_fail("Session not found.", status=404)
        try:
            plan = from_draft(body.get("draft"), session)
        except DraftError as exc:
            return render_fail(str(exc), status=400)
        spec = to_spec(plan, ctx.store.upload_dir(session_id))
        with ctx.store.lock:
            if ctx.store.render(render_id) is not None:
                return render_fail(
                    f"A render with id {render_id} already exists: submit with a new id.", status=409
                )
            running = [j.id for j in ctx.store.renders() if j.session_id == session_id and j.status in ACTIVE]
            if running:
                return render_fail(
                    f"A render is already running for this session ({running[0]}): wait for it or cancel it.",
                    status=409,
                )
            job = RenderRecord(
                id=render_id,
                session_id=session_id,
                user_id=caller.user_id,
                created_at=now(),
                spec=spec_to_json(spec),
                clip_key=clip_key(plan),
                fault=_JOB_FAULTS.get(rule.effect) if rule is not None else None,
            )
            ctx.store.add_render(job)
        control = JobControl(release=ctx.faults.release_event() if job.fault == "stall" else None)
        _schedule(ctx, render_id, control)
        return render_ok({"id": render_id, "status": "pending", "progress": 5})

    async def _job_for(request: Request, route: str) -> tuple[RenderRecord | None, Response | None]:
        caller = await begin(ctx, request, route)
        if isinstance(caller, Response):
            return None, caller
        job = ctx.store.render(request.path_params["rid"])
        if job is None or job.user_id != caller.user_id:
            return None, render_fail("Render not found.", status=404)
        return job, None

    async def poll(request: Request) -> Response:
        job, answer = await _job_for(request, "render_poll")
        if job is None:
            assert answer is not None
            return answer
        rule = ctx.faults.take("render_poll", ("completed_without_url", "poll_variant", "unreachable_url"))
        status, progress, url = job.status, job.progress, None
        if status == "completed":
            url = output_url(ctx, job.id)
        if rule is not None and rule.effect == "completed_without_url":
            status, progress, url = "completed", 100, None
        if rule is not None and rule.effect == "unreachable_url" and url is not None:
            url = f"http://127.0.0.1:{_closed_port()}/files/renders/{job.id}.mp4"
        clip = ctx.store.clip_path(job.clip_key)
        size = clip.stat().st_size if url and clip.is_file() else None
        if rule is not None and rule.effect == "poll_variant" and rule.value == "task_id":
            output = {"url": url, "duration": job.spec.get("duration_s"), "size": size} if url else None
            return JSONResponse({"taskId": job.id, "status": status, "progress": progress, "output": output})
        if rule is not None and rule.effect == "poll_variant":
            return JSONResponse(
                {
                    "render_id": job.id,
                    "status": status,
                    "output": {"url": url} if url else None,
                    "error": job.error,
                }
            )
        data: dict[str, Any] = {
            "id": job.id,
            "status": status,
            "progress": progress,
            "createdAt": iso(job.created_at),
        }
        if url:
            data["outputUrl"] = url
        if job.completed_at is not None and status in ("completed", "failed"):
            data["completedAt"] = iso(job.completed_at)
        if status == "failed":
            data["error"] = job.error
        return render_ok(data)

    async def cancel(request: Request) -> Response:
        job, answer = await _job_for(request, "render_cancel")
        if job is None:
            assert answer is not None
            return answer
        control = ctx.jobs.get(job.id)
        with ctx.store.lock:
            current = ctx.store.render(job.id)
            assert current is not None
            if current.status not in ACTIVE:
                return render_fail(f"The render is already {current.status}.", status=409)
            if control is not None:
                control.cancel.set()
            if current.status == "pending":
                _set(ctx, job.id, status="failed", error="Cancelled.", completed_at=now())
                control = None
        if control is not None:
            await anyio.to_thread.run_sync(control.done.wait, CANCEL_WAIT_S)
        final = ctx.store.render(job.id)
        assert final is not None
        return render_ok(
            {"id": final.id, "status": final.status, "progress": final.progress, "cancelled": True}
        )

    async def download(request: Request) -> Response:
        job, answer = await _job_for(request, "download")
        if job is None:
            assert answer is not None
            return answer
        return _serve_clip(ctx, job)

    async def output_file(request: Request) -> Response:
        # Output URLs need no token, like a CDN's; the ids are the client's own unguessable ones.
        ctx.stats.record_request("download", request.headers)
        if (faulted := await generic_fault(ctx, "download")) is not None:
            return faulted
        job = ctx.store.render(request.path_params["rid"])
        if job is None:
            return Response("not found", status_code=404)
        return _serve_clip(ctx, job)

    async def clip_file(request: Request) -> Response:
        ctx.stats.record_request("download", request.headers)
        if (faulted := await generic_fault(ctx, "download")) is not None:
            return faulted
        key = request.path_params["key"]
        path = ctx.store.clip_path(key)
        if not re.fullmatch(r"[0-9a-f]{32}", key) or not path.is_file():
            return Response("not found", status_code=404)
        return FileResponse(path, media_type="video/mp4")

    return [
        Route("/api/render/proxy/lambda", submit, methods=["POST"]),
        Route("/api/render/proxy/lambda/{rid}", poll, methods=["GET"]),
        Route("/api/render/proxy/lambda/{rid}/cancel", cancel, methods=["POST"]),
        Route("/api/render/proxy/{rid}/download", download, methods=["GET"]),
        Route("/files/renders/{rid}.mp4", output_file, methods=["GET"]),
        Route("/files/clips/{key}.mp4", clip_file, methods=["GET"]),
    ]


def _serve_clip(ctx: BackendContext, job: RenderRecord) -> Response:
    path = ctx.store.clip_path(job.clip_key)
    if job.status != "completed" or not path.is_file():
        return render_fail(f"The render is {job.status}, there is nothing to download yet.", status=409)
    rule = ctx.faults.take("download", ("cut_download",))
    filename = f"{job.id}.mp4"
    if rule is not None:
        return _cut_response(path, filename)
    return FileResponse(path, media_type="video/mp4", filename=filename)


def _cut_response(path: Path, filename: str) -> Response:
    size = path.stat().st_size

    async def half() -> AsyncIterator[bytes]:
        data = await anyio.to_thread.run_sync(path.read_bytes)
        yield data[: size // 2]
        raise DroppedByFaultError("download cut off half way (fault plan)")

    return StreamingResponse(
        half(),
        media_type="video/mp4",
        headers={"Content-Length": str(size), "Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _closed_port() -> int:
    """A loopback port on which nothing listens (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


__all__ = ["output_url", "render_cached", "resume_jobs", "routes", "spec_from_json", "spec_to_json"]
