"""Exports: render a session's draft to MP4 and download it, resuming a render a previous process left.

The render's id is on disk (`renders.RenderHandleStore`) from before it is submitted until its file is
delivered, so every later call for the session (this process or the next) resumes the same render
instead of starting another. Calls run in the caller's task: the server runs each export as one job
(`server/jobs.py`), which is where a second call joins a running one and where cancelling stops waiting.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from pathlib import Path

from nemo_mcp.api.wire import RenderStatus
from nemo_mcp.errors import (
    ApiError,
    ExportBlockedError,
    InputError,
    RateLimitedError,
    RenderFailedError,
    SessionGoneError,
    TokenExpiredError,
)
from nemo_mcp.service import renders
from nemo_mcp.service.media import probe_mp4
from nemo_mcp.service.models import ExportOutcome
from nemo_mcp.service.progress import ProgressReporter, ProgressSink
from nemo_mcp.service.session_store import KnownSession
from nemo_mcp.service.sessions import Workspace
from nemo_mcp.service.text import format_size
from nemo_mcp.service.timeline import ready_for_export

logger = logging.getLogger(__name__)

NOTHING_TO_EXPORT = "Nothing to export yet: animate an image first."
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


class Exports:
    """The renders of one service: the handles on disk, one submit at a time per session."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self.handles = renders.RenderHandleStore(ws.settings.render_handles_dir)
        # Held from "is a render stored?" until the new one's handle is on disk: two calls at once never
        # both submit. Released before polling, so a second call resumes the same render.
        self._submitting: dict[str, asyncio.Lock] = {}

    async def export(
        self,
        session_id: str | None = None,
        output_dir: Path | None = None,
        progress: ProgressSink | None = None,
    ) -> ExportOutcome:
        """Render the draft to MP4 and download it. Resumes a render whose id was stored on disk.

        Two calls for the same session share one render: the second resumes the first one's handle.
        """
        ws = self._ws
        record = await ws.resolve(session_id, create=False)
        folder = await asyncio.to_thread(_writable_folder, output_dir) if output_dir is not None else None
        report = ws.reporter(progress)
        handle, resumed = await self._handle(record, folder, report)
        try:
            status = await self._wait(handle, report, resumed=resumed)
        except ApiError as exc:
            if not (resumed and _render_gone(exc)):
                raise
            logger.info(
                "the stored render %s cannot be polled (%s); starting a new one", handle.render_id, exc.status
            )
            await self.handles.remove(handle.render_id)
            handle, _ = await self._handle(record, folder, report)
            status = await self._wait(handle, report, resumed=False)
        return await self._deliver(record, handle, status, folder, report)

    async def _handle(
        self, record: KnownSession, folder: Path | None, report: ProgressReporter
    ) -> tuple[renders.RenderHandle, bool]:
        """The session's stored render (resumed: True), else a newly submitted one."""
        async with self._submitting.setdefault(record.session_id, asyncio.Lock()):
            handle = await self.handles.find(record.session_id, self._ws.client.scope)
            if handle is not None:
                await report("resuming the export started earlier", 0.05)
                return handle, True
            return await self._submit(record, folder, report), False

    async def _submit(
        self, record: KnownSession, folder: Path | None, report: ProgressReporter
    ) -> renders.RenderHandle:
        ws = self._ws
        target = (
            folder
            if folder is not None
            else await asyncio.to_thread(_writable_folder, ws.settings.output_dir)
        )
        snapshot = await ws.snapshot(record)
        if snapshot.draft is None or not ready_for_export(snapshot.draft):
            raise InputError(
                NOTHING_TO_EXPORT,
                hint="Send an instruction such as 'animate this image into a 5-second video clip' first.",
            )
        await report("starting the export", 0.05)
        try:
            return await renders.submit(ws.client, self.handles, record.session_id, snapshot.draft, target)
        except SessionGoneError:
            raise await ws.session_gone(record) from None

    async def _wait(
        self, handle: renders.RenderHandle, report: ProgressReporter, *, resumed: bool
    ) -> RenderStatus:
        """Poll until delivered. A failed render's handle goes; so does a new one's the API refuses."""
        try:
            return await renders.wait(self._ws.client, handle, self._ws.tuning.poll, report.span(0.1, 0.9))
        except RenderFailedError:
            await self.handles.remove(handle.render_id)
            raise
        except ApiError:
            if not resumed:
                await self.handles.remove(handle.render_id)
            raise

    async def _deliver(
        self,
        record: KnownSession,
        handle: renders.RenderHandle,
        status: RenderStatus,
        folder: Path | None,
        report: ProgressReporter,
    ) -> ExportOutcome:
        target = (
            folder
            if folder is not None
            else await asyncio.to_thread(_writable_folder, Path(handle.output_dir))
        )
        render_part = handle.render_id.removeprefix("render_")[:12]
        dest = target / f"nemo-{_SAFE_NAME.sub('', record.session_id)[:24]}-{render_part}.mp4"
        await report("downloading the video", 0.92)
        size = await renders.download(self._ws.client, handle, status, dest)
        await self.handles.remove(handle.render_id)
        facts = await asyncio.to_thread(probe_mp4, dest)
        await report(f"saved {dest.name} ({format_size(size)})", 1.0)
        url = status.output_url if status.output_url and "://" in status.output_url else None
        return ExportOutcome(
            session_id=record.session_id,
            render_id=handle.render_id,
            path=dest,
            size_bytes=size,
            duration_s=(facts.duration_s if facts and facts.duration_s else status.duration_s),
            width=facts.width if facts else None,
            height=facts.height if facts else None,
            download_url=url,
        )

    async def cancel(self, session_id: str | None = None) -> bool:
        """Ask the backend to cancel the session's stored render, if any. True when there was one."""
        record = await self._ws.resolve(session_id, create=False)
        handle = await self.handles.find(record.session_id, self._ws.client.scope)
        if handle is None:
            return False
        try:
            await self._ws.client.cancel_render(handle.render_id)
        except ApiError as exc:
            if exc.status not in (404, 409, 410):
                raise
        await self.handles.remove(handle.render_id)
        return True


def _render_gone(exc: ApiError) -> bool:
    """A stored render the API refuses to report on (404, 410, other plain 4xx) will never come back."""
    if isinstance(exc, (TokenExpiredError, ExportBlockedError, RateLimitedError)) or exc.status is None:
        return False
    return 400 <= exc.status < 500 and exc.status != 408


def _writable_folder(path: Path) -> Path:
    folder = Path(path).expanduser()
    if not folder.is_absolute():
        folder = Path.cwd() / folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".nemo-write-test-"):
            pass
    except OSError:
        raise InputError(
            f"The output folder {str(folder)!r} cannot be written.",
            hint="Give another output folder or set NEMO_MCP_OUTPUT_DIR.",
        ) from None
    return folder
