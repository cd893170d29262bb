"""The five MCP tools: validate the arguments, call `NemoService` (through a job for work that takes
minutes), shape a result model. Registered on a server by `nemo_mcp.server.build_server`.

A `NemoError` becomes a `ToolError` carrying its message and hint: the only way text reaches the client.
Anything else stays hidden behind the SDK's generic error (and is logged to stderr with its traceback).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ResourceLink, TextContent
from pydantic import Field

from nemo_mcp.config import MAX_WAIT_SECONDS, Settings
from nemo_mcp.errors import NemoError, PathNotAllowedError
from nemo_mcp.jobs import Job, JobBoard, format_duration
from nemo_mcp.models import ExportOutcome, ProgressUpdate, TurnOutcome
from nemo_mcp.service import NemoService
from nemo_mcp.tool_results import (
    AnimateResult,
    CreditsResult,
    ExportResult,
    JobInfo,
    StateResult,
    TurnReport,
    UploadResult,
    format_size,
)

log = logging.getLogger(__name__)


@dataclass
class ServerState:
    """What the tools share, made by the lifespan: settings, the service, the jobs, what was exported."""

    settings: Settings
    service: NemoService
    jobs: JobBoard
    exports: list[ExportOutcome] = field(default_factory=list)


Ctx = Context[ServerState, Any]

SessionId = Annotated[
    str | None,
    Field(
        description="The session to use, as returned by upload or animate_image. Omit it for the latest session."
    ),
]
WaitSeconds = Annotated[
    float | None,
    Field(
        description=(
            "How long to wait for the work before answering (0 to 55 s; default about 45). If it is not done "
            "by then the answer has status 'running' and says what to call next; the work goes on."
        ),
        json_schema_extra={"minimum": 0, "maximum": MAX_WAIT_SECONDS},
    ),
]


def _state(ctx: Ctx) -> ServerState:
    state = ctx.request_context.lifespan_context
    # The client's name becomes X-Skill-Platform (unless SKILL_SOURCE is set).
    params = ctx.session.client_params
    if params is not None and params.client_info is not None:
        state.service.set_platform(params.client_info.name)
    return state


@contextmanager
def _errors() -> Iterator[None]:
    """A NemoError reaches the client as its message and hint; the original traceback stays here."""
    try:
        yield
    except NemoError as exc:
        raise ToolError(str(exc)) from None


def _budget(state: ServerState, wait_seconds: float | None) -> float:
    if wait_seconds is None:
        return state.settings.wait_seconds
    if not math.isfinite(wait_seconds) or wait_seconds < 0:
        raise ToolError(f"wait_seconds={wait_seconds} is not valid: give 0 to {MAX_WAIT_SECONDS:g} seconds.")
    if wait_seconds > MAX_WAIT_SECONDS:
        raise ToolError(
            f"wait_seconds={wait_seconds:g} is too long: MCP clients give up on a call after about 60 s. "
            f"Use at most {MAX_WAIT_SECONDS:g}; the work keeps running and get_state collects it later."
        )
    return wait_seconds


def _session_arg(session_id: str | None) -> str | None:
    if session_id is None:
        return None
    text = session_id.strip()
    return text or None


def _require_session(state: ServerState, session_id: str | None) -> str:
    sid = _session_arg(session_id) or state.service.latest_session_id
    if sid is None:
        raise ToolError(
            "There is no session yet. Upload an image first: upload(source='/path/to/photo.jpg'), or pass "
            "image=... to animate_image."
        )
    return sid


def _call(sid: str | None, name: str, **extra: str | float) -> str:
    args = [f'session_id="{sid}"'] if sid else []
    args += [
        f"{key}={value!r}" if isinstance(value, str) else f"{key}={value:g}" for key, value in extra.items()
    ]
    return f"{name}({', '.join(args)})"


class CallProgress:
    """Forwards job updates to one tool call as MCP progress notifications whose values only increase.

    The integer part counts the updates this call has seen; a known fraction adds detail below the next
    integer. A job's fractions may start over (an upload, then a generation), a call's values never do.
    The messages are the service's own ("uploading photo.jpg (12 MB)", "rendering 60%").
    """

    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx
        self._value = 0.0

    async def __call__(self, update: ProgressUpdate) -> None:
        fraction = update.fraction if update.fraction is not None and math.isfinite(update.fraction) else 0.0
        self._value = math.floor(self._value) + 1 + 0.99 * min(1.0, max(0.0, fraction))
        await self._ctx.report_progress(self._value, None, update.message)


def _job_info(job: Job[Any]) -> JobInfo:
    error = job.error
    return JobInfo(
        kind=job.kind,
        status=job.status,
        elapsed_s=round(job.elapsed_s, 1),
        progress=job.latest.message if job.latest is not None else None,
        error=str(error) if error is not None else None,
    )


def _collect(state: ServerState, sid: str | None) -> str:
    """The call that waits for a running instruction, with the budget this server is configured for."""
    return _call(sid, "get_state", wait_seconds=state.settings.wait_seconds)


def _running_turn_error(state: ServerState, sid: str, job: Job[Any]) -> ToolError:
    return ToolError(
        f"Session {sid} is still working on the previous instruction ({job.describe()}). Do not send it again: "
        f"that would charge twice. Wait for it with {_collect(state, sid)}."
    )


# -- the tools ---------------------------------------------------------------------------------------------


async def upload(
    ctx: Ctx,
    source: Annotated[
        list[str] | str,
        Field(
            description=(
                "A local file path (inside the allowed folders) or an http(s) URL, or a list of them. "
                "Images: jpg, png, webp, bmp, gif; also mp4/mov/webm video and mp3/wav/m4a audio; 50 MB at most."
            )
        ),
    ],
    session_id: SessionId = None,
    new_session: Annotated[
        bool,
        Field(
            description="Start a new session for these files (a different photo or project) instead of the latest."
        ),
    ] = False,
) -> UploadResult:
    """Upload images (or video/audio) into a NemoVideo session before animating them. Free.

    Use it first, with the photo the person wants to animate; it returns the session_id to use next and
    what the backend made of each file (type, size, dimensions). Without session_id the files go into the
    latest session (a new one is started when there is none); new_session=true starts a fresh one.
    """
    state = _state(ctx)
    sources = [source] if isinstance(source, str) else list(source)
    if not sources or not all(s.strip() for s in sources):
        raise ToolError("Give at least one file path or http(s) URL in source.")
    sid = _session_arg(session_id)
    if new_session and sid is not None:
        raise ToolError("Give either session_id or new_session=true, not both.")
    with _errors():
        if new_session:
            sid = await state.service.new_session()
        outcome = await state.service.upload(sources, sid, CallProgress(ctx))
    names = ", ".join(f.filename for f in outcome.files)
    return UploadResult(
        message=f"Uploaded {len(outcome.files)} file(s) into session {outcome.session_id}: {names}.",
        session_id=outcome.session_id,
        files=outcome.files,
        notice=outcome.notice,
        next_step=_call(
            outcome.session_id, "animate_image", instruction="animate this image into a 5-second video clip"
        ),
    )


async def animate_image(
    ctx: Ctx,
    instruction: Annotated[
        str,
        Field(
            description=(
                "What to make or change, in plain words: 'animate this image into a 5-second video clip using "
                "low VRAM mode', 'make it 9:16 with the title \"Summer\"', 'add calm background music'."
            )
        ),
    ],
    image: Annotated[
        str | None,
        Field(
            description=(
                "Optional: a local path or http(s) URL of an image to upload first. Without session_id it starts "
                "a new session, so earlier clips do not mix in."
            )
        ),
    ] = None,
    session_id: SessionId = None,
    wait_seconds: WaitSeconds = None,
) -> AnimateResult:
    """Ask the NemoVideo video agent to animate the uploaded image, or to edit the clip it made.

    COSTS CREDITS: about 100 per generated clip, about 50 per edit (see get_credits). Generation takes
    1 to 5 minutes: if it is not done within wait_seconds the answer has status 'running' and next_step
    says how to collect it (get_state with wait_seconds). Never send the same instruction again while one
    is running. When ready_to_export is true, call export to get the MP4.
    """
    state = _state(ctx)
    text = instruction.strip()
    if not text:
        raise ToolError(
            "The instruction is empty: say what to make, e.g. 'animate this image into a 5-second clip'."
        )
    budget = _budget(state, wait_seconds)
    started = anyio.current_time()
    sid = _session_arg(session_id)
    notice: str | None = None
    # One per call: the values it reports only increase, across the upload and the generation.
    progress = CallProgress(ctx)
    with _errors():
        if image is not None:
            if sid is not None and (job := state.jobs.running("turn", sid)) is not None:
                raise _running_turn_error(state, sid, job)
            # A new image without a session is a new clip: a fresh session keeps earlier clips out of it.
            uploaded = await state.service.upload([image], sid or await state.service.new_session(), progress)
            sid = uploaded.session_id
            notice = uploaded.notice
        elif sid is None and state.service.latest_session_id is None:
            raise ToolError(
                "There is no image yet. Pass image='/path/to/photo.jpg' (or a URL), or call upload first."
            )
        sid = _require_session(state, sid)
        if (job := state.jobs.running("turn", sid)) is not None:
            raise _running_turn_error(state, sid, job)

    service = state.service

    async def work(job: Job[TurnOutcome]) -> TurnOutcome:
        outcome = await service.send_instruction(text, sid, job.report)
        job.bind(outcome.session_id)
        return outcome

    short = text if len(text) <= 60 else text[:57] + "..."
    # What finished earlier in this session is about to be out of date: nothing should hand it out later.
    state.jobs.settle(sid)
    turn = state.jobs.start("turn", sid, f'instruction "{short}"', work)
    await progress(ProgressUpdate(message=f'working on "{short}"'))
    remaining = max(0.0, budget - (anyio.current_time() - started))
    if not await turn.wait(remaining, progress):
        return AnimateResult(
            status="running",
            message=(
                f"Still working on it ({turn.describe()}); it continues in the background. Do not send the "
                "instruction again."
            ),
            session_id=turn.session_id,
            notice=notice,
            progress=turn.latest.message if turn.latest else None,
            elapsed_s=round(turn.elapsed_s, 1),
            next_step=_collect(state, turn.session_id),
        )
    with _errors():
        outcome = turn.result()
    return _animate_done(outcome, turn, notice)


def _animate_done(outcome: TurnOutcome, job: Job[Any], notice: str | None) -> AnimateResult:
    sid = outcome.session_id
    return AnimateResult(
        status="done",
        message=f"Done in {format_duration(job.elapsed_s)}. {outcome.timeline}",
        session_id=sid,
        reply=outcome.reply,
        changes=outcome.changes,
        timeline=outcome.timeline,
        ready_to_export=outcome.ready_to_export,
        notice=" ".join(n for n in (notice, outcome.notice) if n) or None,
        elapsed_s=round(job.elapsed_s, 1),
        next_step=(
            _call(sid, "export")
            if outcome.ready_to_export
            else "Send another instruction with animate_image, or check the timeline with get_state."
        ),
    )


async def get_state(
    ctx: Ctx,
    session_id: SessionId = None,
    wait_seconds: Annotated[
        float | None,
        Field(
            description=(
                "Wait up to this many seconds (0 to 55) for work still running in the session before answering. "
                "Default 0: answer at once."
            ),
            json_schema_extra={"minimum": 0, "maximum": MAX_WAIT_SECONDS},
        ),
    ] = 0,
) -> StateResult:
    """Show a session: its timeline as a person reads it, its media, whether it is ready to export, the
    status of any work still running for it, and a link to open it in the web app. Free.

    Use it to collect the result of an animate_image call that answered 'running' (pass wait_seconds=45 to
    wait for it), or to check the clip before exporting.
    """
    state = _state(ctx)
    budget = _budget(state, wait_seconds)
    sid = _require_session(state, session_id)
    running = state.jobs.running("turn", sid) or state.jobs.running("export", sid)
    if running is not None and budget > 0:
        await running.wait(budget, CallProgress(ctx))
    finished_turn: TurnReport | None = None
    turn_error: str | None = None
    turn = state.jobs.find("turn", sid)
    if turn is not None and turn.done:
        try:
            outcome: TurnOutcome = turn.result()
        except NemoError as exc:
            turn_error = str(exc)
        else:
            finished_turn = TurnReport(
                reply=outcome.reply,
                changes=outcome.changes,
                timeline=outcome.timeline,
                ready_to_export=outcome.ready_to_export,
                notice=outcome.notice,
            )
    with _errors():
        view = await state.service.get_state(sid)
    jobs = [_job_info(job) for job in state.jobs.for_session(view.session_id)]
    still = [job for job in jobs if job.status == "running"]
    if still:
        kind = "instruction" if still[-1].kind == "turn" else "render"
        message = f"The {kind} is still running ({still[-1].progress or 'working'}, {format_duration(still[-1].elapsed_s)})."
        next_step = (
            _collect(state, view.session_id) if still[-1].kind == "turn" else _call(view.session_id, "export")
        )
    elif turn_error is not None:
        message = f"The last instruction failed: {turn_error}"
        next_step = "Fix the problem, then send the instruction again with animate_image."
    else:
        message = view.timeline
        if finished_turn is not None:
            message = f"The instruction finished. {finished_turn.reply}".strip()
        next_step = (
            _call(view.session_id, "export")
            if view.ready_to_export
            else "The timeline is empty: describe the clip with animate_image."
        )
    return StateResult(
        message=message,
        session_id=view.session_id,
        timeline=view.timeline,
        tracks=view.tracks,
        media=view.media,
        ready_to_export=view.ready_to_export,
        web_url=view.web_url,
        jobs=jobs,
        finished_turn=finished_turn,
        next_step=next_step,
    )


async def get_credits(ctx: Ctx) -> CreditsResult:
    """Show the NemoVideo credit balance: available, frozen (reserved by running work) and total. Free.

    Check it before animating: a generated clip costs about 100 credits, an edit about 50; export is free.
    Anonymous users also get the link to register for more credits.
    """
    state = _state(ctx)
    with _errors():
        view = await state.service.get_credits()
    return CreditsResult.from_view(view)


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
    state = _state(ctx)
    budget = _budget(state, wait_seconds)
    sid = _require_session(state, session_id)
    if cancel:
        return await _cancel_export(state, sid)
    out_dir = _output_dir(state.settings, output_dir)
    progress = CallProgress(ctx)
    job = state.jobs.find("export", sid)
    if job is None:
        if (turn := state.jobs.running("turn", sid)) is not None:
            raise ToolError(
                f"Session {sid} is still working on an instruction ({turn.describe()}); export when it is done: "
                f"{_collect(state, sid)}."
            )
        service = state.service

        async def work(job: Job[ExportOutcome]) -> ExportOutcome:
            return await service.export(sid, out_dir, job.report)

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
                next_step=_call(sid, "export"),
            )
        )
    with _errors():
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
    job = state.jobs.running("export", sid)
    with _errors():
        cancelled = await state.service.cancel_export(sid)
    if job is not None:
        job.cancel()
        await job.wait(5)
        job.collected = True
    if job is None and not cancelled:
        message = f"No render is running for session {sid}; there was nothing to cancel."
    else:
        message = f"The render of session {sid} was cancelled."
    return _structured(
        ExportResult(
            status="cancelled",
            message=message,
            session_id=sid,
            next_step=_call(sid, "export") + " to render again",
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
