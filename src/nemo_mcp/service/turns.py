"""One turn: send one instruction, follow the stream to its end, say what changed. Never re-sends it.

A stream that ends without text is a silent completion: the reply describes what changed.
A dropped stream is followed by state polls; the change is reported, or StreamLostError raised.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from nemo_mcp.api.events import (
    ErrorEvent,
    Heartbeat,
    SseEvent,
    TextAssembler,
    TextEvent,
    ToolFinished,
    ToolStarted,
)
from nemo_mcp.config import MAX_INSTRUCTION_CHARS
from nemo_mcp.errors import (
    ApiError,
    ConnectionFailedError,
    InputError,
    SessionGoneError,
    StreamDroppedError,
    StreamLostError,
)
from nemo_mcp.service.changes import unmet
from nemo_mcp.service.intent import Intent, message_for
from nemo_mcp.service.models import TurnOutcome, TurnStatus
from nemo_mcp.service.progress import ProgressReporter, ProgressSink
from nemo_mcp.service.replies import tool_label, tool_message, translate_gui
from nemo_mcp.service.session_store import KnownSession
from nemo_mcp.service.sessions import Snapshot, Tuning, Workspace, language_of
from nemo_mcp.service.text import format_duration, one_line, plain_text, quoted
from nemo_mcp.service.timeline import ready_for_export, summary

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 4000
MAX_REPLY_CHARS = 4000
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
        intent: Intent | None = None,
        before_send: BeforeSend | None = None,
    ) -> TurnOutcome:
        """Send one instruction (the person's words, then the settings of `intent`) and follow the stream
        to its end. Never re-sends it.

        What changed is read from the state before and after, never taken from the agent's words: a turn
        that changed nothing is `unchanged`, one that left out something asked is `partial`. A dropped
        stream is followed by state polls; the change is reported, or StreamLostError raised.
        `before_send` may refuse (raise) to stop the message from being sent at all.
        """
        ws = self._ws
        wanted = intent or Intent()
        text = _checked(instruction, wanted)
        record = await ws.resolve(session_id, create=True, language=language_of(text))
        report = ws.reporter(progress)
        before = await ws.snapshot(record)
        turn = _Turn(before, wanted)
        message = message_for(text, wanted, has_clip=before.facts.has_video)
        if before_send is not None:
            await before_send(before)
        await report("sending the instruction to NemoVideo", 0.01)
        started = time.monotonic()
        listener = _Listener(TextAssembler(), report, ws.tuning, started)
        try:
            await _follow(ws, record, message, listener)
        except SessionGoneError:
            raise await ws.session_gone(record) from None
        except StreamDroppedError:
            return await _recover(ws, record, turn, listener, started)
        except _HeartbeatTimeoutError:
            return await _after_heartbeats_only(ws, record, turn, listener)
        try:
            after = await ws.snapshot(record)
        except (ConnectionFailedError, ApiError) as exc:
            if isinstance(exc, SessionGoneError):
                raise
            # The turn went through; only the look afterwards failed. Do not turn success into an error.
            logger.info("could not read the state after a turn: %s", type(exc).__name__)
            notice = "The timeline could not be read afterwards: check get_state."
            return _outcome(ws, record, turn, listener, before, notice)
        return _outcome(ws, record, turn, listener, after, None)

    async def recover(
        self, session_id: str, before: Snapshot, progress: ProgressSink | None = None
    ) -> TurnOutcome:
        """Follow a turn whose stream was lost with the process that sent it: poll the state, never re-send.

        `before` is the state recorded just before the message went out (see `before_send`).
        """
        ws = self._ws
        record = await ws.resolve(session_id, create=False)
        started = time.monotonic()
        listener = _Listener(TextAssembler(), ws.reporter(progress), ws.tuning, started)
        return await _recover(ws, record, _Turn(before, Intent()), listener, started)


@dataclass(frozen=True)
class _Turn:
    """What the outcome is measured against: the state before, and the settings asked for."""

    before: Snapshot
    intent: Intent


def _checked(instruction: str, intent: Intent) -> str:
    text = instruction.strip() if isinstance(instruction, str) else ""
    if not text and intent.empty:
        raise InputError(
            "The instruction is empty and no setting was given.",
            hint="Say what to do, e.g. 'animate this image', or give settings such as duration_s=8.",
        )
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
    # What the agent itself says it left out (the embedded backend names it in its tool results).
    not_done: list[str] = field(default_factory=list)

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
                # The agent's words, marked as theirs and quoted: never mistaken for our own.
                await self.report(f"the video agent says {quoted(translate_gui(event.text), 160)}", estimate)
        elif isinstance(event, ToolStarted):
            self.last_notice = now
            await self.report(tool_message(event.name), estimate)
        elif isinstance(event, ToolFinished):
            self.not_done.extend(_left_out(event.result))
            await self.report(f"{tool_label(event.name)} finished", estimate)
        elif isinstance(event, ErrorEvent):
            raise ApiError(
                f"NemoVideo reported an error: {quoted(redact(event.message), 200)}",
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
    ws: Workspace, record: KnownSession, turn: _Turn, listener: _Listener
) -> TurnOutcome:
    after = await ws.snapshot(record)
    if not after.changes_since(turn.before):
        raise StreamLostError(
            f"NemoVideo sent only 'still working' signals for {format_duration(ws.tuning.heartbeat_limit_s)} "
            "and the session did not change; it probably timed out."
        )
    return _outcome(ws, record, turn, listener, after, "The backend went quiet, but the work landed.")


async def _recover(
    ws: Workspace, record: KnownSession, turn: _Turn, listener: _Listener, started: float
) -> TurnOutcome:
    """The message may have been taken (the stream dropped, or a gateway answered 5xx): poll the state,
    never send again."""
    tuning, report = ws.tuning, listener.report
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
        if after.changes_since(turn.before):
            notice = "NemoVideo never confirmed the instruction (the connection dropped or a gateway gave up), but the work finished."
            return _outcome(ws, record, turn, listener, after, notice)
        elapsed = time.monotonic() - started
        await report(
            f"still checking ({check}/{tuning.recovery_max_unchanged}, {format_duration(elapsed)})",
            elapsed / (elapsed + _TYPICAL_TURN_S),
        )
    raise StreamLostError(
        f"NemoVideo never confirmed the instruction (the connection dropped or a gateway gave up), and "
        f"session {record.session_id} did not change in "
        f"{tuning.recovery_max_unchanged} checks."
    )


def _outcome(
    ws: Workspace, record: KnownSession, turn: _Turn, listener: _Listener, after: Snapshot, notice: str | None
) -> TurnOutcome:
    read = after is not turn.before  # False: the state could not be read after the turn
    changes = after.changes_since(turn.before) if read else []
    not_done = _unique([*listener.not_done, *unmet(turn.intent, after.facts)]) if changes else []
    status: TurnStatus = "unchanged" if not changes else ("partial" if not_done else "done")
    if not read:
        status = "unverified"
    # The agent's words, kept in `reply` (newlines and all, every other control character removed).
    reply = plain_text(translate_gui(ws.client.redact(listener.assembler.text)), MAX_REPLY_CHARS)
    if not reply:
        reply = (
            "Done. What changed: " + "; ".join(changes) + "."
            if changes
            else "NemoVideo finished without a reply, and the timeline did not change."
        )
    return TurnOutcome(
        session_id=record.session_id,
        status=status,
        reply=reply,
        changes=changes,
        not_done=not_done,
        timeline=summary(after.tracks),
        ready_to_export=ready_for_export(after.draft),
        notice=notice,
    )


def _left_out(result: object) -> list[str]:
    """`not_done` named in a tool result (the embedded backend says what it could not do)."""
    items = result.get("not_done") if isinstance(result, dict) else None
    if not isinstance(items, list):
        return []
    return [one_line(item, 200) for item in items if isinstance(item, str) and item.strip()][:10]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
