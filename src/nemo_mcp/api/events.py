"""The `/run_sse` events, typed (contract §4): our decoding of the payload of each event.

The framing (lines, `data:` fields, events split across network chunks) is httpx-sse's, in `stream.py`;
`decode_event` turns one event's data into typed events, pure and total. Both accepted shapes are read
here and nowhere else:

- the documented one: `{"type": "text" | "tool_call" | "tool_result" | "heartbeat" | "error", ...}`
- Google ADK's: `{"content": {"parts": [{"text"} | {"functionCall"} | {"functionResponse"}]}, "partial": ...}`
  with failures as `{"error": ...}` or `errorCode` / `errorMessage`.

Empty `data:` lines are heartbeats; malformed JSON and unknown events are skipped (logged at debug).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextEvent:
    text: str
    # ADK streams partial chunks, then repeats the whole text in a final event; see TextAssembler.
    partial: bool = False


@dataclass(frozen=True)
class ToolStarted:
    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolFinished:
    name: str
    result: Any = None


@dataclass(frozen=True)
class Heartbeat:
    pass


@dataclass(frozen=True)
class ErrorEvent:
    message: str


SseEvent = TextEvent | ToolStarted | ToolFinished | Heartbeat | ErrorEvent

_HEARTBEAT_TYPES = frozenset({"heartbeat", "ping", "keepalive", "keep-alive", "keep_alive"})
_TOOL_CALL_TYPES = frozenset({"tool_call", "function_call", "tool_use", "tool_start"})
_TOOL_RESULT_TYPES = frozenset({"tool_result", "function_response", "tool_response", "tool_end"})
_TEXT_TYPES = frozenset({"text", "message", "text_delta", "delta"})
_MAX_ERROR_TEXT = 300


def decode_event(data: str) -> list[SseEvent]:
    """One event's data as typed events; [] for anything unknown or malformed. Never raises."""
    if not data.strip():
        return [Heartbeat()]
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError):
        logger.debug("skipped an SSE event that is not JSON (%d characters)", len(data))
        return []
    if not isinstance(payload, dict):
        logger.debug("skipped an SSE event that is not a JSON object")
        return []
    try:
        return _decode_object(payload)
    except (TypeError, ValueError, AttributeError, RecursionError):  # pragma: no cover - defensive
        logger.debug("skipped an SSE event nemo-mcp could not read")
        return []


def _decode_object(event: dict[str, Any]) -> list[SseEvent]:
    failure = _error_text(event)
    if failure is not None:
        return [ErrorEvent(failure)]

    kind = event.get("type")
    if isinstance(kind, str):
        kind = kind.strip().lower()
        if kind in _HEARTBEAT_TYPES:
            return [Heartbeat()]
        if kind in _TEXT_TYPES:
            text = _first_text(event, "content", "text", "delta")
            return [TextEvent(text, partial=bool(event.get("partial")))] if text else []
        if kind in _TOOL_CALL_TYPES:
            return [ToolStarted(_name(event), _as_dict(event.get("args", event.get("input"))))]
        if kind in _TOOL_RESULT_TYPES:
            return [ToolFinished(_name(event), event.get("result", event.get("output")))]
        if kind == "error":
            return [ErrorEvent(_clip(_first_text(event, "message", "content", "text") or "unknown error"))]
        if "content" not in event:
            logger.debug("skipped an SSE event of unknown type %r", kind[:40])
            return []

    content = event.get("content")
    partial = bool(event.get("partial"))
    if isinstance(content, dict):
        return _decode_parts(content.get("parts"), partial)
    if isinstance(content, str) and content:
        return [TextEvent(content, partial=partial)]
    bare = event.get("text")
    if isinstance(bare, str) and bare:
        return [TextEvent(bare, partial=partial)]
    logger.debug("skipped an SSE event with nothing to show")
    return []


def _decode_parts(parts: object, partial: bool) -> list[SseEvent]:
    if not isinstance(parts, list):
        return []
    events: list[SseEvent] = []
    for part in parts:
        if not isinstance(part, dict):
            continue
        if part.get("thought") is True:
            continue  # the model's private reasoning is not an answer
        text = part.get("text")
        if isinstance(text, str) and text:
            events.append(TextEvent(text, partial=partial))
        call = part.get("functionCall", part.get("function_call"))
        if isinstance(call, dict):
            events.append(ToolStarted(_name(call), _as_dict(call.get("args"))))
        response = part.get("functionResponse", part.get("function_response"))
        if isinstance(response, dict):
            events.append(ToolFinished(_name(response), response.get("response")))
    return events


def _error_text(event: dict[str, Any]) -> str | None:
    error = event.get("error")
    if isinstance(error, str) and error.strip():
        return _clip(error)
    if isinstance(error, dict):
        message = error.get("message", error.get("detail"))
        return _clip(message if isinstance(message, str) and message else "unknown error")
    if error not in (None, False, "", 0) and not isinstance(error, (list, dict)):
        return _clip(str(error))
    for key in ("errorMessage", "error_message"):
        message = event.get(key)
        if isinstance(message, str) and message.strip():
            return _clip(message)
    for key in ("errorCode", "error_code"):
        code = event.get(key)
        if isinstance(code, (str, int)) and not isinstance(code, bool) and str(code).strip():
            return _clip(f"error {code}")
    return None


def _first_text(event: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = event.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _name(obj: dict[str, Any]) -> str:
    name = obj.get("name", obj.get("tool", obj.get("tool_name")))
    return name[:100] if isinstance(name, str) and name else "tool"


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_ERROR_TEXT else text[: _MAX_ERROR_TEXT - 1] + "…"


_SENTENCE_END = re.compile(r"[.!?。！？]\s*$")


class TextAssembler:
    """Joins text events into the reply. ADK sends partial chunks and then the same text again in a final,
    non-partial event: the final one replaces the chunks it repeats instead of doubling the reply."""

    def __init__(self) -> None:
        self._committed: list[str] = []
        self._partial: list[str] = []

    def add(self, event: TextEvent) -> None:
        if event.partial:
            self._partial.append(event.text)
            return
        self._partial = []
        if self._committed and _SENTENCE_END.search(self._committed[-1]) and event.text[:1].isalnum():
            self._committed.append("\n\n")  # a new message, not the next piece of the same one
        self._committed.append(event.text)

    @property
    def text(self) -> str:
        return "".join(self._committed + self._partial)
