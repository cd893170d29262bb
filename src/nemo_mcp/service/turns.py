"""One turn: send one message, follow the stream to its end, say what changed. Never re-sends it.

A stream that ends without text is a silent completion: the reply describes what changed.
A dropped stream is followed by state polls; the change is reported, or StreamLostError raised.
"""

from __future__ import annotations

import asyncio
import logging
import time

from nemo_mcp.api.client import StreamDroppedError
from nemo_mcp.api.sse import (
    ErrorEvent,
    Heartbeat,
    TextAssembler,
    TextEvent,
    ToolFinished,
    ToolStarted,
    translate_gui,
)
from nemo_mcp.errors import (
    ApiError,
    ConnectionFailedError,
    InputError,
    SessionGoneError,
    StreamLostError,
)
from nemo_mcp.service.models import TurnOutcome
from nemo_mcp.service.session_store import SessionRecord
from nemo_mcp.service.sessions import Progress, ProgressSink, Snapshot, Workspace, duration_text, language_of
from nemo_mcp.service.timeline import ready_for_export, summary

logger = logging.getLogger(__name__)

MAX_INSTRUCTION_CHARS = 8000


class _HeartbeatTimeoutError(Exception):
    pass


async def send_instruction(
    ws: Workspace, instruction: str, session_id: str | None = None, progress: ProgressSink | None = None
) -> TurnOutcome:
    """Send one message and follow the stream to its end. Never re-sends it.

    A stream that ends without text is a silent completion: the reply describes what changed.
    A dropped stream is followed by state polls; the change is reported, or StreamLostError raised.
    """
    text = instruction.strip() if isinstance(instruction, str) else ""
    if not text:
        raise InputError("The instruction is empty.", hint="Say what to do, e.g. 'animate this image'.")
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise InputError(
            f"The instruction is {len(text)} characters long; keep it under {MAX_INSTRUCTION_CHARS}."
        )
    record = await ws.resolve(session_id, create=True, language=language_of(text))
    report = ws.progress(progress)
    before = await ws.snapshot(record)
    await report("sending the instruction to NemoVideo", 0.01)
    started = time.monotonic()
    assembler = TextAssembler()
    try:
        await _follow(ws, record, text, assembler, report, started)
    except SessionGoneError:
        raise await ws.session_gone(record) from None
    except StreamDroppedError:
        return await _recover(ws, record, before, assembler.text, report, started)
    except _HeartbeatTimeoutError:
        after = await ws.snapshot(record)
        changes = after.changes_since(before)
        if not changes:
            raise StreamLostError(
                f"NemoVideo sent only 'still working' signals for {duration_text(ws.tuning.heartbeat_limit_s)} "
                "and the session did not change; it probably timed out."
            ) from None
        return _outcome(
            ws, record, assembler.text, after, changes, "The backend went quiet, but the work landed."
        )
    try:
        after = await ws.snapshot(record)
    except (ConnectionFailedError, ApiError) as exc:
        if isinstance(exc, SessionGoneError):
            raise
        # The turn went through; only the look afterwards failed. Do not turn success into an error.
        logger.info("could not read the state after a turn: %s", type(exc).__name__)
        return _outcome(
            ws,
            record,
            assembler.text,
            before,
            [],
            "The timeline could not be read afterwards: check get_state.",
        )
    changes = after.changes_since(before)
    return _outcome(ws, record, assembler.text, after, changes, None)


async def _follow(
    ws: Workspace,
    record: SessionRecord,
    text: str,
    assembler: TextAssembler,
    report: Progress,
    started: float,
) -> None:
    tuning = ws.tuning
    last_activity = started
    last_notice = started
    async with ws.client.run_sse(record.session_id, text) as events:
        stream = aiter(events)
        while True:
            remaining = last_activity + tuning.heartbeat_limit_s - time.monotonic()
            try:
                async with asyncio.timeout(max(remaining, 0.0)):
                    event = await anext(stream)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise _HeartbeatTimeoutError from None
            now = time.monotonic()
            elapsed = now - started
            estimate = elapsed / (elapsed + 150.0)
            if isinstance(event, Heartbeat):
                if now - last_notice >= tuning.still_working_every_s:
                    last_notice = now
                    await report(f"still working ({duration_text(elapsed)})", estimate)
                continue
            last_activity = now
            if isinstance(event, TextEvent):
                assembler.add(event)
                if not event.partial or len(event.text) > 20:
                    await report(_snippet(translate_gui(event.text)), estimate)
            elif isinstance(event, ToolStarted):
                last_notice = now
                await report(_tool_message(event.name), estimate)
            elif isinstance(event, ToolFinished):
                await report(f"{_tool_label(event.name)} finished", estimate)
            elif isinstance(event, ErrorEvent):
                raise ApiError(
                    f"NemoVideo reported an error: {ws.client.redact(event.message)}",
                    hint="The instruction was not sent again. Check get_state, then retry or rephrase it.",
                )


async def _recover(
    ws: Workspace, record: SessionRecord, before: Snapshot, partial: str, report: Progress, started: float
) -> TurnOutcome:
    """The stream dropped after the message was accepted: poll the state, never send again."""
    tuning = ws.tuning
    await report("the connection dropped; checking the session instead of sending again", None)
    delay = tuning.recovery_first_s
    for check in range(1, tuning.recovery_max_unchanged + 1):
        await asyncio.sleep(delay)
        delay = tuning.recovery_every_s
        try:
            after = await ws.snapshot(record)
        except (ConnectionFailedError, ApiError) as exc:
            if isinstance(exc, SessionGoneError):
                raise
            logger.info("state check %d after a dropped stream failed: %s", check, type(exc).__name__)
            continue
        changes = after.changes_since(before)
        if changes:
            return _outcome(
                ws,
                record,
                partial,
                after,
                changes,
                "The connection dropped while NemoVideo worked, but the work finished.",
            )
        elapsed = time.monotonic() - started
        await report(
            f"still checking ({check}/{tuning.recovery_max_unchanged}, {duration_text(elapsed)})",
            elapsed / (elapsed + 150.0),
        )
    raise StreamLostError(
        f"The connection to NemoVideo dropped, and session {record.session_id} did not change in "
        f"{tuning.recovery_max_unchanged} checks."
    )


def _outcome(
    ws: Workspace, record: SessionRecord, text: str, after: Snapshot, changes: list[str], notice: str | None
) -> TurnOutcome:
    reply = translate_gui(ws.client.redact(text)).strip()
    if not reply:
        reply = (
            "Done. What changed: " + "; ".join(changes) + "."
            if changes
            else "NemoVideo finished without a reply, and the timeline did not change."
        )
    return TurnOutcome(
        session_id=record.session_id,
        reply=reply,
        changes=changes,
        timeline=summary(after.tracks),
        ready_to_export=ready_for_export(after.draft),
        notice=notice,
    )


def _tool_label(name: str) -> str:
    lowered = name.lower()
    if any(k in lowered for k in ("video", "seedance", "animate", "i2v", "kling", "veo")):
        return "video generation"
    if any(k in lowered for k in ("music", "bgm", "audio", "sound")):
        return "music"
    if any(k in lowered for k in ("title", "text", "caption", "subtitle")):
        return "title"
    return name.replace("_", " ")[:40]


def _tool_message(name: str) -> str:
    label = _tool_label(name)
    if label == "video generation":
        return "generating video…"
    if label == "music":
        return "adding music…"
    if label == "title":
        return "adding a title…"
    return f"working ({label})…"


def _snippet(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
