"""The SSE layer alone: framing (httpx-sse) split anywhere, both event shapes, keep-alives, junk."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_mcp.api.events import (
    ErrorEvent,
    Heartbeat,
    SseEvent,
    TextAssembler,
    TextEvent,
    ToolFinished,
    ToolStarted,
    decode_event,
)
from nemo_mcp.api.stream import events

STREAM = (
    'data: {"type":"text","content":"Hello "}\n\n'
    "data:\n\n"
    ": a comment keep-alive\n"
    'data: {"type":"tool_call","name":"generate_video_with_seedance","args":{"d":5}}\r\n\r\n'
    'data: {"type":"tool_result","name":"generate_video_with_seedance","result":{"ok":true}}\r\r'
    'event: ignored\nid: 7\ndata: {"type":"text",\ndata: "content":"wörld 你好"}\n\n'
    'data: {"type":"heartbeat"}\n\n'
)
EXPECTED: list[SseEvent] = [
    TextEvent("Hello "),
    Heartbeat(),
    ToolStarted("generate_video_with_seedance", {"d": 5}),
    ToolFinished("generate_video_with_seedance", {"ok": True}),
    TextEvent("wörld 你好"),
    Heartbeat(),
]


class _Chunks(httpx.AsyncByteStream):
    """A response body that arrives in exactly these pieces."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


def _decode_all(chunks: list[bytes]) -> list[SseEvent]:
    """The events a real httpx response with this body gives, framed by httpx-sse, decoded by us."""

    async def read() -> list[SseEvent]:
        response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Chunks(chunks))
        return [event async for event in events(response, "http://api.test")]

    return asyncio.run(read())


def test_whole_stream_decodes_to_typed_events() -> None:
    assert _decode_all([STREAM.encode()]) == EXPECTED


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 13])
def test_events_split_into_small_chunks_decode_the_same(size: int) -> None:
    raw = STREAM.encode()
    chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
    assert _decode_all(chunks) == EXPECTED


@settings(deadline=None)  # CPU time varies on shared CI machines
@given(st.lists(st.integers(min_value=1, max_value=len(STREAM.encode()) - 1), max_size=12))
def test_any_split_points_decode_the_same(cuts: list[int]) -> None:
    raw = STREAM.encode()
    points = sorted(set(cuts))
    chunks = [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True)]
    assert _decode_all(chunks) == EXPECTED


def test_last_event_without_blank_line_is_discarded_as_the_sse_spec_says() -> None:
    # httpx-sse follows the spec: data pending when the stream ends is not an event. A turn that loses its
    # last words this way still reports what changed, from the state.
    assert _decode_all([b'data: {"type":"text","content":"end"}']) == []
    assert _decode_all([b'data: {"type":"text","content":"end"}\n\n']) == [TextEvent("end")]


def test_adk_shape() -> None:
    event = {
        "content": {
            "parts": [
                {"text": "Animating"},
                {"functionCall": {"name": "animate", "args": {"s": 5}}},
                {"functionResponse": {"name": "animate", "response": {"done": True}}},
                {"text": "secret thoughts", "thought": True},
            ],
            "role": "model",
        },
        "partial": True,
        "author": "nemo",
        "id": "e1",
    }
    assert decode_event(json.dumps(event)) == [
        TextEvent("Animating", partial=True),
        ToolStarted("animate", {"s": 5}),
        ToolFinished("animate", {"done": True}),
    ]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ('{"error":"quota exceeded"}', [ErrorEvent("quota exceeded")]),
        ('{"error":{"message":"boom"}}', [ErrorEvent("boom")]),
        ('{"type":"error","message":"bad"}', [ErrorEvent("bad")]),
        ('{"errorCode":"MAX_TOKENS","errorMessage":"too long"}', [ErrorEvent("too long")]),
        ('{"type":"text","text":"plain"}', [TextEvent("plain")]),
        ('{"text":"bare"}', [TextEvent("bare")]),
        ('{"content":"string content"}', [TextEvent("string content")]),
        ('{"type":"ping"}', [Heartbeat()]),
        ("   ", [Heartbeat()]),
        ('{"type":"usage","tokens":5}', []),
        ("not json {", []),
        ("[1,2]", []),
        ('{"content":{"parts":"nope"}}', []),
        ('{"error":null,"content":{"parts":[{"text":"ok"}]}}', [TextEvent("ok")]),
    ],
)
def test_payload_variants(payload: str, expected: list[SseEvent]) -> None:
    assert decode_event(payload) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_decode_event_never_raises(data: str) -> None:
    events = decode_event(data)
    assert all(isinstance(e, TextEvent | ToolStarted | ToolFinished | Heartbeat | ErrorEvent) for e in events)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "content",
                    "parts",
                    "text",
                    "error",
                    "functionCall",
                    "name",
                    "args",
                    "partial",
                    "thought",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fuzz_structured_events_never_raise(value: object) -> None:
    events = decode_event(json.dumps(value))
    assert all(isinstance(e, TextEvent | ToolStarted | ToolFinished | Heartbeat | ErrorEvent) for e in events)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=1, max_value=50))
def test_fuzz_decoder_on_any_bytes(raw: bytes, size: int) -> None:
    chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
    for event in _decode_all(chunks):
        assert isinstance(event, TextEvent | ToolStarted | ToolFinished | Heartbeat | ErrorEvent)


def test_partial_chunks_then_final_text_are_not_doubled() -> None:
    text = TextAssembler()
    text.add(TextEvent("Hel", partial=True))
    text.add(TextEvent("lo", partial=True))
    assert text.text == "Hello"
    text.add(TextEvent("Hello"))
    text.add(TextEvent(" again"))
    assert text.text == "Hello again"
    text.add(TextEvent("."))
    text.add(TextEvent("Next message."))
    assert text.text == "Hello again.\n\nNext message."
