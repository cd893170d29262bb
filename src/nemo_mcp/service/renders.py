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
import re
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from nemo_mcp.service.paths import PathChangedError, open_no_follow
from nemo_mcp.service.progress import ProgressReporter
from nemo_mcp.service.text import quoted, quoted_path

if sys.platform != "win32":
    import fcntl

if TYPE_CHECKING:
    from nemo_mcp.service.stores import HandleStore

logger = logging.getLogger(__name__)

POLL_FIRST_S = 2.0
POLL_FACTOR = 1.5
POLL_MAX_S = 15.0
RENDER_TIMEOUT_S = 30 * 60.0
DOWNLOAD_CHUNK = 256 * 1024
# Render ids become file names (handles, the MP4's name): one chosen by the backend must be a plain name.
RENDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
# `.nemo-<session>-<render>.mp4.<8 hex>.part`: a download in progress (or one that died).
PART_NAME = re.compile(r"^\.nemo-[A-Za-z0-9_-]+\.mp4\.[0-9a-f]{8}\.part$")


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

    def _file(self, render_id: str) -> Path:
        if not RENDER_ID.match(render_id):  # never a path: `submit` refuses such ids before this
            raise ValueError("not a render id")
        return self._dir / f"{render_id}.json"

    async def save(self, handle: RenderHandle) -> None:
        await asyncio.to_thread(self._save, handle)

    async def remove(self, render_id: str) -> None:
        await asyncio.to_thread(self._remove, render_id)

    async def find(self, session_id: str, backend: str) -> RenderHandle | None:
        """The newest stored render of this session on this backend, if any."""
        return await asyncio.to_thread(self._find, session_id, backend)

    def _save(self, handle: RenderHandle) -> None:
        try:
            write_private(self._file(handle.render_id), json.dumps(asdict(handle)))
        except OSError as exc:  # the render still works; only a restart could not resume it
            logger.warning("could not store the render handle in %s (%s)", self._dir, exc.strerror)

    def _remove(self, render_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._file(render_id).unlink()

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
            if (
                handle.session_id == session_id
                and handle.backend == backend
                and RENDER_ID.match(handle.render_id)
            ):
                found.append(handle)
        return max(found, key=lambda h: h.created_at) if found else None


async def submit(
    client: NemoClient, store: HandleStore, session_id: str, draft: dict[str, Any], output_dir: Path
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
            # The API chose its own id: that is the one to poll and remember, if it is a plain name.
            await store.remove(handle.render_id)
            if not RENDER_ID.match(status.render_id):
                raise RenderFailedError(
                    f"The NemoVideo API named the render {quoted(status.render_id, 40)}, which is not a render "
                    "id nemo-mcp accepts (ids become file names); the export was not started here.",
                    hint="This is a problem on the NemoVideo side; nothing was written.",
                )
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


async def download(
    client: NemoClient, handle: RenderHandle, status: RenderStatus, folder: Path, name: str
) -> tuple[Path, int]:
    """Fetch the video into `folder`/`name` atomically: from the output URL, else the API's endpoint.

    `folder` is the resolved folder checked when the export started. It is opened again here without
    following any link (a folder swapped for a symlink meanwhile is refused), and the file is created,
    written and renamed relative to that handle, so nothing lands outside it. Returns where the video is
    and its size. A cut-off or non-video download never appears under `name`; a `.part` file a killed
    process left in the folder is removed.
    """
    sources = [u for u in (status.output_url, client.fallback_download_path(handle.render_id)) if u]
    folder_fd = await asyncio.to_thread(_open_folder, folder)
    try:
        await asyncio.to_thread(sweep_parts, folder_fd)
        last: NemoError | None = None
        for source in sources:
            try:
                size = await _fetch(client, source, folder_fd, name, folder)
            except NemoError as exc:
                logger.info(
                    "download from %s failed: %s",
                    "the output URL" if source != sources[-1] else "the API",
                    exc.message,
                )
                last = exc
                continue
            return await asyncio.to_thread(_delivered, folder_fd, folder, name), size
    finally:
        os.close(folder_fd)
    raise RenderFailedError(
        "The video was rendered but could not be downloaded.",
        hint=f"Call export again to retry the download{f' ({last.message})' if last else ''}.",
    )


def _open_folder(folder: Path) -> int:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return open_no_follow(folder, directory=True)
    except PathChangedError:
        raise RenderFailedError(
            f"The output folder {quoted_path(str(folder))} was replaced by a link while the video rendered; "
            "nothing was written.",
            hint="Call export again with a folder that stays put; the video is not rendered again.",
        ) from None
    except OSError as exc:
        raise RenderFailedError(
            f"Could not write the video to {quoted_path(str(folder))} ({exc.strerror})."
        ) from None


async def _fetch(client: NemoClient, source: str, folder_fd: int, name: str, folder: Path) -> int:
    # httpx raises when a body with a Content-Length or chunked framing ends early: a cut-off download fails.
    part = f".{name}.{uuid.uuid4().hex[:8]}.part"
    try:
        fd = await asyncio.to_thread(_create_part, folder_fd, part)
    except OSError as exc:
        raise RenderFailedError(
            f"Could not write the video to {quoted_path(str(folder))} ({exc.strerror})."
        ) from None
    try:
        size = 0
        async with client.download(source) as response:
            async for chunk in response.aiter_bytes(DOWNLOAD_CHUNK):
                await asyncio.to_thread(_write_all, fd, chunk)
                size += len(chunk)
        head = await asyncio.to_thread(_synced_head, fd)
        if len(head) < 12 or head[4:8] != b"ftyp":
            raise RenderFailedError("The download is not an MP4 video.")
        await asyncio.to_thread(os.rename, part, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except OSError as exc:
        raise RenderFailedError(
            f"Could not write the video to {quoted_path(str(folder))} ({exc.strerror})."
        ) from None
    else:
        return size
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(part, dir_fd=folder_fd)  # before the lock goes with the descriptor
        os.close(fd)


def _create_part(folder_fd: int, part: str) -> int:
    """A new part file in the folder, locked while it is written: a sweep leaves a live download alone."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(part, flags, 0o644, dir_fd=folder_fd)
    if sys.platform != "win32":
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _write_all(fd: int, chunk: bytes) -> None:
    view = memoryview(chunk)
    while view:
        view = view[os.write(fd, view) :]


def _synced_head(fd: int) -> bytes:
    os.fsync(fd)
    return os.pread(fd, 12, 0)


def sweep_parts(folder_fd: int) -> None:
    """Remove the `.part` files of downloads that died with their process (nobody holds their lock)."""
    if sys.platform == "win32":  # no advisory locks there, so no way to tell a live download
        return
    for entry in os.listdir(folder_fd):
        if not PART_NAME.match(entry):
            continue
        try:
            fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=folder_fd)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a download in progress (this process or another) holds it
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry, dir_fd=folder_fd)
            logger.info("removed %s, left by a download that did not finish", entry)
        finally:
            os.close(fd)


def _delivered(folder_fd: int, folder: Path, name: str) -> Path:
    """Where the video is: `folder`, unless that name now leads elsewhere (the folder was moved)."""
    with contextlib.suppress(OSError):
        here, held = folder.lstat(), os.fstat(folder_fd)
        if (here.st_dev, here.st_ino) == (held.st_dev, held.st_ino):
            return folder / name
        return Path(f"/proc/self/fd/{folder_fd}").readlink() / name
    return folder / name
