"""The five MCP tools: validate the arguments, call `NemoService` (through a job for work that takes
minutes), shape a result model. Registered on a server by `nemo_mcp.server.build_server`.

A `NemoError` becomes a `ToolError` carrying its message and hint: the only way text reaches the client.
Anything else stays hidden behind the SDK's generic error (and is logged to stderr with its traceback).

The tools live by concern: `tools_media` (upload, animate_image), `tools_state` (get_state,
get_credits) and `tools_export` (export); what they share is in `tools_common`.
"""

from __future__ import annotations

from nemo_mcp.tools_common import CallProgress, Ctx, ServerState, SessionId, WaitSeconds
from nemo_mcp.tools_export import export
from nemo_mcp.tools_media import animate_image, upload
from nemo_mcp.tools_state import get_credits, get_state

__all__ = [
    "CallProgress",
    "Ctx",
    "ServerState",
    "SessionId",
    "WaitSeconds",
    "animate_image",
    "export",
    "get_credits",
    "get_state",
    "upload",
]
