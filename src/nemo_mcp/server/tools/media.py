"""The tool that brings media in: upload (free), and the total wait every upload gets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from nemo_mcp.server.results import UploadResult
from nemo_mcp.server.tools.common import (
    MAX_SOURCES,
    Ctx,
    McpProgressSink,
    PathText,
    SessionId,
    call,
    errors,
    session_arg,
    state_of,
)
from nemo_mcp.service.models import UploadOutcome


async def upload(
    ctx: Ctx,
    source: Annotated[
        Annotated[list[PathText], Field(max_length=MAX_SOURCES)] | PathText,
        Field(
            description=(
                "A local file path (inside the allowed folders) or an http(s) URL, or a list of them. "
                "Images: jpg, png, webp, bmp, gif; also mp4/mov/webm video and mp3/wav/m4a audio; 50 MB at most."
            )
        ),
    ],
    session_id: SessionId = None,
    new_session: Annotated[
        bool,
        Field(
            description="Start a new session for these files (a different photo or project) instead of the latest."
        ),
    ] = False,
) -> UploadResult:
    """Upload images (or video/audio) into a NemoVideo session before animating them. Free.

    Use it first, with the photo the person wants to animate; it returns the session_id to use next and
    what the backend made of each file (type, size, dimensions). Without session_id the files go into the
    latest session (a new one is started when there is none); new_session=true starts a fresh one.
    """
    state = await state_of(ctx)
    sources = [source] if isinstance(source, str) else list(source)
    if not sources or not all(s.strip() for s in sources):
        raise ToolError("Give at least one file path or http(s) URL in source.")
    sid = session_arg(session_id)
    if new_session and sid is not None:
        raise ToolError("Give either session_id or new_session=true, not both.")
    outcome = await within_budget(
        state.settings.wait_seconds,
        lambda: state.service.uploads.upload(sources, sid, McpProgressSink(ctx), new_session=new_session),
    )
    return UploadResult(
        # The files' own names stay in files[].filename: outside words never mix into our sentences.
        message=f"Uploaded {len(outcome.files)} file(s) into session {outcome.session_id}.",
        session_id=outcome.session_id,
        files=outcome.files,
        notice=outcome.notice,
        next_step=call(
            outcome.session_id, "animate_image", instruction="animate this image into a 5-second video clip"
        ),
    )


async def within_budget(budget: float, upload: Callable[[], Awaitable[UploadOutcome]]) -> UploadOutcome:
    """An upload that answers within the call's wait budget, like every tool: in all, not per read.

    A link the backend fetches slowly (or a big file on a slow line) is stopped when the budget runs out,
    and the answer says so: nothing more is sent.
    """
    with anyio.move_on_after(budget), errors():
        return await upload()
    raise ToolError(
        f"The upload did not finish within {budget:g} s, so it was stopped: a link that downloads slowly, "
        "or a large file on a slow connection. Nothing more is being sent (a link may still show up in the "
        "session: check get_state). Download the file and upload it from disk, or make it smaller; "
        "NEMO_MCP_WAIT_SECONDS sets the wait (at most 55 s)."
    )
