"""One turn: send one instruction, follow the stream to its end, say what changed. Never re-sends it.

A stream that ends without text is a silent completion: the reply describes what changed.
A dropped stream is followed by state polls; the change is reported, or StreamLostError raised.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from nemo_mcp.api.events import (
    ErrorEvent,
    Heartbeat,
    SseEvent,
    TextAssembler,
    TextEvent,
    ToolFinished,
    ToolStarted,
)
from nemo_mcp.errors import (
    ApiError,
    ConnectionFailedError,
    InputError,
    SessionGoneError,
    StreamDroppedError,
    StreamLostError,
)
from nemo_mcp.service.models import TurnOutcome
from nemo_mcp.service.progress import ProgressReporter, ProgressSink
from nemo_mcp.service.replies import tool_label, tool_message, translate_gui
from nemo_mcp.service.session_store import KnownSession
from nemo_mcp.service.sessions import Snapshot, Tuning, Workspace, language_of
from nemo_mcp.service.text import format_duration
from nemo_mcp.service.timeline import ready_for_export, summary

logger = logging.getLogger(__name__)

MAX_INSTRUCTION_CHARS = 8000
# A progress estimate for work of unknown length: elapsed / (elapsed + this) creeps towards 1.
_TYPICAL_TURN_S = 150.0


# Called with the state before the message, just before it is sent: the last moment to record that the
# turn is about to be sent (replicas record it in Redis, so a replica taking over recovers, never re-sends).
BeforeSend = Callable[[Snapshot], Awaitable[None]]


class _HeartbeatTimeoutError(Exception):
    pass


class Turns:
    """Instructions sent to the video agent, one turn at a time, never re-sent."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    async def send(
        self,
        instruction: str,
        session_id: str | None = None,
        progress: ProgressSink | None = None,
        *,
        before_send: BeforeSend | None = None,
    ) -> TurnOutcome:
        """Send one instruction and follow the stream to its end. Never re-sends it.

        A stream that ends without text is a silent completion: the reply describes what changed.
        A dropped stream is followed by state polls; the change is reported, or StreamLostError raised.
        `before_send` may refuse (raise) to stop the message from being sent at all.
        """
        ws = self._ws
        text = _checked(instruction)
        record = await ws.resolve(session_id, create=True, language=language_of(text))
        report = ws.reporter(progress)
        before = await ws.snapshot(record)
        if before_send is not None:
            await before_send(before)
        await report("sending the instruction to NemoVideo", 0.01)
        started = time.monotonic()
        assembler = TextAssembler()
        try:
            await _follow(ws, record, text, _Listener(assembler, report, ws.tuning, started))
        except SessionGoneError:
            raise await ws.session_gone(record) from None
        except StreamDroppedError:
            return await _recover(ws, record, before, assembler.text, report, started)
        except _HeartbeatTimeoutError:
            return await _after_heartbeats_only(ws, record, before, assembler.text)
        try:
            after = await ws.snapshot(record)
        except (ConnectionFailedError, ApiError) as exc:
            if isinstance(exc, SessionGoneError):
                raise
            # The turn went through; only the look afterwards failed. Do not turn success into an error.
            logger.info("could not read the state after a turn: %s", type(exc).__name__)
            notice = "The timeline could not be read afterwards: check get_state."
            return _outcome(ws, record, assembler.text, before, [], notice)
        return _outcome(ws, record, assembler.text, after, after.changes_since(before), None)

    async def recover(
        self, session_id: str, before: Snapshot, progress: ProgressSink | None = None
    ) -> TurnOutcome:
        """Follow a turn whose stream was lost with the process that sent it: poll the state, never re-send.

        `before` is the state recorded just before the message went out (see `before_send`).
        """
        ws = self._ws
        record = await ws.resolve(session_id, create=False)
        report = ws.reporter(progress)
        return await _recover(ws, record, before, "", report, time.monotonic())


def _checked(instruction: str) -> str:
    text = instruction.strip() if isinstance(instruction, str) else ""
    if not text:
        raise InputError("The instruction is empty.", hint="Say what to do, e.g. 'animate this image'.")
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise InputError(
            f"The instruction is {len(text)} characters long; keep it under {MAX_INSTRUCTION_CHARS}."
        )
    return text


@dataclass
class _Listener:
    """What one turn does with each event: collect the reply, report progress, watch the heartbeats."""

    assembler: TextAssembler
    report: ProgressReporter
    tuning: Tuning
    started: float
    last_activity: float = 0.0
    last_notice: float = 0.0

    def __post_init__(self) -> None:
        self.last_activity = self.last_notice = self.started

    def remaining(self) -> float:
        """Seconds until only-heartbeats means the backend timed out."""
        return max(self.last_activity + self.tuning.heartbeat_limit_s - time.monotonic(), 0.0)

    async def hear(self, event: SseEvent, redact: Callable[[str], str]) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        estimate = elapsed / (elapsed + _TYPICAL_TURN_S)
        if isinstance(event, Heartbeat):
            if now - self.last_notice >= self.tuning.still_working_every_s:
                self.last_notice = now
                await self.report(f"still working ({format_duration(elapsed)})", estimate)
            return
        self.last_activity = now
        if isinstance(event, TextEvent):
            self.assembler.add(event)
            if not event.partial or len(event.text) > 20:
                await self.report(_snippet(translate_gui(event.text)), estimate)
        elif isinstance(event, ToolStarted):
            self.last_notice = now
            await self.report(tool_message(event.name), estimate)
        elif isinstance(event, ToolFinished):
            await self.report(f"{tool_label(event.name)} finished", estimate)
        elif isinstance(event, ErrorEvent):
            raise ApiError(
                f"NemoVideo reported an error: {redact(event.message)}",
                hint="The instruction was not sent again. Check get_state, then retry or rephrase it.",
            )


async def _follow(ws: Workspace, record: KnownSession, text: str, listener: _Listener) -> None:
    async with ws.client.run_sse(record.session_id, text) as events:
        async for event in _until_quiet(events, listener):
            await listener.hear(event, ws.client.redact)


async def _until_quiet(events: AsyncIterator[SseEvent], listener: _Listener) -> AsyncIterator[SseEvent]:
    """The events, until the stream ends or only heartbeats came for the heartbeat limit."""
    stream = aiter(events)
    while True:
        try:
            async with asyncio.timeout(listener.remaining()):
                event = await anext(stream)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise _HeartbeatTimeoutError from None
        yield event


async def _after_heartbeats_only(
    ws: Workspace, record: KnownSession, before: Snapshot, partial: str
) -> TurnOutcome:
    after = await ws.snapshot(record)
    changes = after.changes_since(before)
    if not changes:
        raise StreamLostError(
            f"NemoVideo sent only 'still working' signals for {format_duration(ws.tuning.heartbeat_limit_s)} "
            "and the session did not change; it probably timed out."
        )
    return _outcome(ws, record, partial, after, changes, "The backend went quiet, but the work landed.")


async def _recover(
    ws: Workspace,
    record: KnownSession,
    before: Snapshot,
    partial: str,
    report: ProgressReporter,
    started: float,
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
            notice = "The connection dropped while NemoVideo worked, but the work finished."
            return _outcome(ws, record, partial, after, changes, notice)
        elapsed = time.monotonic() - started
        await report(
            f"still checking ({check}/{tuning.recovery_max_unchanged}, {format_duration(elapsed)})",
            elapsed / (elapsed + _TYPICAL_TURN_S),
        )
    raise StreamLostError(
        f"The connection to NemoVideo dropped, and session {record.session_id} did not change in "
        f"{tuning.recovery_max_unchanged} checks."
    )


def _outcome(
    ws: Workspace, record: KnownSession, text: str, after: Snapshot, changes: list[str], notice: str | None
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


def _snippet(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
