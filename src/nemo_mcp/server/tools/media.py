"""The tool that brings media in: upload (free)."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from nemo_mcp.server.results import UploadResult
from nemo_mcp.server.tools.common import (
    Ctx,
    McpProgressSink,
    SessionId,
    call,
    errors,
    session_arg,
    state_of,
)


async def upload(
    ctx: Ctx,
    source: Annotated[
        list[str] | str,
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
    state = state_of(ctx)
    sources = [source] if isinstance(source, str) else list(source)
    if not sources or not all(s.strip() for s in sources):
        raise ToolError("Give at least one file path or http(s) URL in source.")
    sid = session_arg(session_id)
    if new_session and sid is not None:
        raise ToolError("Give either session_id or new_session=true, not both.")
    with errors():
        outcome = await state.service.uploads.upload(
            sources, sid, McpProgressSink(ctx), new_session=new_session
        )
    names = ", ".join(f.filename for f in outcome.files)
    return UploadResult(
        message=f"Uploaded {len(outcome.files)} file(s) into session {outcome.session_id}: {names}.",
        session_id=outcome.session_id,
        files=outcome.files,
        notice=outcome.notice,
        next_step=call(
            outcome.session_id, "animate_image", instruction="animate this image into a 5-second video clip"
        ),
    )
