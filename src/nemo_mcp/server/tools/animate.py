"""animate_image: the one tool that spends credits. The person's words and, optionally, settings the
calling model fills from them in any language (`service.intent.Intent`); the answer says exactly what
changed in the clip, read from the timeline, and what was asked and not done."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from mcp.server.apps import client_supports_apps
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import Field, ValidationError

from nemo_mcp.config import MAX_INSTRUCTION_CHARS
from nemo_mcp.server.board import JobControl, JobView
from nemo_mcp.server.results import AnimateResult
from nemo_mcp.server.studio.wiring import as_result, session_poster_content
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
    refuse_while_running,
    require_session,
    session_arg,
    state_of,
    wait_budget,
)
from nemo_mcp.server.tools.media import within_budget
from nemo_mcp.service.intent import Aspect, Intent, Motion, Position, Resolution, Speed
from nemo_mcp.service.models import ProgressUpdate, TurnOutcome
from nemo_mcp.service.text import format_duration

# The settings a model fills from the person's words, in any language (`service.intent.Intent`).
Instruction = Annotated[
    str,
    Field(
        max_length=MAX_INSTRUCTION_CHARS,
        description=(
            "The person's words, as they said them (any language): 'animate this image into a 5-second video "
            "clip', 'make it 9:16 with the title \"Summer\"', 'add calm background music'. May be empty when "
            "settings are given."
        ),
    ),
]
Image = Annotated[
    str | None,
    Field(
        max_length=MAX_PATH_CHARS,
        description=(
            "Optional: a local path or http(s) URL of an image to upload first. Without session_id it starts a new "
            "session, so earlier clips do not mix in."
        ),
    ),
]
DurationS = Annotated[float | None, Field(description="Clip length in seconds, e.g. 8.", gt=0, le=60)]
AspectRatio = Annotated[
    Aspect | None,
    Field(
        description="'16:9' landscape, '9:16' vertical (TikTok, Reels, Shorts, stories), '1:1' square, '4:5' Instagram portrait."
    ),
]
MotionSetting = Annotated[Motion | None, Field(description="The camera move; 'static' for none.")]
MotionSpeed = Annotated[Speed | None, Field(description="How fast the camera moves.")]
Title = Annotated[
    str | None, Field(description="Title text shown on the clip, exactly as it should read.", max_length=100)
]
TitlePosition = Annotated[Position | None, Field(description="Where the title sits.")]
Music = Annotated[
    str | None,
    Field(
        description="Background music: a mood such as 'calm', 'upbeat', 'cinematic', or the file name of an uploaded audio file.",
        max_length=120,
    ),
]
MusicVolume = Annotated[
    int | None, Field(description="Music loudness as a person hears it, 0-100.", ge=0, le=100)
]
ResolutionSetting = Annotated[Resolution | None, Field(description="'720p' or '1080p' (full HD).")]


async def animate_image(
    ctx: Ctx,
    instruction: Instruction = "",
    image: Image = None,
    session_id: SessionId = None,
    wait_seconds: WaitSeconds = None,
    duration_s: DurationS = None,
    aspect_ratio: AspectRatio = None,
    motion: MotionSetting = None,
    motion_speed: MotionSpeed = None,
    title: Title = None,
    title_position: TitlePosition = None,
    music: Music = None,
    music_volume: MusicVolume = None,
    resolution: ResolutionSetting = None,
) -> Annotated[CallToolResult, AnimateResult]:
    """Ask the NemoVideo video agent to animate the uploaded image, or to edit the clip it made.

    Fill the settings (duration_s, aspect_ratio, motion, motion_speed, title, title_position, music,
    music_volume, resolution) from what the person asked, whatever their language, and pass their words as
    instruction too: "把这张照片做成8秒的竖屏视频，标题“夏天”" → instruction=<those words>, duration_s=8,
    aspect_ratio="9:16", title="夏天". Set only what they asked for; the rest stays as it is. When the
    words and a setting disagree, the setting wins.

    COSTS CREDITS: about 100 per generated clip, about 50 per edit (see get_credits). Generation takes
    1 to 5 minutes: if it is not done within wait_seconds the answer has status 'running' and next_step
    says how to collect it (get_state with wait_seconds). Never send the same instruction again while one
    is running. Read status before telling the person anything: 'unchanged' means nothing in the clip
    changed, 'partial' lists in not_done what was asked and not done; `changes` is what really changed.
    When ready_to_export is true, call export to get the MP4.
    """
    state = await state_of(ctx)
    intent = _intent(
        duration_s=duration_s,
        aspect_ratio=aspect_ratio,
        motion=motion,
        motion_speed=motion_speed,
        title=title,
        title_position=title_position,
        music=music,
        music_volume=music_volume,
        resolution=resolution,
    )
    text = instruction.strip()
    if not text and intent.empty:
        raise ToolError(
            "Say what to make: give the instruction (e.g. 'animate this image into a 5-second clip') or "
            "settings such as duration_s and aspect_ratio."
        )
    budget = wait_budget(state, wait_seconds)
    started = anyio.current_time()
    # One per call: the values it reports only increase, across the upload and the generation.
    progress = McpProgressSink(ctx)
    with errors():
        # The upload cannot be left running in the background (the instruction needs it): it gets the
        # configured wait even when this call asks to answer sooner.
        upload_budget = max(budget, state.settings.wait_seconds)
        sid, notice = await _session_for(state, session_arg(session_id), image, progress, upload_budget)
    label = text or intent.sentence()
    turn = await _start_turn(state, sid, text, intent, label)
    await progress(ProgressUpdate(message=f'working on "{_short(label)}"'))
    remaining = max(0.0, budget - (anyio.current_time() - started))
    if not await turn.wait(remaining, progress):
        return as_result(_running(state, turn, notice))
    with errors():
        outcome = await turn.collect()
    return await _finished(ctx, outcome, turn, notice)


def _running(state: ServerState, turn: JobView, notice: str | None) -> AnimateResult:
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


async def _finished(ctx: Ctx, outcome: TurnOutcome, turn: JobView, notice: str | None) -> CallToolResult:
    done = _animate_done(outcome, turn, notice)
    # Clients without the studio see what the clip looks like (the studio shows it itself).
    changed = outcome.status in ("done", "partial")
    poster = (
        await session_poster_content(ctx, outcome.session_id)
        if changed and not client_supports_apps(ctx)
        else None
    )
    return as_result(done, poster) if poster is not None else as_result(done)


def _intent(**fields: Any) -> Intent:
    try:
        return Intent(**fields)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem.get("loc", ())) or "a setting"
        raise ToolError(f"{where}: {problem.get('msg', 'not valid')}.") from None


async def _session_for(
    state: ServerState, sid: str | None, image: str | None, progress: McpProgressSink, budget: float
) -> tuple[str, str | None]:
    """The session the instruction goes to (uploading `image` first), and any notice about it."""
    notice: str | None = None
    if image is not None:
        await refuse_while_running(state, sid)
        # A new image without a session is a new clip: a fresh session keeps earlier clips out of it.
        uploaded = await within_budget(
            budget, lambda: state.service.uploads.upload([image], sid, progress, new_session=sid is None)
        )
        sid, notice = uploaded.session_id, uploaded.notice
    elif sid is None and await state.service.workspace.latest_id() is None:
        raise ToolError(
            "There is no image yet. Pass image='/path/to/photo.jpg' (or a URL), or call upload first."
        )
    sid = await require_session(state, sid)
    await refuse_while_running(state, sid)
    return sid, notice


async def _start_turn(state: ServerState, sid: str, text: str, intent: Intent, label: str) -> JobView:
    service = state.service

    async def work(job: JobControl) -> TurnOutcome:
        # The checkpoint comes just before the message is sent: a replica that takes the job over after it
        # polls the state instead of sending again.
        outcome = await service.turns.send(text, sid, job.report, intent=intent, before_send=job.checkpoint)
        job.bind(outcome.session_id)
        return outcome

    # What finished earlier in this session is about to be out of date: nothing should hand it out later.
    with errors():
        await state.jobs.settle(sid)
        return await state.jobs.start("turn", sid, f'instruction "{_short(label)}"', work)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def turn_summary(outcome: TurnOutcome, elapsed_s: float | None = None) -> tuple[str, str]:
    """(message, next_step) for a finished turn: what really happened, and the honest next call.

    Our sentences point at the fields; the words inside them (file names, titles, the agent's reply)
    come from outside and stay there, marked as data.
    """
    took = f" in {format_duration(elapsed_s)}" if elapsed_s is not None else ""
    sid = outcome.session_id
    if outcome.status == "unchanged":
        return (
            "Nothing in the clip changed; reply holds the video agent's own words.",
            "Tell the person that nothing changed and why. To change the clip, rephrase the instruction or "
            "set the settings fields (duration_s, aspect_ratio, motion, title, music, …); there is nothing new "
            "to export.",
        )
    if outcome.status == "unverified":
        return (
            f"The instruction was carried out{took}, but the clip could not be read afterwards.",
            call(sid, "get_state") + " to see what the clip is now before telling the person.",
        )
    changed = _count(len(outcome.changes), "change")
    export = call(sid, "export") if outcome.ready_to_export else "check the clip with get_state"
    if outcome.status == "partial":
        missing = _count(len(outcome.not_done), "thing")
        return (
            f"Done in part{took}: {changed} (listed in changes), and {missing} asked for that was not done "
            "(listed in not_done).",
            f"Tell the person what changed and, plainly, what was not done. Then {export}, or rephrase the "
            "part that was not done.",
        )
    return (f"Done{took}: {changed}, listed in changes.", export)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _animate_done(outcome: TurnOutcome, job: JobView, notice: str | None) -> AnimateResult:
    message, next_step = turn_summary(outcome, job.elapsed_s)
    return AnimateResult(
        status=outcome.status,
        message=message,
        session_id=outcome.session_id,
        reply=outcome.reply,
        changes=outcome.changes,
        not_done=outcome.not_done,
        timeline=outcome.timeline,
        ready_to_export=outcome.ready_to_export,
        notice=" ".join(n for n in (notice, outcome.notice) if n) or None,
        elapsed_s=round(job.elapsed_s, 1),
        next_step=next_step,
    )
