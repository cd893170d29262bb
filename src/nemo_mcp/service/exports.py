"""Exports: render a session's draft to MP4 and download it, resuming a render a previous process left.

A second call for the same session while a render runs joins it instead of starting another.
A cancelled caller stops waiting; the render goes on (and can be collected by another call).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import tempfile
from pathlib import Path
from typing import Any

from nemo_mcp.errors import (
    ApiError,
    ExportBlockedError,
    InputError,
    NemoError,
    RateLimitedError,
    RenderFailedError,
    SessionGoneError,
    TokenExpiredError,
)
from nemo_mcp.service import renders
from nemo_mcp.service.media import probe_mp4
from nemo_mcp.service.models import ExportOutcome
from nemo_mcp.service.session_store import SessionRecord
from nemo_mcp.service.sessions import Progress, ProgressSink, Workspace, size_text
from nemo_mcp.service.timeline import ready_for_export

logger = logging.getLogger(__name__)

NOTHING_TO_EXPORT = "Nothing to export yet: animate an image first."
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


class Exports:
    """The renders of one `NemoService`: the handles on disk, the ones running here, the ones cancelled."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self.jobs = renders.JobStore(ws.settings.jobs_dir)
        self._running: dict[str, tuple[asyncio.Task[ExportOutcome], Progress]] = {}
        self._cancelled: set[str] = set()

    async def stop(self) -> None:
        """Stop waiting for renders; their handles stay on disk so the next process resumes them."""
        tasks = [task for task, _ in self._running.values() if not task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def export(
        self,
        session_id: str | None = None,
        output_dir: Path | None = None,
        progress: ProgressSink | None = None,
    ) -> ExportOutcome:
        """Render the draft to MP4 and download it. Resumes a render whose id was stored on disk.

        A second call for the same session while a render runs joins it instead of starting another.
        A cancelled caller stops waiting; the render goes on (and can be collected by another call).
        """
        record = await self._ws.resolve(session_id, create=False)
        folder = _writable_folder(output_dir) if output_dir is not None else None
        running = self._running.get(record.session_id)
        if running is not None and not running[0].done():
            running[1].attach(progress)
            return await asyncio.shield(running[0])
        report = self._ws.progress(progress)
        task = asyncio.create_task(self._export(record, folder, report))
        self._running[record.session_id] = (task, report)
        task.add_done_callback(_retrieve)
        return await asyncio.shield(task)

    async def _export(self, record: SessionRecord, folder: Path | None, report: Progress) -> ExportOutcome:
        ws = self._ws
        client = ws.client

        async def on_poll(message: str, fraction: float | None) -> None:
            if handle is not None and handle.render_id in self._cancelled:
                raise RenderFailedError(
                    "The export was cancelled.", hint="Call export again to start a new one."
                )
            await report(message, None if fraction is None else 0.1 + 0.8 * fraction)

        handle = self.jobs.find(record.session_id, client.scope)
        status = None
        if handle is not None:
            await report("resuming the export started earlier", 0.05)
            try:
                status = await renders.wait(client, handle, ws.tuning.poll, on_poll)
            except renders.RenderStillRunningError:
                raise
            except RenderFailedError:
                self.jobs.remove(handle.render_id)
                raise
            except ApiError as exc:
                if not _render_gone(exc):
                    raise
                logger.info(
                    "the stored render %s cannot be polled (%s); starting a new one",
                    handle.render_id,
                    exc.status,
                )
                self.jobs.remove(handle.render_id)
                handle = None
        if handle is None or status is None:
            target = folder or _writable_folder(ws.settings.output_dir)
            snapshot = await ws.snapshot(record)
            if snapshot.draft is None or not ready_for_export(snapshot.draft):
                raise InputError(
                    NOTHING_TO_EXPORT,
                    hint="Send an instruction such as 'animate this image into a 5-second video clip' first.",
                )
            await report("starting the export", 0.05)
            try:
                handle = await renders.submit(client, self.jobs, record.session_id, snapshot.draft, target)
            except SessionGoneError:
                raise await ws.session_gone(record) from None
            try:
                status = await renders.wait(client, handle, ws.tuning.poll, on_poll)
            except renders.RenderStillRunningError:
                raise
            except NemoError:
                self.jobs.remove(handle.render_id)
                raise
        target = folder or _writable_folder(Path(handle.output_dir))
        dest = (
            target
            / f"nemo-{_SAFE_NAME.sub('', record.session_id)[:24]}-{handle.render_id.removeprefix('render_')[:12]}.mp4"
        )
        await report("downloading the video", 0.92)
        size = await renders.download(client, handle, status, dest)
        self.jobs.remove(handle.render_id)
        self._cancelled.discard(handle.render_id)
        facts = probe_mp4(dest)
        await report(f"saved {dest.name} ({size_text(size)})", 1.0)
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
        """Cancel the running render of the session, if any. True when one was cancelled."""
        record = await self._ws.resolve(session_id, create=False)
        handle = self.jobs.find(record.session_id, self._ws.client.scope)
        if handle is None:
            return False
        self._cancelled.add(handle.render_id)
        try:
            await self._ws.client.cancel_render(handle.render_id)
        except ApiError as exc:
            if exc.status not in (404, 409, 410):
                self._cancelled.discard(handle.render_id)
                raise
        self.jobs.remove(handle.render_id)
        return True


def _render_gone(exc: ApiError) -> bool:
    """A stored render the API refuses to report on (404, 410, other plain 4xx) will never come back."""
    if isinstance(exc, (TokenExpiredError, ExportBlockedError, RateLimitedError)) or exc.status is None:
        return False
    return 400 <= exc.status < 500 and exc.status != 408


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Read a background export's outcome so a caller that stopped waiting leaves no unhandled error."""
    if not task.cancelled() and task.exception() is not None:
        logger.debug("a background export ended with %s", type(task.exception()).__name__)


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
