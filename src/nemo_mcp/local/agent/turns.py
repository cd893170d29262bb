"""run_sse: read a message, decide what it asks, do it, and stream what happens as SSE events.

One message is one turn:
- the first message with an image animates it (cost 100): a new draft plus a clip in `generated_media`;
- later messages edit the draft (cost 50): title, duration, size, motion, music;
- a message with nothing to act on gets a helpful answer and costs nothing.
Credits are reserved (frozen) before the work starts, charged when it completes, released if it fails.

The work runs as a task of its own, not inside the response: a client that goes away does not stop it, and
its result lands in the session state (as the cloud does). The turn is kept in the session file until it is
done, so a backend stopped mid-render finishes it at the next start.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from nemo_mcp.local.agent import instructions
from nemo_mcp.local.agent.plan import (
    ClipPlan,
    DraftError,
    apply,
    clip_key,
    from_draft,
    summary,
    to_draft,
    to_spec,
)
from nemo_mcp.local.context import BackendContext
from nemo_mcp.local.faults import RUN_SSE_EFFECTS
from nemo_mcp.local.render.spec import RenderCancelledError
from nemo_mcp.local.render_queue import render_cached
from nemo_mcp.local.routes import event_stream as sse
from nemo_mcp.local.routes.guards import NO_CREDITS, SESSION_NOT_FOUND, Caller, fail, iso, now, owned_session
from nemo_mcp.local.routes.ingest import file_url
from nemo_mcp.local.store import SessionRecord, TurnRecord

log = logging.getLogger(__name__)

GENERATE_COST = 100
EDIT_COST = 50
TOOL_ANIMATE = "animate_still_image_cpu"
TOOL_EDIT = "edit_timeline"

CPU_ONLY = (
    "Everything here runs on your CPU: I move a virtual camera over your still image (zoom, pan); "
    "no generative video model is involved."
)
HELP = (
    "Tell me what to make, for example: “animate this image into a 5-second vertical clip with a slow zoom in "
    'and the title "Summer"”. I understand a duration (1-30 s), 16:9, 9:16 (vertical) or 1:1 (square), '
    "1080p, zoom in/out, pan left/right/up/down, ken burns, a title in quotes, and background music from "
    'an audio file you upload ("music at 30%").'
)

MOTION_PHRASES: dict[str, str] = {
    "zoom_in": "a gentle zoom in",
    "zoom_out": "a slow zoom out",
    "pan_left": "a pan to the left",
    "pan_right": "a pan to the right",
    "pan_up": "an upward pan",
    "pan_down": "a downward pan",
    "ken_burns": "a Ken Burns move (zoom and pan)",
}

Event = dict[str, Any]
Emit = Callable[[Event | None], None]


@dataclass
class Decision:
    kind: Literal["generate", "edit", "answer"]
    intro: str
    plan: ClipPlan | None = None
    changes: list[str] = field(default_factory=list)

    @property
    def cost(self) -> int:
        return {"generate": GENERATE_COST, "edit": EDIT_COST, "answer": 0}[self.kind]


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def decide(session: SessionRecord, text: str) -> Decision:
    """What a message asks of this session. Pure: reads the session, changes nothing."""
    ins = instructions.parse(text)
    image = session.latest_upload("image")
    audio = session.latest_upload("audio")
    extra = [*ins.notes, *ins.cannot]
    if ins.low_vram:
        extra.append("Low-VRAM mode: nothing to switch, no GPU is used at all.")
    current: ClipPlan | None = None
    if session.draft is not None:
        try:
            current = from_draft(session.draft, session)
        except DraftError:
            current = None
    new_image = image is not None and (current is None or current.image.sha256 != image.sha256)
    if current is None or (new_image and (ins.intent or ins.has_settings)):
        if image is None:
            return Decision(
                "answer",
                _join(
                    "Upload an image first (jpg, png, webp, bmp or gif) and I will animate it.",
                    *extra,
                    HELP,
                ),
            )
        if not (ins.intent or ins.has_settings):
            return Decision("answer", _join(f"I have your image {image.filename}.", *extra, HELP))
        base = ClipPlan(image=image) if current is None else replace(current, image=image)
        plan, _changes, problems = apply(base, ins, audio=audio)
        aspect, _hd = instructions.aspect_of(plan.width, plan.height)
        what = [
            f"a {plan.duration_s:g}-second {aspect} clip ({plan.width}x{plan.height}) of {image.filename}",
            f"with {MOTION_PHRASES[plan.motion]}",
        ]
        if plan.title:
            what.append(f'and the title "{plan.title}"')
        if plan.music:
            what.append(f"and {plan.music.filename} as music at {plan.music_volume:.0%}")
        intro = _join("Understood: " + ", ".join(what) + ".", CPU_ONLY, *problems, *extra)
        return Decision("generate", intro, plan)
    plan, changes, problems = apply(current, ins, audio=audio)
    if not changes:
        return Decision(
            "answer",
            _join(
                "I did not find anything to change in the timeline.",
                *problems,
                *extra,
                summary(current) + ".",
                HELP,
            ),
        )
    intro = _join("Understood: " + "; ".join(changes) + ".", *problems, *extra)
    return Decision("edit", intro, plan, changes)


async def handle_run_sse(ctx: BackendContext, request: Request, caller: Caller) -> Response:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    session_id = str(body.get("session_id", ""))
    user = str(body.get("user_id", "me"))
    message = body.get("new_message") if isinstance(body.get("new_message"), dict) else {}
    assert isinstance(message, dict)
    parts = message.get("parts") if isinstance(message.get("parts"), list) else []
    assert isinstance(parts, list)
    text = " ".join(str(p["text"]) for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str))
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

    turn: TurnRecord | None = None
    with ctx.store.lock:
        session = ctx.store.session(session_id)
        assert session is not None
        session.messages += 1
        if session.turn is not None:
            decision = Decision(
                "answer",
                "I am still working on your previous message in this session: wait for it, then look at the "
                "session state. Nothing new was started and nothing was charged.",
            )
        else:
            decision = decide(session, text)
        if decision.plan is not None and decision.kind != "answer":
            turn = TurnRecord(
                id=f"turn_{secrets.token_hex(8)}",
                kind=decision.kind,
                cost=decision.cost,
                draft=to_draft(decision.plan, _urls(ctx, session)),
                clip_key=clip_key(decision.plan) if decision.kind == "generate" else None,
                started_at=now(),
            )
            if not ctx.store.reserve(caller.user_id, turn.id, turn.cost):
                available = ctx.store.account(caller.user_id).available
                ctx.store.save_session(session)
                return fail(
                    NO_CREDITS,
                    f"Insufficient credits: this needs {turn.cost}, {available} are available.",
                )
            session.turn = turn
        ctx.store.save_session(session)

    if turn is None:
        channel.put_nowait({"type": "text", "content": decision.intro})
        channel.put_nowait(None)
    else:
        channel.put_nowait({"type": "text", "content": decision.intro})
        release = ctx.faults.release_event() if rule is not None and rule.effect == "stall" else None
        ctx.spawn(execute_turn(ctx, session_id, caller.user_id, turn, channel.put_nowait, release))
    return sse.response(sse.events(ctx, channel, rule))


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
        args: dict[str, Any] = {
            "image": plan.image.filename,
            "duration_s": plan.duration_s,
            "width": plan.width,
            "height": plan.height,
            "motion": plan.motion,
            "title": plan.title,
            "music": plan.music.filename if plan.music else None,
            "music_volume": plan.music_volume if plan.music else None,
            "device": "cpu",
        }
        emit({"type": "tool_call", "name": tool, "args": args})
        if release is not None:
            await anyio.to_thread.run_sync(release.wait, abandon_on_cancel=True)
        result: dict[str, Any] = {"timeline": summary(plan)}
        media: dict[str, Any] | None = None
        if turn.kind == "generate":
            assert turn.clip_key is not None
            spec = to_spec(plan, ctx.store.upload_dir(session_id))
            work = functools.partial(
                render_cached, ctx, spec, turn.clip_key, should_cancel=ctx.stopping.is_set
            )
            path, cached = await asyncio.get_running_loop().run_in_executor(ctx.executor, work)
            media = _media_entry(ctx, plan, turn.clip_key, path)
            result.update(clip_url=media["url"], reused_earlier_render=cached, duration_s=plan.duration_s)
        with ctx.store.lock:
            current = _existing(ctx, session_id)
            current.draft = turn.draft
            if media is not None:
                current.generated_media.append(media)
            current.turn = None
            ctx.store.save_session(current)
            ctx.store.settle(user_id, turn.id, charge=True)
        emit({"type": "tool_result", "name": tool, "result": result})
        if turn.kind == "generate":
            done = (
                f"Done: the clip is rendered ({plan.width}x{plan.height}, {plan.duration_s:g} s) and in the "
                f"session. {summary(plan)}. Export it to get the MP4."
            )
        else:
            done = f"Updated the timeline. {summary(plan)}. Export to render the new version."
        emit({"type": "text", "content": f"{done} {turn.cost} credits used."})
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


__all__ = [
    "EDIT_COST",
    "GENERATE_COST",
    "TOOL_ANIMATE",
    "TOOL_EDIT",
    "decide",
    "handle_run_sse",
    "resume_turns",
]
