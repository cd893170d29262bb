"""The `/run_sse` answer as a stream of typed events: framing by httpx-sse, decoding by `events.py`.

Before the first event the answer is classified once: an event stream goes on; an HTTP error or a JSON
envelope is a refusal (`Failure`, mapped by `error_for` like any answer); anything else (an HTML page from
a proxy, say) fails at once: reading it as an empty stream would report a silent completion that never
happened.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator

import httpx
from httpx_sse import EventSource

from nemo_mcp.api.events import SseEvent, decode_event
from nemo_mcp.api.http import Failure, read_answer
from nemo_mcp.errors import ApiError, StreamDroppedError

logger = logging.getLogger(__name__)

EVENT_STREAM = "text/event-stream"


async def refusal(response: httpx.Response) -> Failure | None:
    """None for an event stream; the Failure of an error answer; ApiError for anything else."""
    content_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    if response.status_code < 400 and content_type == EVENT_STREAM:
        return None
    if response.status_code >= 400 or "json" in content_type:
        await response.aread()
        _, failure = read_answer(response)
        if failure is not None:
            return failure
    shown = content_type[:60] or "no content type"
    logger.info(
        "the message was answered with %s (HTTP %d), not an event stream", shown, response.status_code
    )
    raise ApiError(
        f"The NemoVideo API answered the message with {shown!r} instead of an event stream.",
        status=response.status_code,
        hint=(
            "A proxy or gateway may be in the way. The instruction was not sent again (that could charge "
            "twice): check get_state to see whether it was carried out."
        ),
    )


async def events(response: httpx.Response, api_url: str) -> AsyncGenerator[SseEvent, None]:
    """The typed events of an event-stream answer; a connection that breaks is a StreamDroppedError."""
    source = EventSource(response)
    try:
        async for sse in source.aiter_sse():
            for event in decode_event(sse.data):
                yield event
    except httpx.HTTPError as exc:
        logger.info("the event stream broke: %s", type(exc).__name__)
        raise StreamDroppedError(
            f"The connection to the NemoVideo API at {api_url} dropped while it was working."
        ) from None
