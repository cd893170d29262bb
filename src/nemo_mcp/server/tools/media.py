"""The tools that bring media in and work on it: upload, and animate_image (which costs credits)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from nemo_mcp.server.jobs import Job
from nemo_mcp.server.results import AnimateResult, UploadResult
from nemo_mcp.server.tools.common import (
    Ctx,
    McpProgressSink,
    ServerState,
    SessionId,
    WaitSeconds,
    call,
    collect,
    errors,
    refuse_while_running,
    require_session,
    session_arg,
    state_of,
    wait_budget,
)
from nemo_mcp.service.models import ProgressUpdate, TurnOutcome
from nemo_mcp.service.text import format_duration


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
    state = await state_of(ctx)
    sources = [source] if isinstance(source, str) else list(source)
    if not sources or not all(s.strip() for s in sources):
        raise ToolError("Give at least one file path or http(s) URL in source.")
    sid = session_arg(session_id)
    if new_session and sid is not None:
        raise ToolError("Give either session_id or new_session=true, not both.")
    with errors():
        outcome = await state.service.uploads.upload(
            sources, sid, McpProgressSink(ctx), new_session=new_session
        )
    names = ", ".join(f.filename for f in outcome.files)
    return UploadResult(
        message=f"Uploaded {len(outcome.files)} file(s) into session {outcome.session_id}: {names}.",
        session_id=outcome.session_id,
        files=outcome.files,
        notice=outcome.notice,
        next_step=call(
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
    state = await state_of(ctx)
    text = instruction.strip()
    if not text:
        raise ToolError(
            "The instruction is empty: say what to make, e.g. 'animate this image into a 5-second clip'."
        )
    budget = wait_budget(state, wait_seconds)
    started = anyio.current_time()
    # One per call: the values it reports only increase, across the upload and the generation.
    progress = McpProgressSink(ctx)
    with errors():
        sid, notice = await _session_for(state, session_arg(session_id), image, progress)
    turn = _start_turn(state, sid, text)
    await progress(ProgressUpdate(message=f'working on "{_short(text)}"'))
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
            next_step=collect(state, turn.session_id),
        )
    with errors():
        outcome = turn.result()
    return _animate_done(outcome, turn, notice)


async def _session_for(
    state: ServerState, sid: str | None, image: str | None, progress: McpProgressSink
) -> tuple[str, str | None]:
    """The session the instruction goes to (uploading `image` first), and any notice about it."""
    notice: str | None = None
    if image is not None:
        refuse_while_running(state, sid)
        # A new image without a session is a new clip: a fresh session keeps earlier clips out of it.
        uploaded = await state.service.uploads.upload([image], sid, progress, new_session=sid is None)
        sid, notice = uploaded.session_id, uploaded.notice
    elif sid is None and state.service.workspace.latest_session_id is None:
        raise ToolError(
            "There is no image yet. Pass image='/path/to/photo.jpg' (or a URL), or call upload first."
        )
    sid = require_session(state, sid)
    refuse_while_running(state, sid)
    return sid, notice


def _start_turn(state: ServerState, sid: str, text: str) -> Job[TurnOutcome]:
    service = state.service

    async def work(job: Job[TurnOutcome]) -> TurnOutcome:
        outcome = await service.turns.send(text, sid, job.report)
        job.bind(outcome.session_id)
        return outcome

    # What finished earlier in this session is about to be out of date: nothing should hand it out later.
    state.jobs.settle(sid)
    return state.jobs.start("turn", sid, f'instruction "{_short(text)}"', work)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


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
            call(sid, "export")
            if outcome.ready_to_export
            else "Send another instruction with animate_image, or check the timeline with get_state."
        ),
    )
