"""The NemoVideo HTTP client: auth and token store, requests and envelopes, SSE events, render jobs.

Only this layer imports httpx. Nothing here knows about MCP.
"""

from nemo_mcp.api.client import NemoClient
from nemo_mcp.api.sse import ErrorEvent, Heartbeat, SseEvent, TextEvent, ToolFinished, ToolStarted

__all__ = ["ErrorEvent", "Heartbeat", "NemoClient", "SseEvent", "TextEvent", "ToolFinished", "ToolStarted"]
