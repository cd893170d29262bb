"""run_sse: read a message, decide what it asks (`decide.py`), do it, and stream what happens as SSE events.

One message is one turn:
- the first message with an image animates it: a new draft plus a clip in `generated_media`;
- later messages edit the draft: duration, format, motion and its speed, title, music, framing; "undo"
  goes back to the draft before the last change;
- a message with nothing to act on gets a helpful answer and costs nothing.
With metering on (the cloud's rules, `BackendOptions.metered`), credits are reserved before the work
starts, charged when it completes, released if it fails; offline nothing is charged.

The work runs as a task of its own, not inside the response: a client that goes away does not stop it, and
its result lands in the session state (as the cloud does). The turn is kept in the session file until it is
done, so a backend stopped mid-render finishes it at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from nemo_mcp.local.agent.clips import clip_key, summary, to_spec
from nemo_mcp.local.agent.decide import Decision, decide
from nemo_mcp.local.agent.plan_draft import DraftError, from_draft, to_draft
from nemo_mcp.local.agent.plan_types import ClipPlan
from nemo_mcp.local.context import BackendContext
from nemo_mcp.local.faults import RUN_SSE_EFFECTS
from nemo_mcp.local.records import MAX_HISTORY, SessionRecord, TurnRecord
from nemo_mcp.local.render.spec import RenderCancelledError
from nemo_mcp.local.render_queue import RenderNotes, render_cached
from nemo_mcp.local.routes import event_stream as sse
from nemo_mcp.local.routes.bodies import json_object
from nemo_mcp.local.routes.guards import NO_CREDITS, SESSION_NOT_FOUND, Caller, fail, iso, now, owned_session
from nemo_mcp.local.routes.ingest import file_url

log = logging.getLogger(__name__)

TOOL_ANIMATE = "animate_still_image_cpu"
TOOL_EDIT = "edit_timeline"
BUSY = (
    "I am still working on your previous message in this session: wait for it, then look at the session "
    "state. Nothing new was started and nothing was charged."
)

Event = dict[str, Any]
Emit = Callable[[Event | None], None]


def plans_of(session: SessionRecord) -> tuple[ClipPlan | None, list[ClipPlan]]:
    """The session's current plan and the readable plans before it (oldest first)."""
    current: ClipPlan | None = None
    if session.draft:
        with contextlib.suppress(DraftError):
            current = from_draft(session.draft, session)
    history: list[ClipPlan] = []
    for draft in session.history:
        with contextlib.suppress(DraftError):
            history.append(from_draft(draft, session))
    return current, history


def _message_text(body: object) -> tuple[str, str, str]:
    """(session id, user, text) of a run_sse body; empty strings for what is missing."""
    body = body if isinstance(body, dict) else {}
    message = body.get("new_message")
    parts: list[Any] = []
    if isinstance(message, dict) and isinstance(message.get("parts"), list):
        parts = message["parts"]
    text = " ".join(str(p["text"]) for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str))
    return str(body.get("session_id", "")), str(body.get("user_id", "me")), text


async def handle_run_sse(ctx: BackendContext, request: Request, caller: Caller) -> Response:
    body = await json_object(request)  # 400 for a body that is not a JSON object, too big or too deep
    session_id, user, text = _message_text(body)
    if owned_session(ctx, caller, user, session_id) is None:
        return fail(SESSION_NOT_FOUND)
    ctx.stats.record_message(session_id, text)
    rule = ctx.faults.take("run_sse", RUN_SSE_EFFECTS)
    channel: asyncio.Queue[Event | None] = asyncio.Queue()
    if rule is not None and rule.effect == "heartbeats_only":
        return sse.response(sse.heartbeats_only(ctx))
    if rule is not None and rule.effect == "error_event":
        channel.put_nowait({"error": "The agent hit a temporary error (fault plan)."})
        channel.put_nowait(None)
        return sse.response(sse.events(ctx, channel, None))
    outcome = _start(ctx, caller, session_id, text)
    if isinstance(outcome, Response):
        return outcome
    decision, turn = outcome
    channel.put_nowait({"type": "text", "content": decision.intro})
    if turn is None:
        channel.put_nowait(None)
    else:
        release = ctx.faults.release_event() if rule is not None and rule.effect == "stall" else None
        ctx.spawn(execute_turn(ctx, session_id, caller.user_id, turn, channel.put_nowait, release))
    if rule is not None and rule.effect == "gateway_timeout":
        # A gateway that gave up waiting: the message was taken and the work goes on regardless.
        return fail(504, "Gateway timeout (fault plan).", status=504)
    return sse.response(sse.events(ctx, channel, rule))


def _start(
    ctx: BackendContext, caller: Caller, session_id: str, text: str
) -> tuple[Decision, TurnRecord | None] | Response:
    """Decide, and record the turn (and its reserved credits) before any work starts."""
    with ctx.store.lock:
        session = ctx.store.session(session_id)
        assert session is not None
        session.messages += 1
        if session.turn is not None:
            decision = Decision("answer", BUSY)
        else:
            current, history = plans_of(session)
            decision = decide(session, text, history, current)
        turn: TurnRecord | None = None
        if decision.plan is not None and decision.kind != "answer":
            turn = TurnRecord(
                id=f"turn_{secrets.token_hex(8)}",
                kind=decision.kind,
                cost=decision.cost if ctx.options.metered else 0,
                draft=to_draft(decision.plan, _urls(ctx, session)),
                clip_key=clip_key(decision.plan) if decision.kind == "generate" else None,
                started_at=now(),
                undo=decision.undo,
                not_done=decision.not_done,
            )
            if not ctx.store.reserve(caller.user_id, turn.id, turn.cost):
                available = ctx.store.account(caller.user_id).available
                ctx.store.save_session(session)
                return fail(
                    NO_CREDITS, f"Insufficient credits: this needs {turn.cost}, {available} are available."
                )
            session.turn = turn
        ctx.store.save_session(session)
    return decision, turn


def _urls(ctx: BackendContext, session: SessionRecord) -> dict[str, str]:
    return {u.sha256: file_url(ctx, session.session_id, u.stored_name) for u in session.uploads}


async def execute_turn(
    ctx: BackendContext,
    session_id: str,
    user_id: str,
    turn: TurnRecord,
    emit: Emit,
    release: threading.Event | None = None,
) -> None:
    """Do a turn's work, apply it to the session and settle its credits; `emit` gets the events, then None."""
    tool = TOOL_ANIMATE if turn.kind == "generate" else TOOL_EDIT
    try:
        plan = from_draft(turn.draft, _existing(ctx, session_id))
        emit({"type": "tool_call", "name": tool, "args": _tool_args(plan)})
        if release is not None:
            await anyio.to_thread.run_sync(release.wait, abandon_on_cancel=True)
        notes = RenderNotes()
        result: dict[str, Any] = {"timeline": summary(plan)}
        media: dict[str, Any] | None = None
        if turn.kind == "generate":
            path, cached, notes = await _render(ctx, plan, turn, session_id)
            media = _media_entry(ctx, plan, turn.clip_key or "", path)
            result.update(clip_url=media["url"], reused_earlier_render=cached, duration_s=plan.duration_s)
        not_done = [*turn.not_done, *_glyph_gaps(notes)]
        result["not_done"] = not_done
        _commit(ctx, session_id, user_id, turn, media)
        emit({"type": "tool_result", "name": tool, "result": result})
        emit({"type": "text", "content": _done_text(ctx, turn, plan, notes)})
    except RenderCancelledError:
        if not ctx.stopping.is_set():
            _abandon(ctx, session_id, user_id, turn, emit, "The render was cancelled.")
        # else: the backend is stopping; the turn stays in the session and is finished at the next start
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.exception("local backend: turn %s failed", turn.id)
        _abandon(ctx, session_id, user_id, turn, emit, f"The work failed: {exc}.")
    finally:
        emit(None)  # the end of the stream


async def _render(
    ctx: BackendContext, plan: ClipPlan, turn: TurnRecord, session_id: str
) -> tuple[Path, bool, RenderNotes]:
    assert turn.clip_key is not None
    spec = to_spec(plan, ctx.store.upload_dir(session_id))
    work = functools.partial(render_cached, ctx, spec, turn.clip_key, should_cancel=ctx.stopping.is_set)
    return await asyncio.get_running_loop().run_in_executor(ctx.executor, work)


def _commit(
    ctx: BackendContext, session_id: str, user_id: str, turn: TurnRecord, media: dict[str, Any] | None
) -> None:
    """The turn's draft becomes the session's; the one it replaces goes to the history (an undo takes it back)."""
    with ctx.store.lock:
        current = _existing(ctx, session_id)
        if turn.undo and current.history:
            current.history.pop()
        elif current.draft:
            current.history = [*current.history, current.draft][-MAX_HISTORY:]
        current.draft = turn.draft
        if media is not None:
            current.generated_media.append(media)
        current.turn = None
        ctx.store.save_session(current)
        ctx.store.settle(user_id, turn.id, charge=True)


def _done_text(ctx: BackendContext, turn: TurnRecord, plan: ClipPlan, notes: RenderNotes) -> str:
    if turn.kind == "generate":
        done = (
            f"Done: the clip is rendered ({plan.width}x{plan.height}, {plan.duration_s:g} s) and in the "
            f"session. {summary(plan)}."
        )
    else:
        done = f"Updated the timeline. {summary(plan)}."
    told = [done]
    if notes.framing:
        told.append(f"Framing: {notes.framing}.")
    told += _glyph_gaps(notes)
    if turn.not_done:
        told.append("Not done: " + " ".join(turn.not_done))
    told.append(
        "Export it to get the MP4." if turn.kind == "generate" else "Export to render the new version."
    )
    if ctx.options.metered:
        told.append(f"{turn.cost} credits used.")
    return " ".join(told)


def _glyph_gaps(notes: RenderNotes) -> list[str]:
    if not notes.missing_glyphs:
        return []
    return [
        f"No font here can draw these characters of the title, so they are left out: {notes.missing_glyphs}."
    ]


def _tool_args(plan: ClipPlan) -> dict[str, Any]:
    return {
        "image": plan.image.filename,
        "duration_s": plan.duration_s,
        "width": plan.width,
        "height": plan.height,
        "motion": plan.motion,
        "motion_speed": plan.motion_speed,
        "title": plan.title,
        "music": plan.music.filename if plan.music else plan.music_mood,
        "music_volume": plan.music_volume if plan.music or plan.music_mood else None,
        "device": "cpu",
    }


def _existing(ctx: BackendContext, session_id: str) -> SessionRecord:
    session = ctx.store.session(session_id)
    if session is None:
        raise DraftError("the session is gone")
    return session


def _abandon(
    ctx: BackendContext, session_id: str, user_id: str, turn: TurnRecord, emit: Emit, why: str
) -> None:
    with ctx.store.lock:
        current = ctx.store.session(session_id)
        if current is not None:
            current.turn = None
            ctx.store.save_session(current)
        ctx.store.settle(user_id, turn.id, charge=False)
    emit({"type": "text", "content": f"{why} No credits were charged."})


def _media_entry(ctx: BackendContext, plan: ClipPlan, key: str, path: Path) -> dict[str, Any]:
    return {
        "id": f"clip_{key[:12]}",
        "type": "video",
        "name": f"{Path(plan.image.filename).stem}-animated.mp4",
        "url": f"{ctx.base_url}/files/clips/{key}.mp4",
        "path": f"/files/clips/{key}.mp4",
        "width": plan.width,
        "height": plan.height,
        "duration": plan.duration_s,
        "size": path.stat().st_size,
        "source": plan.image.filename,
        "tool": TOOL_ANIMATE,
        "created_at": iso(now()),
    }


def resume_turns(ctx: BackendContext) -> None:
    """Finish the turns a previous run left mid-work (their credits are still reserved)."""
    for session in ctx.store.sessions():
        if session.turn is not None:
            log.info("local backend: finishing turn %s of session %s", session.turn.id, session.session_id)
            ctx.spawn(execute_turn(ctx, session.session_id, session.user_id, session.turn, lambda _e: None))


__all__ = ["TOOL_ANIMATE", "TOOL_EDIT", "handle_run_sse", "plans_of", "resume_turns"]
