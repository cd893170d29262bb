"""The SSE side of run_sse: events from a turn's channel, heartbeats between them, fault-plan shaping.

Events arrive on an asyncio queue (None ends the stream). While none arrives for `heartbeat_interval_s`, a
heartbeat is sent. The fault plan can reshape the stream: drop it after N events, leave out text, add a
malformed event, cut every event into pieces, speak ADK's `content.parts` shape, or say chosen words.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse

from nemo_mcp.local.context import BackendContext
from nemo_mcp.local.faults import DroppedByFaultError, FaultRule

AUTHOR = "nemo_local_agent"
Event = dict[str, Any]


def response(body: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(
        body,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def heartbeats_only(ctx: BackendContext) -> AsyncIterator[bytes]:
    while not ctx.stopping.is_set():
        yield b'data: {"type":"heartbeat"}\n\n'
        await asyncio.sleep(ctx.options.heartbeat_interval_s)


def to_adk(event: Event) -> Event | None:
    """The same event in ADK's shape; None for a heartbeat (sent as an empty `data:` line)."""
    kind = event.get("type")
    if kind == "text":
        parts: list[dict[str, Any]] = [{"text": event["content"]}]
    elif kind == "tool_call":
        parts = [{"functionCall": {"name": event["name"], "args": event["args"]}}]
    elif kind == "tool_result":
        parts = [{"functionResponse": {"name": event["name"], "response": event["result"]}}]
    elif kind == "heartbeat":
        return None
    else:
        return event
    return {
        "content": {"parts": parts, "role": "model"},
        "partial": False,
        "author": AUTHOR,
        "id": secrets.token_hex(6),
    }


def _split(payload: bytes) -> list[bytes]:
    """Three pieces cut mid-line (the first cut inside `data:`)."""
    cuts = sorted({3, len(payload) // 2, len(payload) - 1})
    pieces, start = [], 0
    for cut in cuts:
        if start < cut < len(payload):
            pieces.append(payload[start:cut])
            start = cut
    pieces.append(payload[start:])
    return pieces


async def events(
    ctx: BackendContext, channel: asyncio.Queue[Event | None], rule: FaultRule | None
) -> AsyncIterator[bytes]:
    effect = rule.effect if rule is not None else None
    malformed_pending = effect == "malformed_event"
    said = False
    sent = 0
    if effect == "drop_after" and rule is not None and rule.value == 0:
        raise DroppedByFaultError("stream dropped before the first event (fault plan)")
    while not ctx.stopping.is_set():
        try:
            event = await asyncio.wait_for(channel.get(), timeout=ctx.options.heartbeat_interval_s)
        except TimeoutError:
            event = {"type": "heartbeat"}
        if event is None:
            return
        is_heartbeat = event.get("type") == "heartbeat"
        if effect in ("silent", "say") and event.get("type") == "text":
            if effect == "silent" or said:
                continue
            said = True
            assert rule is not None
            event = {**event, "content": str(rule.value)}
        shaped = to_adk(event) if effect == "adk_events" else event
        payload = b"data: \n\n" if shaped is None else f"data: {json.dumps(shaped)}\n\n".encode()
        if malformed_pending and not is_heartbeat:
            malformed_pending = False
            yield b'data: {"type": "text", "content": "this event is cut sho\n\n'
        if effect == "split_events":
            for piece in _split(payload):
                yield piece
        else:
            yield payload
        if not is_heartbeat:
            sent += 1
            if effect == "drop_after" and rule is not None and sent >= int(rule.value or 0):
                raise DroppedByFaultError("stream dropped (fault plan)")


__all__ = ["AUTHOR", "events", "heartbeats_only", "response", "to_adk"]
