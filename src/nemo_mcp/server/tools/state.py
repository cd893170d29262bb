"""The free tools that look: get_state (a session, and the work running for it) and get_credits."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from nemo_mcp.config import MAX_WAIT_SECONDS
from nemo_mcp.errors import NemoError
from nemo_mcp.server.results import CreditsResult, StateResult, TurnReport
from nemo_mcp.server.tools.common import (
    Ctx,
    McpProgressSink,
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
    sid = require_session(state, session_id)
    running = state.jobs.running("turn", sid) or state.jobs.running("export", sid)
    if running is not None and budget > 0:
        await running.wait(budget, McpProgressSink(ctx))
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
    with errors():
        view = await state.service.state(sid)
    jobs = [job_info(job) for job in state.jobs.for_session(view.session_id)]
    still = [job for job in jobs if job.status == "running"]
    if still:
        kind = "instruction" if still[-1].kind == "turn" else "render"
        message = f"The {kind} is still running ({still[-1].progress or 'working'}, {format_duration(still[-1].elapsed_s)})."
        next_step = (
            collect(state, view.session_id) if still[-1].kind == "turn" else call(view.session_id, "export")
        )
    elif turn_error is not None:
        message = f"The last instruction failed: {turn_error}"
        next_step = "Fix the problem, then send the instruction again with animate_image."
    else:
        message = view.timeline
        if finished_turn is not None:
            message = f"The instruction finished. {finished_turn.reply}".strip()
        next_step = (
            call(view.session_id, "export")
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
    state = await state_of(ctx)
    with errors():
        view = await state.service.credits()
    return CreditsResult.from_view(view)
