"""The export tool: render the session to MP4 and download it, resume a running render, or cancel it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ResourceLink, TextContent
from pydantic import Field

from nemo_mcp.config import Settings
from nemo_mcp.errors import PathNotAllowedError
from nemo_mcp.server.jobs import Job
from nemo_mcp.server.results import ExportResult
from nemo_mcp.server.tools.common import (
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
from nemo_mcp.service.models import ExportOutcome, ProgressUpdate
from nemo_mcp.service.text import format_size


async def export(
    ctx: Ctx,
    session_id: SessionId = None,
    wait_seconds: WaitSeconds = None,
    output_dir: Annotated[
        str | None,
        Field(
            description=(
                "Folder to write the MP4 into (inside the allowed folders, or the configured output folder). "
                "Default: the configured output folder."
            )
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
    sid = require_session(state, session_id)
    if cancel:
        return await _cancel_export(state, sid)
    out_dir = _output_dir(state.settings, output_dir)
    progress = McpProgressSink(ctx)
    job = state.jobs.find("export", sid)
    if job is None:
        if (turn := state.jobs.running("turn", sid)) is not None:
            raise ToolError(
                f"Session {sid} is still working on an instruction ({turn.describe()}); export when it is done: "
                f"{collect(state, sid)}."
            )
        service = state.service

        async def work(job: Job[ExportOutcome]) -> ExportOutcome:
            return await service.exports.export(sid, out_dir, job.report)

        job = state.jobs.start("export", sid, "render", work)
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
        outcome: ExportOutcome = job.result()
    state.exports.append(outcome)
    return _export_done(outcome, job)


def _export_done(outcome: ExportOutcome, job: Job[Any]) -> CallToolResult:
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
            f"output_dir {raw!r} is outside the folders nemo-mcp may write to.",
            hint=f"Use a folder inside {settings.output_dir} or one of NEMO_MCP_ALLOWED_DIRS, or omit output_dir.",
        )
        raise ToolError(str(error))
    return resolved
