"""How the server offers the studio. A prototype, kept apart so it can move whole into the server package.

studio_apps()                 the SDK's Apps extension holding the ui:// document and its CSP:
                              MCPServer(..., extensions=[studio_apps()])
tool_meta(name)               `_meta` for a tool: {"ui": {"resourceUri": STUDIO_URI}} for the studio's tools
add_export_resources(server)  nemo://exports/{name}: an MP4 this server exported, as a base64 blob
                              nemo://sessions/{session_id}/poster.jpg: a poster of the session's latest export,
                              or of its photo while the first clip is being made
poster_content(path)          a small JPEG poster of an MP4 as image content, for clients without Apps
session_poster_content(ctx, s)  the same for a session whose clip is not exported yet (its photo)
as_result(model, *blocks)     a result model as a CallToolResult with extra content blocks

What the hosts do that shapes this (ext-apps specification, draft `apps.mdx`, and the hosts' issue trackers):
- The CSP goes on the *resource* (`add_html_resource(csp=...)`): the spec reads `_meta.ui` from the
  resources/read content item, falling back to the resources/list entry, and ignores it on a tool; Claude
  honours it only there. The SDK puts the resource's meta on both.
- `resourceDomains` widens img/media/script/style/font-src; hosts add nothing else. Claude strips `blob:` and
  `data:` from declared lists (anthropics/claude-ai-mcp#375) and drops `frameDomains`, so neither is declared:
  the studio plays local clips as `data:` URIs, which the spec's default policy already allows
  (`media-src 'self' data:`), and reports disagree on whether Claude applies `resourceDomains` at all, so a
  remote URL is never the only way to see a clip.
- `ui.domain` is host-specific and is not set.
- Resource reads are capped (MAX_INLINE_VIDEO_BYTES): above it the studio shows the download link or path.
"""

from __future__ import annotations

import base64
import logging
import tempfile
from pathlib import Path
from typing import Any

import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.apps import Apps, ResourceCsp
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.types import CallToolResult, ContentBlock, ImageContent, TextContent
from pydantic import BaseModel

from nemo_mcp.errors import NemoError
from nemo_mcp.server.studio import MAX_INLINE_VIDEO_BYTES, STUDIO_URI, studio_html
from nemo_mcp.server.studio.poster import PosterError, image_poster, make_poster
from nemo_mcp.server.tools.common import Ctx, ServerState, state_of
from nemo_mcp.service.models import ExportOutcome
from nemo_mcp.service.text import format_size

log = logging.getLogger(__name__)

STUDIO_TOOLS = frozenset({"animate_image", "get_state", "export"})
# Where NemoVideo serves rendered clips (download_url). TO CONFIRM against real cloud exports: the studio
# plays a cloud clip from its URL only when the host approved that origin.
NEMOVIDEO_MEDIA_DOMAINS = ("https://*.nemovideo.ai", "https://*.nemovideo.com")
MAX_POSTER_SOURCE_BYTES = 50 * 1024 * 1024  # the upload limit


def studio_apps(media_domains: tuple[str, ...] = NEMOVIDEO_MEDIA_DOMAINS) -> Apps:
    """The Apps extension with the studio document registered (no tools: those carry `tool_meta`)."""
    apps = Apps()
    apps.add_html_resource(
        STUDIO_URI,
        studio_html(),
        name="studio",
        title="NemoVideo studio",
        description="Plays the exported clip, follows running work, and sends edits and exports.",
        csp=ResourceCsp(resource_domains=list(media_domains)),
        prefers_border=True,
    )
    return apps


def tool_meta(name: str) -> dict[str, Any] | None:
    """The `_meta` of a tool: the studio's tools name its ui:// resource; the others have none."""
    return {"ui": {"resourceUri": STUDIO_URI}} if name in STUDIO_TOOLS else None


async def _files_exported(state: ServerState) -> list[ExportOutcome]:
    """The exports of the caller that are files on this machine, newest first (hosted ones are links)."""
    listing = await state.exports.listing()
    return [ExportOutcome.model_validate(item) for item in listing if item.get("path")]


def _find(exports: list[ExportOutcome], name: str) -> ExportOutcome:
    # Only files this server exported (newest first): the name never reaches the file system on its own.
    for outcome in exports:
        if outcome.path.name == name:
            return outcome
    raise ResourceError(f"No video named {name!r} was exported by this server since it started.")


async def exported_video(name: str, ctx: Ctx) -> bytes:
    """An MP4 this server exported, for the studio's player."""
    outcome = _find(await _files_exported(await state_of(ctx)), name)
    try:
        size = outcome.path.stat().st_size
    except OSError:
        raise ResourceError(f"The exported file {outcome.path} is no longer there.") from None
    if size > MAX_INLINE_VIDEO_BYTES:
        raise ResourceError(
            f"{name} is {format_size(size)}, more than the {format_size(MAX_INLINE_VIDEO_BYTES)} served inline; "
            f"open {outcome.path} instead."
        )
    return await anyio.Path(outcome.path).read_bytes()


async def session_poster(session_id: str, ctx: Ctx) -> bytes:
    """A JPEG poster (at most 100 KB): the session's latest export, else its newest generated clip, else
    the photo the clip is made from."""
    state = await state_of(ctx)
    try:
        for outcome in await _files_exported(state):
            if outcome.session_id == session_id:
                return await anyio.to_thread.run_sync(make_poster, outcome.path)
        # The session's own media, with the backend's URLs (the state view leaves out the embedded
        # backend's loopback URLs; the server itself may still read them while the backend runs).
        workspace = state.service.workspace
        snapshot = await workspace.snapshot(await workspace.resolve(session_id, create=False))
        clip = next((m for m in reversed(snapshot.media) if m.kind == "video" and m.url), None)
        if clip is not None and clip.url is not None:
            try:
                return await _clip_poster(state, clip.url)
            except (PosterError, NemoError) as exc:
                log.info("no poster from the generated clip (%s); using the photo", exc)
        photo = next((m for m in snapshot.media if m.kind == "image" and m.url), None)
        if photo is None or photo.url is None:
            raise ResourceError(f"Session {session_id} has no photo or export yet, so no poster.")
        data = await _fetch_image(state, photo.url)
        return await anyio.to_thread.run_sync(image_poster, data)
    except (PosterError, NemoError) as exc:
        raise ResourceError(str(exc)) from None


async def _clip_poster(state: ServerState, url: str) -> bytes:
    """A frame of a clip the backend generated: fetched into a temporary file, read, deleted."""
    data = await _fetch_image(state, url)
    with tempfile.NamedTemporaryFile(suffix=".mp4") as scratch:
        await anyio.Path(scratch.name).write_bytes(data)
        return await anyio.to_thread.run_sync(make_poster, Path(scratch.name))


async def _fetch_image(state: ServerState, url: str) -> bytes:
    # The backend's own link to the uploaded photo (its CDN, or the embedded backend): never a URL a model
    # gave. The API client sends the token only to the API's own host.
    chunks: list[bytes] = []
    size = 0
    async with state.service.workspace.client.download(url) as response:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_POSTER_SOURCE_BYTES:
                raise PosterError(f"The photo is larger than {format_size(MAX_POSTER_SOURCE_BYTES)}.")
            chunks.append(chunk)
    return b"".join(chunks)


def add_export_resources(server: MCPServer[Any]) -> None:
    server.resource(
        "nemo://exports/{name}",
        name="exported-video",
        title="Exported video",
        description="An MP4 this server exported, as a base64 blob (at most 8 MB; larger ones: open the path).",
        mime_type="video/mp4",
    )(exported_video)
    server.resource(
        "nemo://sessions/{session_id}/poster.jpg",
        name="session-poster",
        title="Poster frame",
        description="A small JPEG of the session's latest export, or of its photo before the first export.",
        mime_type="image/jpeg",
    )(session_poster)


def as_result(model: BaseModel, *extra: ContentBlock) -> CallToolResult:
    """A result model as a CallToolResult (JSON text plus structured content), with extra blocks after it."""
    text = TextContent(type="text", text=model.model_dump_json(indent=2))
    return CallToolResult(content=[text, *extra], structured_content=model.model_dump(mode="json"))


async def session_poster_content(ctx: Ctx, session_id: str) -> ImageContent | None:
    """The session's poster (its latest export, generated clip or photo) as image content, or None."""
    try:
        jpeg = await session_poster(session_id, ctx)
    except ResourceError as exc:
        log.warning("no poster for session %s: %s", session_id, exc)
        return None
    return ImageContent(type="image", data=base64.b64encode(jpeg).decode("ascii"), mime_type="image/jpeg")


async def poster_content(path: Path) -> ImageContent | None:
    """The clip's poster as image content (JPEG, at most 100 KB), or None when no frame can be read."""
    try:
        jpeg = await anyio.to_thread.run_sync(make_poster, path)
    except PosterError as exc:
        log.warning("no poster for %s: %s", path.name, exc)
        return None
    return ImageContent(type="image", data=base64.b64encode(jpeg).decode("ascii"), mime_type="image/jpeg")


__all__ = [
    "NEMOVIDEO_MEDIA_DOMAINS",
    "STUDIO_TOOLS",
    "add_export_resources",
    "as_result",
    "poster_content",
    "session_poster_content",
    "studio_apps",
    "tool_meta",
]
