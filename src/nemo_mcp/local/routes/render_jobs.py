"""The render (export) endpoints of the contract (§3, §5): submit, poll, cancel, download.

The work runs on worker threads (`render_queue.py`); these handlers only check, record and answer.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from nemo_mcp.local.agent.clips import clip_key, to_spec
from nemo_mcp.local.agent.plan_draft import DraftError, from_draft
from nemo_mcp.local.context import BackendContext, RenderControl
from nemo_mcp.local.faults import DroppedByFaultError, FaultPlan
from nemo_mcp.local.records import RenderRecord
from nemo_mcp.local.render_queue import ACTIVE, output_url, schedule, spec_to_json, update
from nemo_mcp.local.routes.bodies import read_json
from nemo_mcp.local.routes.guards import (
    begin,
    context_of,
    generic_fault,
    iso,
    now,
    owned_session,
    render_fail,
    render_ok,
)

log = logging.getLogger(__name__)

_RENDER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
CANCEL_WAIT_S = 15.0

_JOB_FAULTS: dict[str, Literal["render_fail", "stall"]] = {"render_fail": "render_fail", "stall": "stall"}


def _attribution_missing() -> JSONResponse:
    return JSONResponse(
        {
            "success": False,
            "error": "Export needs the X-Skill-Source, X-Skill-Version and X-Skill-Platform headers.",
        },
        status_code=402,
    )


async def submit(request: Request) -> Response:
    ctx = context_of(request)
    caller = await begin(ctx, request, "render_submit")
    if isinstance(caller, Response):
        return caller
    if not caller.attributed:
        return _attribution_missing()
    rule = ctx.faults.take("render_submit", ("submit_fail", "render_fail", "stall", "foreign_id"))
    if rule is not None and rule.effect == "submit_fail":
        return render_fail("The render could not be submitted (fault plan).", status=500)
    body = await read_json(request)  # 400 for a body that is not JSON, too big or too deep
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
    if rule is not None and rule.effect == "foreign_id":
        render_id = str(rule.value)  # a hostile backend's choice: nothing checks it here
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
    control = RenderControl(release=ctx.faults.release_event() if job.fault == "stall" else None)
    schedule(ctx, render_id, control)
    return render_ok({"id": render_id, "status": "pending", "progress": 5})


async def _job_for(request: Request, route: str) -> tuple[RenderRecord | None, Response | None]:
    ctx = context_of(request)
    caller = await begin(ctx, request, route)
    if isinstance(caller, Response):
        return None, caller
    job = ctx.store.render(request.path_params["rid"])
    if job is None or job.user_id != caller.user_id:
        return None, render_fail("Render not found.", status=404)
    return job, None


async def poll(request: Request) -> Response:
    ctx = context_of(request)
    job, answer = await _job_for(request, "render_poll")
    if job is None:
        assert answer is not None
        return answer
    if ctx.faults.take("render_poll", ("echo_headers",)) is not None:
        echoed = "\n".join(f"{name}: {value}" for name, value in request.headers.items())
        return render_ok({"id": job.id, "status": "failed", "progress": 0, "error": echoed})
    rule = ctx.faults.take("render_poll", ("completed_without_url", "poll_variant", "unreachable_url"))
    status, progress, url = job.status, job.progress, None
    if status == "completed":
        url = output_url(ctx, job.id)
        if (foreign := ctx.faults.take("render_poll", ("foreign_url",))) is not None:
            url = str(foreign.value)
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
    ctx = context_of(request)
    job, answer = await _job_for(request, "render_cancel")
    if job is None:
        assert answer is not None
        return answer
    control = ctx.render_controls.get(job.id)
    with ctx.store.lock:
        current = ctx.store.render(job.id)
        assert current is not None
        if current.status not in ACTIVE:
            return render_fail(f"The render is already {current.status}.", status=409)
        if control is not None:
            control.cancel.set()
        if current.status == "pending":
            update(ctx, job.id, status="failed", error="Cancelled.", completed_at=now())
            control = None
    if control is not None:
        await anyio.to_thread.run_sync(control.done.wait, CANCEL_WAIT_S)
    final = ctx.store.render(job.id)
    assert final is not None
    return render_ok({"id": final.id, "status": final.status, "progress": final.progress, "cancelled": True})


async def download(request: Request) -> Response:
    ctx = context_of(request)
    job, answer = await _job_for(request, "download")
    if job is None:
        assert answer is not None
        return answer
    return _serve_clip(ctx, job)


async def output_file(request: Request) -> Response:
    ctx = context_of(request)
    # Output URLs need no token, like a CDN's; the ids are the client's own unguessable ones.
    ctx.stats.record_request("download", request.headers)
    if (faulted := await generic_fault(ctx, "download")) is not None:
        return faulted
    job = ctx.store.render(request.path_params["rid"])
    if job is None:
        return Response("not found", status_code=404)
    if (redirect := ctx.faults.take("download", ("redirect",))) is not None:
        return RedirectResponse(str(redirect.value), status_code=302)
    return _serve_clip(ctx, job)


async def clip_file(request: Request) -> Response:
    ctx = context_of(request)
    ctx.stats.record_request("download", request.headers)
    if (faulted := await generic_fault(ctx, "download")) is not None:
        return faulted
    key = request.path_params["key"]
    path = ctx.store.clip_path(key)
    if not re.fullmatch(r"[0-9a-f]{32}", key) or not path.is_file():
        return Response("not found", status_code=404)
    return FileResponse(path, media_type="video/mp4")


ROUTES: list[BaseRoute] = [
    Route("/api/render/proxy/lambda", submit, methods=["POST"]),
    # `path`: a foreign_id fault may name a job with slashes; the client must still reach it to be tested.
    Route("/api/render/proxy/lambda/{rid:path}", poll, methods=["GET"]),
    Route("/api/render/proxy/lambda/{rid}/cancel", cancel, methods=["POST"]),
    Route("/api/render/proxy/{rid:path}/download", download, methods=["GET"]),
    Route("/files/renders/{rid}.mp4", output_file, methods=["GET"]),
    Route("/files/clips/{key}.mp4", clip_file, methods=["GET"]),
]


def _serve_clip(ctx: BackendContext, job: RenderRecord) -> Response:
    path = ctx.store.clip_path(job.clip_key)
    if job.status != "completed" or not path.is_file():
        return render_fail(f"The render is {job.status}, there is nothing to download yet.", status=409)
    rule = ctx.faults.take("download", ("cut_download", "stall"))
    filename = f"{job.id}.mp4".rsplit("/", 1)[-1]
    if rule is not None:
        return _cut_response(path, filename, ctx.faults if rule.effect == "stall" else None)
    return FileResponse(path, media_type="video/mp4", filename=filename)


def _cut_response(path: Path, filename: str, held_by: FaultPlan | None) -> Response:
    """Half the file, then a dropped connection; or, `held_by` a plan, the rest once it is reset."""
    size = path.stat().st_size

    async def half() -> AsyncIterator[bytes]:
        data = await anyio.to_thread.run_sync(path.read_bytes)
        yield data[: size // 2]
        if held_by is None:
            raise DroppedByFaultError("download cut off half way (fault plan)")
        await anyio.to_thread.run_sync(held_by.holding().wait, abandon_on_cancel=True)
        yield data[size // 2 :]

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


__all__ = ["ROUTES"]
