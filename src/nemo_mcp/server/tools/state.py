"""The free tools that look: get_state (a session, and the work running for it) and get_credits."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from nemo_mcp.config import MAX_WAIT_SECONDS
from nemo_mcp.errors import NemoError, StreamDroppedError, StreamLostError
from nemo_mcp.server.results import CreditsResult, JobInfo, StateResult, StateStatus, TurnReport
from nemo_mcp.server.tools.animate import turn_summary
from nemo_mcp.server.tools.common import (
    Ctx,
    McpProgressSink,
    ServerState,
    SessionId,
    call,
    collect,
    errors,
    job_info,
    require_session,
    state_of,
    wait_budget,
)
from nemo_mcp.service.models import TurnOutcome
from nemo_mcp.service.text import format_duration


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
    state = await state_of(ctx)
    budget = wait_budget(state, wait_seconds)
    sid = await require_session(state, session_id)
    running = await state.jobs.running("turn", sid) or await state.jobs.running("export", sid)
    if running is not None and budget > 0:
        await running.wait(budget, McpProgressSink(ctx))
    finished_turn, turn_error = await _finished_turn(state, sid)
    with errors():
        view = await state.service.state(sid)
    jobs = [job_info(job) for job in await state.jobs.for_session(view.session_id)]
    status, message, next_step = _status(state, view.session_id, view.ready_to_export, jobs, turn_error)
    if status != "running" and turn_error is None:
        # Track labels and the agent's answer are outside words: they stay in their own fields.
        message = f"The timeline has {len(view.tracks)} track(s), listed in timeline and tracks."
        if finished_turn is not None:
            message, next_step = _collected(finished_turn, view.session_id)
    return StateResult(
        status=status,
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


async def _finished_turn(state: ServerState, sid: str) -> tuple[TurnReport | None, NemoError | None]:
    """The outcome of an instruction that finished in the background (collected now), or its error."""
    turn = await state.jobs.find("turn", sid)
    if turn is None or not turn.done:
        return None, None
    try:
        outcome: TurnOutcome = await turn.collect()
    except NemoError as exc:
        return None, exc
    report = TurnReport(
        status=outcome.status,
        reply=outcome.reply,
        changes=outcome.changes,
        not_done=outcome.not_done,
        timeline=outcome.timeline,
        ready_to_export=outcome.ready_to_export,
        notice=outcome.notice,
    )
    return report, None


def _status(
    state: ServerState, sid: str, ready: bool, jobs: list[JobInfo], turn_error: NemoError | None
) -> tuple[StateStatus, str, str]:
    still = [job for job in jobs if job.status == "running"]
    if still:
        kind = "instruction" if still[-1].kind == "turn" else "render"
        doing = f"{still[-1].progress or 'working'}, {format_duration(still[-1].elapsed_s)}"
        next_step = collect(state, sid) if still[-1].kind == "turn" else call(sid, "export")
        return "running", f"The {kind} is still running ({doing}).", next_step
    if turn_error is not None:
        return "failed", f"The last instruction failed: {turn_error}", _after_failure(turn_error)
    if ready:
        return "ready", "", call(sid, "export")
    return "empty", "", "The timeline is empty: describe the clip with animate_image."


def _after_failure(error: NemoError) -> str:
    if isinstance(error, StreamLostError | StreamDroppedError):
        # It may have been carried out: advising to send it again could charge twice.
        return (
            "The timeline shows whether it was carried out. Only if it was not, and the person still wants "
            "it, send it with animate_image (that costs credits)."
        )
    return "Fix the problem, then send the instruction again with animate_image."


def _collected(report: TurnReport, sid: str) -> tuple[str, str]:
    outcome = TurnOutcome(session_id=sid, **report.model_dump())
    message, next_step = turn_summary(outcome)
    return f"The instruction finished. {message}", next_step


async def get_credits(ctx: Ctx) -> CreditsResult:
    """Show the NemoVideo credit balance: available, frozen (reserved by running work) and total. Free.

    Check it before animating: a generated clip costs about 100 credits, an edit about 50; export is free.
    Anonymous users also get the link to register for more credits.
    """
    state = await state_of(ctx)
    with errors():
        view = await state.service.credits()
    return CreditsResult.from_view(view)
