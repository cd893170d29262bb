"""Renders on the backend: submit, remember, poll with backoff, download atomically (contract §5).

The id of a running render is written to `render_handles_dir` before it is submitted, so a process that
dies while it runs leaves a handle a new process resumes instead of starting another (the render lives on
the backend and would otherwise be orphaned). The handle is removed once the file is delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nemo_mcp.api.client import NemoClient
from nemo_mcp.api.http import RETRYABLE_STATUSES
from nemo_mcp.api.wire import RenderStatus
from nemo_mcp.errors import (
    ApiError,
    ConnectionFailedError,
    ExportBlockedError,
    NemoError,
    NoCreditsError,
    RateLimitedError,
    RenderFailedError,
    RenderStillRunningError,
    SessionGoneError,
    TokenExpiredError,
)
from nemo_mcp.files import write_private
from nemo_mcp.service.progress import ProgressReporter

logger = logging.getLogger(__name__)

POLL_FIRST_S = 2.0
POLL_FACTOR = 1.5
POLL_MAX_S = 15.0
RENDER_TIMEOUT_S = 30 * 60.0
DOWNLOAD_CHUNK = 256 * 1024


@dataclass(frozen=True)
class PollPolicy:
    """How to wait for a render: first interval, growth, cap, and the total budget (all seconds)."""

    first_s: float = POLL_FIRST_S
    factor: float = POLL_FACTOR
    max_s: float = POLL_MAX_S
    timeout_s: float = RENDER_TIMEOUT_S


# The embedded backend renders on this machine in 1-3 s and answers a poll over loopback in about a
# millisecond: the cloud's first wait of 2 s would be most of an export (the first poll, right after the
# submit, usually finds the render still pending). 0.1 s growing by half to 1 s: at most ~20 polls for a
# 10 s render. The cloud keeps 2 s growing to 15 s (contract §5).
LOCAL_POLL = PollPolicy(first_s=0.1, factor=1.5, max_s=1.0)


@dataclass(frozen=True)
class RenderHandle:
    render_id: str
    session_id: str
    # Settings.scope of the backend the render runs on (its URL, or the local backend's data folder).
    backend: str
    output_dir: str
    created_at: float


def new_render_id() -> str:
    return f"render_{uuid.uuid4().hex}"


class RenderHandleStore:
    """One JSON file per running render in `render_handles_dir`; the file work runs in a worker thread."""

    def __init__(self, folder: Path) -> None:
        self._dir = folder

    async def save(self, handle: RenderHandle) -> None:
        await asyncio.to_thread(self._save, handle)

    async def remove(self, render_id: str) -> None:
        await asyncio.to_thread(self._remove, render_id)

    async def find(self, session_id: str, backend: str) -> RenderHandle | None:
        """The newest stored render of this session on this backend, if any."""
        return await asyncio.to_thread(self._find, session_id, backend)

    def _save(self, handle: RenderHandle) -> None:
        try:
            write_private(self._dir / f"{handle.render_id}.json", json.dumps(asdict(handle)))
        except OSError as exc:  # the render still works; only a restart could not resume it
            logger.warning("could not store the render handle in %s (%s)", self._dir, exc.strerror)

    def _remove(self, render_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self._dir / f"{render_id}.json").unlink()

    def _find(self, session_id: str, backend: str) -> RenderHandle | None:
        found: list[RenderHandle] = []
        try:
            paths = list(self._dir.glob("render_*.json"))
        except OSError:
            return None
        for path in paths:
            try:
                raw: Any = json.loads(path.read_text(encoding="utf-8"))
                handle = RenderHandle(**raw)
            except (OSError, ValueError, TypeError):
                logger.warning("ignoring an unreadable render handle %s", path.name)
                continue
            if handle.session_id == session_id and handle.backend == backend:
                found.append(handle)
        return max(found, key=lambda h: h.created_at) if found else None


async def submit(
    client: NemoClient, store: RenderHandleStore, session_id: str, draft: dict[str, Any], output_dir: Path
) -> RenderHandle:
    """Submit the draft with a fresh id; on a failed submit (or a duplicate id) once more with a new id."""
    last: NemoError | None = None
    for attempt in (1, 2):
        handle = RenderHandle(new_render_id(), session_id, client.scope, str(output_dir), time.time())
        await store.save(handle)  # before sending: a crash right after the submit still leaves the id behind
        try:
            status = await client.submit_render(handle.render_id, session_id, draft)
        except (ApiError, ConnectionFailedError) as exc:
            await store.remove(handle.render_id)
            if isinstance(exc, ApiError) and not _submit_retryable(exc):
                raise
            logger.info("render submit failed (%s); attempt %d of 2", type(exc).__name__, attempt)
            last = exc
            continue
        if status.finished_badly:
            await store.remove(handle.render_id)
            last = RenderFailedError(failed_text(status))
            logger.info("render submit answered %s; attempt %d of 2", status.phase, attempt)
            continue
        if status.render_id and status.render_id != handle.render_id:
            # The API chose its own id: that is the one to poll and remember.
            await store.remove(handle.render_id)
            handle = RenderHandle(
                status.render_id, session_id, client.scope, str(output_dir), handle.created_at
            )
            await store.save(handle)
        return handle
    raise RenderFailedError(
        f"The export could not be started (tried twice; last answer: {last.message if last else 'none'})",
        hint=last.hint if last and last.hint else None,
    )


def _submit_retryable(exc: ApiError) -> bool:
    # Auth and rate limits were already handled by the client; the plan, the credits and a lost
    # session will not change by asking again. Anything else (5xx, 409 duplicate id, a body
    # saying no) gets one more try with a new id.
    return not isinstance(exc, (ExportBlockedError, NoCreditsError, SessionGoneError, TokenExpiredError))


async def wait(
    client: NemoClient, handle: RenderHandle, policy: PollPolicy, report: ProgressReporter
) -> RenderStatus:
    """Poll until the render is delivered. Rides out 408/429/5xx and network errors; stops on other 4xx."""
    deadline = time.monotonic() + policy.timeout_s
    interval = policy.first_s
    while True:
        try:
            status = await client.render_status(handle.render_id)
        except (ConnectionFailedError, RateLimitedError) as exc:
            logger.info("render poll: %s; polling again", type(exc).__name__)
        except ApiError as exc:
            if exc.status not in RETRYABLE_STATUSES:
                raise
            logger.info("render poll: HTTP %s; polling again", exc.status)
        else:
            if status.finished_badly:
                raise RenderFailedError(failed_text(status))
            if status.delivered:
                return status
            await report(f"rendering {status.progress:.0f}%", status.progress / 100)
        if time.monotonic() + interval > deadline:
            raise RenderStillRunningError(
                f"The export did not finish within {policy.timeout_s / 60:.0f} minutes."
            )
        await asyncio.sleep(interval)
        interval = min(interval * policy.factor, policy.max_s)


def failed_text(status: RenderStatus) -> str:
    if status.phase == "cancelled" or "cancel" in (status.error or "").lower():
        return "The export was cancelled."
    reason = (status.error or "").rstrip(". ")
    return f"The export failed: {reason}." if reason else "The export failed on the NemoVideo side."


async def download(client: NemoClient, handle: RenderHandle, status: RenderStatus, dest: Path) -> int:
    """Fetch the video into `dest` atomically: from the output URL, else the API's download endpoint.

    Returns the size in bytes. A cut-off or non-video download never appears under `dest`.
    """
    sources = [u for u in (status.output_url, client.fallback_download_path(handle.render_id)) if u]
    last: NemoError | None = None
    for source in sources:
        try:
            return await _fetch(client, source, dest)
        except NemoError as exc:
            logger.info(
                "download from %s failed: %s",
                "the output URL" if source != sources[-1] else "the API",
                exc.message,
            )
            last = exc
    raise RenderFailedError(
        "The video was rendered but could not be downloaded.",
        hint=f"Call export again to retry the download{f' ({last.message})' if last else ''}.",
    )


async def _fetch(client: NemoClient, source: str, dest: Path) -> int:
    # httpx raises when a body with a Content-Length or chunked framing ends early: a cut-off download fails.
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        return await _fetch_into(client, source, dest, tmp)
    except OSError as exc:
        raise RenderFailedError(
            f"Could not write the video to {str(dest.parent)!r} ({exc.strerror})."
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


async def _fetch_into(client: NemoClient, source: str, dest: Path, tmp: Path) -> int:
    dest.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    async with client.download(source) as response:
        with tmp.open("wb") as fh:
            async for chunk in response.aiter_bytes(DOWNLOAD_CHUNK):
                fh.write(chunk)  # into the page cache: the wait for the disk is fsync's, off the loop
                size += len(chunk)
            fh.flush()
            await asyncio.to_thread(os.fsync, fh.fileno())
    await asyncio.to_thread(_place, tmp, dest)
    return size


def _place(tmp: Path, dest: Path) -> None:
    with tmp.open("rb") as fh:
        head = fh.read(12)
    if len(head) < 12 or head[4:8] != b"ftyp":
        raise RenderFailedError("The download is not an MP4 video.")
    tmp.replace(dest)
