"""The export tool: render the session to MP4 and download it, resume a running render, or cancel it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import anyio
from mcp.server.apps import client_supports_apps
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ResourceLink, TextContent
from pydantic import Field

from nemo_mcp.config import Settings
from nemo_mcp.errors import PathNotAllowedError
from nemo_mcp.server.board import JobControl, JobView, Work
from nemo_mcp.server.exported import Exported
from nemo_mcp.server.results import ExportResult
from nemo_mcp.server.studio.wiring import poster_content
from nemo_mcp.server.tools.common import (
    MAX_PATH_CHARS,
    Ctx,
    McpProgressSink,
    ServerState,
    SessionId,
    WaitSeconds,
    call,
    collect,
    errors,
    require_session,
    state_of,
    wait_budget,
)
from nemo_mcp.service.models import ExportOutcome, ProgressUpdate, PublishedExport
from nemo_mcp.service.text import format_size, quoted_path

if TYPE_CHECKING:  # for annotations only: importing it would load the API client at start
    from nemo_mcp.service.facade import NemoService


async def export(
    ctx: Ctx,
    session_id: SessionId = None,
    wait_seconds: WaitSeconds = None,
    output_dir: Annotated[
        str | None,
        Field(
            max_length=MAX_PATH_CHARS,
            description=(
                "Folder to write the MP4 into (inside the allowed folders, or the configured output folder). "
                "Default: the configured output folder."
            ),
        ),
    ] = None,
    cancel: Annotated[
        bool, Field(description="Cancel the render running for the session instead of waiting for it.")
    ] = False,
) -> Annotated[CallToolResult, ExportResult]:
    """Render the session's timeline to an MP4 file and download it (export is free, no credits).

    Call it when get_state or animate_image says ready_to_export. Returns the file path on disk, its size,
    duration and resolution, the download URL and a link to the file. Rendering can take a minute or more:
    if the answer says 'running', call export again with the same session_id; it resumes the same render
    and never starts a second one. cancel=true stops a running render.
    """
    state = await state_of(ctx)
    budget = wait_budget(state, wait_seconds)
    sid = await require_session(state, session_id)
    with errors():  # before any progress: an unknown session gets an error, not "starting the render"
        await state.service.workspace.known(sid)
    if cancel:
        return await _cancel_export(state, sid)
    if state.hosted and output_dir is not None and output_dir.strip():
        raise ToolError(
            "This server is hosted: it writes nothing to its own disk, so output_dir cannot be used. Omit it: "
            "the answer gives the video's download link."
        )
    out_dir = await anyio.to_thread.run_sync(_output_dir, state.settings, output_dir)  # resolves: file I/O
    progress = McpProgressSink(ctx)
    job = await state.jobs.find("export", sid)
    if job is None:
        if (turn := await state.jobs.running("turn", sid)) is not None:
            raise ToolError(
                f"Session {sid} is still working on an instruction ({turn.describe()}); export when it is done: "
                f"{collect(state, sid)}."
            )
        facts = {"publish": "1"} if state.hosted else ({"output_dir": str(out_dir)} if out_dir else {})
        job = await state.jobs.start(
            "export", sid, "render", export_work(state.service, sid, facts), facts=facts
        )
        await progress(ProgressUpdate(message="starting the render"))
    elif not job.done:
        await progress(ProgressUpdate(message=f"resuming the running render ({job.describe()})"))
    if not await job.wait(budget, progress):
        return _structured(
            ExportResult(
                status="running",
                message=f"The render is still running ({job.describe()}); it continues in the background.",
                session_id=sid,
                progress=job.latest.message if job.latest else None,
                elapsed_s=round(job.elapsed_s, 1),
                next_step=call(sid, "export"),
            )
        )
    with errors():
        outcome: Exported = await job.collect()
        await state.exports.add(outcome)
    if isinstance(outcome, PublishedExport):
        return _link_done(outcome, job)
    result = _export_done(outcome, job)
    # Clients without the studio get a small poster frame to show (the studio plays the clip itself).
    if not client_supports_apps(ctx) and (poster := await poster_content(outcome.path)) is not None:
        result.content.append(poster)
    return result


def export_work(service: NemoService, sid: str, facts: Mapping[str, str]) -> Work[Exported]:
    """The export as a job runs it, from what is stored with the job (so another replica can carry it on):
    a download into the output folder, or, hosted, the backend's link with nothing written here."""

    async def work(job: JobControl) -> Exported:
        if facts.get("publish"):
            return await service.exports.publish(sid, job.report)
        folder = facts.get("output_dir")
        return await service.exports.export(sid, Path(folder) if folder else None, job.report)

    return work


def _link_done(outcome: PublishedExport, job: JobView) -> CallToolResult:
    facts = [format_size(outcome.size_bytes)] if outcome.size_bytes else []
    if outcome.duration_s is not None:
        facts.append(f"{outcome.duration_s:.1f} s")
    about = f" ({', '.join(facts)})" if facts else ""
    result = ExportResult(
        status="done",
        message=f"The video is ready{about}: download it from {outcome.download_url}",
        session_id=outcome.session_id,
        size_bytes=outcome.size_bytes,
        duration_s=outcome.duration_s,
        download_url=outcome.download_url,
        elapsed_s=round(job.elapsed_s, 1),
        next_step="Give the person the download link. To change the clip, use animate_image, then export again.",
    )
    name = f"nemo-{outcome.render_id.removeprefix('render_')[:12]}.mp4"
    link = ResourceLink(
        name=name, title=f"Exported video {name}", uri=outcome.download_url, mime_type="video/mp4"
    )
    return _structured(result, link)


def _export_done(outcome: ExportOutcome, job: JobView) -> CallToolResult:
    resolution = f"{outcome.width}x{outcome.height}" if outcome.width and outcome.height else None
    facts = [format_size(outcome.size_bytes)]
    if outcome.duration_s is not None:
        facts.append(f"{outcome.duration_s:.1f} s")
    if resolution:
        facts.append(resolution)
    result = ExportResult(
        status="done",
        message=f"The video is ready: {outcome.path} ({', '.join(facts)}).",
        session_id=outcome.session_id,
        path=str(outcome.path),
        size_bytes=outcome.size_bytes,
        duration_s=outcome.duration_s,
        resolution=resolution,
        download_url=outcome.download_url,
        elapsed_s=round(job.elapsed_s, 1),
        next_step="Tell the person where the file is. To change the clip, use animate_image, then export again.",
    )
    link = ResourceLink(
        name=outcome.path.name,
        title=f"Exported video {outcome.path.name}",
        uri=outcome.path.resolve().as_uri(),
        description=f"MP4, {', '.join(facts)}",
        mime_type="video/mp4",
        size=outcome.size_bytes,
    )
    return _structured(result, link)


def _structured(result: ExportResult, *extra: ResourceLink) -> CallToolResult:
    text = TextContent(type="text", text=result.model_dump_json(indent=2))
    return CallToolResult(content=[text, *extra], structured_content=result.model_dump(mode="json"))


async def _cancel_export(state: ServerState, sid: str) -> CallToolResult:
    with errors():
        cancelled = await state.service.exports.cancel(sid)
    job = await state.jobs.cancel("export", sid)
    if job is None and not cancelled:
        message = f"No render is running for session {sid}; there was nothing to cancel."
    else:
        message = f"The render of session {sid} was cancelled."
    return _structured(
        ExportResult(
            status="cancelled",
            message=message,
            session_id=sid,
            next_step=call(sid, "export") + " to render again",
        )
    )


def _output_dir(settings: Settings, raw: str | None) -> Path | None:
    """The folder the model asked for, if it is one we may write to; relative paths go under output_dir."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if "\x00" in text:
        raise ToolError("output_dir contains a NUL character.")
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = settings.output_dir / path
    resolved = path.resolve()
    roots = [root.resolve() for root in (settings.output_dir, *settings.allowed_dirs)]
    inside = [root for root in roots if resolved.is_relative_to(root)]
    hidden = all(any(part.startswith(".") for part in resolved.relative_to(root).parts) for root in inside)
    if not inside or hidden:
        error = PathNotAllowedError(
            f"output_dir {quoted_path(raw)} is outside the folders nemo-mcp may write to.",
            hint=f"Use a folder inside {settings.output_dir} or one of NEMO_MCP_ALLOWED_DIRS, or omit output_dir.",
        )
        raise ToolError(str(error))
    return resolved
