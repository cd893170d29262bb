"""The MCP server: the five tools of `server/tools/`, their annotations, a prompt, two resources, and the
lifespan that opens NemoService and the task group the jobs run in. Transports are in `transports.py`.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.types import ToolAnnotations
from pydantic import Field

from nemo_mcp import __version__
from nemo_mcp.config import Settings
from nemo_mcp.errors import NemoError
from nemo_mcp.server.jobs import JobBoard
from nemo_mcp.server.tools.common import Ctx, ServerState, state_of
from nemo_mcp.server.tools.export import export
from nemo_mcp.server.tools.media import animate_image, upload
from nemo_mcp.server.tools.state import get_credits, get_state
from nemo_mcp.service.models import ExportOutcome

log = logging.getLogger(__name__)

SERVER_NAME = "nemo-mcp"

INSTRUCTIONS = """\
nemo-mcp turns a still image into a short MP4 video clip (720p H.264) with the NemoVideo video agent.

The flow:
1. upload(source=...) a local image (a path inside the allowed folders) or an http(s) URL. Keep the
   session_id it returns. (Or pass image=... straight to animate_image: without a session_id, a new image
   starts a new session.) upload(..., new_session=true) starts another session for another photo.
2. animate_image(instruction="animate this image into a 5-second video clip using low VRAM mode") sends
   the instruction. Later instructions edit the same clip: "make it 9:16 with the title 'Summer'", "add calm
   background music". A generated clip costs about 100 credits, an edit about 50.
3. Generation takes minutes. A call never blocks longer than its wait budget (about 45 s): when the answer
   has status "running", the work goes on in the background; make the call its next_step names
   (get_state(session_id=..., wait_seconds=45)) until it is done. Never send the instruction again: that
   would charge twice.
4. export(session_id=...) renders the timeline to MP4 (free) and returns the path of the file on disk. If it
   says "running", call export again with the same session_id: it resumes the same render.

get_credits shows the balance. session_id is optional everywhere: without it the latest session is used.
Relative paths resolve against the first allowed folder.
"""

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=True)
# Sends data to the backend and changes the session (animate_image also spends credits): calling twice
# does the work twice.
CHANGES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)
# Writes a file; a second call resumes the running render rather than starting another.
RENDERS = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)


def animate_photo(
    image: Annotated[str, Field(description="Path or http(s) URL of the photo to animate")],
    style: Annotated[str, Field(description="Optional: the motion, format, title or music you want")] = "",
) -> str:
    """Animate a photo into a 5-second MP4 clip with nemo-mcp, step by step."""
    wish = f" {style.strip()}." if style.strip() else ""
    return (
        f"Animate the photo {image} into a 5-second video clip.{wish}\n"
        "Use the nemo-mcp tools: upload the photo, then animate_image with an instruction such as "
        "'animate this image into a 5-second video clip using low VRAM mode'. If a call answers status "
        "'running', call get_state with wait_seconds=45 until it is done (never send the instruction again). "
        "When it is ready to export, call export and tell me the path of the MP4."
    )


async def session_state(session_id: str, ctx: Ctx) -> str:
    """A session's timeline, media and readiness to export, as JSON."""
    state = await state_of(ctx)
    try:
        view = await state.service.state(session_id)
    except NemoError as exc:
        raise ResourceError(str(exc)) from None
    return view.model_dump_json(indent=2)


def _describe(fn: Callable[..., Any]) -> str:
    return inspect.cleandoc(fn.__doc__ or "")


def build_server(settings: Settings) -> MCPServer[ServerState]:
    """The MCP server for `settings`. Its lifespan opens the service and the task group jobs run in."""
    exported: list[ExportOutcome] = []

    @asynccontextmanager
    async def lifespan(_: MCPServer[ServerState]) -> AsyncIterator[ServerState]:
        state: ServerState | None = None
        try:
            async with anyio.create_task_group() as tg:
                state = ServerState(settings=settings, jobs=JobBoard(tg), exports=exported)
                try:
                    yield state
                finally:
                    # A render's id is on disk: the next process resumes it instead of orphaning it.
                    state.jobs.cancel_all()
                    tg.cancel_scope.cancel()
        finally:
            if state is not None:  # after the jobs stopped; shielded, so the latest session is written
                with anyio.CancelScope(shield=True):
                    await state.aclose()

    server: MCPServer[ServerState] = MCPServer(
        SERVER_NAME,
        title="NemoVideo: image to video",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://nemovideo.com",
        lifespan=lifespan,
    )
    for fn, title, hints in (
        (upload, "Upload media", CHANGES),
        (animate_image, "Animate image (uses credits)", CHANGES),
        (get_state, "Session state", READ_ONLY),
        (get_credits, "Credit balance", READ_ONLY),
        (export, "Export MP4", RENDERS),
    ):
        server.add_tool(fn, title=title, description=_describe(fn), annotations=hints)

    server.prompt(name="animate-photo", title="Animate a photo", description=_describe(animate_photo))(
        animate_photo
    )
    server.resource(
        "nemo://sessions/{session_id}/state",
        name="session-state",
        title="Session state",
        description=_describe(session_state),
        mime_type="application/json",
    )(session_state)

    @server.resource("nemo://exports", name="exports", title="Exported videos", mime_type="application/json")
    def exports() -> str:
        """The MP4 files this server exported, newest first, as JSON."""
        return json.dumps([item.model_dump(mode="json") for item in reversed(exported)], indent=2)

    return server


__all__ = ["ServerState", "build_server"]
