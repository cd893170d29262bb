"""An in-memory MCP client on a server built over the local backend, and helpers to call tools with it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult, TextContent

from nemo_mcp.config import Settings
from nemo_mcp.server.app import build_server


@pytest.fixture
async def client(local_settings: Settings) -> AsyncIterator[Client]:
    async with Client(build_server(local_settings)) as connected:
        yield connected


@dataclass
class Progress:
    """Every progress notification one call received, in order."""

    values: list[float] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.values.append(progress)
        self.messages.append(message or "")

    def assert_increasing(self, at_least: int = 1) -> None:
        assert len(self.values) >= at_least, self.messages
        assert all(b > a for a, b in zip(self.values, self.values[1:], strict=False)), self.values


@dataclass(frozen=True)
class Clip:
    codec: str
    width: int
    height: int
    duration_s: float
    size_bytes: int


def probe_clip(path: Path) -> Clip:
    """What an MP4 on disk really holds (read with PyAV)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = (container.duration or 0) / 1_000_000
        return Clip(
            stream.codec_context.name,
            stream.codec_context.width,
            stream.codec_context.height,
            duration,
            path.stat().st_size,
        )


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def call_ok(
    client: Client, name: str, arguments: dict[str, Any] | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Call a tool that must succeed; its structured result."""
    result = await client.call_tool(name, arguments or {}, progress_callback=progress)
    assert not result.is_error, text_of(result)
    structured: dict[str, Any] | None = result.structured_content
    assert structured is not None
    return structured


async def call_error(client: Client, name: str, arguments: dict[str, Any] | None = None) -> str:
    """Call a tool that must fail; the message the client sees."""
    result = await client.call_tool(name, arguments or {})
    assert result.is_error, result
    return text_of(result)
