"""Uploads: check every local file and link first, then send them into a session, keeping input order.

On 1002 the files go to a new session and `notice` says that earlier uploads are gone.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

from nemo_mcp.errors import InputError, SessionGoneError
from nemo_mcp.service.media import MediaFile, check_file, check_url, is_url, resolve_path
from nemo_mcp.service.models import UploadedFile, UploadOutcome
from nemo_mcp.service.progress import ProgressReporter, ProgressSink
from nemo_mcp.service.session_store import KnownSession
from nemo_mcp.service.sessions import Workspace
from nemo_mcp.service.text import format_size

_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


class Uploads:
    """Local files and links into a session; every source is checked before anything is sent."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    async def upload(
        self,
        sources: Sequence[str],
        session_id: str | None = None,
        progress: ProgressSink | None = None,
        *,
        new_session: bool = False,
    ) -> UploadOutcome:
        """Upload local paths (checked: allowed folders, type by content, 50 MB) and/or http(s) URLs.

        Every source is checked before anything is sent; with `new_session` the fresh session is made
        only once they all passed. On 1002 the files go to a new session and `notice` says that earlier
        uploads are gone.
        """
        ws = self._ws
        report = ws.reporter(progress)
        files, urls, order = await _checked(ws, sources)
        if new_session:
            session_id = await ws.new_session()
        record = await ws.resolve(session_id, create=True)
        notice = None
        try:
            uploaded = await _upload_to(ws, record, files, urls, report)
        except SessionGoneError:
            old = record
            record = await ws.replace(old)
            notice = (
                f"NemoVideo no longer knew session {old.session_id}, so these files went to a new session "
                f"{record.session_id}. Earlier uploads are gone: upload them again if you need them."
            )
            uploaded = await _upload_to(ws, record, files, urls, report)
        await ws.sessions.touch(record.session_id)
        from_files, from_urls = iter(uploaded[: len(files)]), iter(uploaded[len(files) :])
        ordered = [next(from_files) if is_file else next(from_urls) for is_file in order]
        return UploadOutcome(session_id=record.session_id, files=ordered, notice=notice)


async def _checked(ws: Workspace, sources: Sequence[str]) -> tuple[list[MediaFile], list[str], list[bool]]:
    """Every source checked: (local files, URLs, and for each source in order whether it is a file)."""
    items = [sources] if isinstance(sources, str) else list(sources)
    if not items:
        raise InputError("Nothing to upload: give a file path or an http(s) URL.")
    files: list[MediaFile] = []
    urls: list[str] = []
    order: list[bool] = []  # True: the next local file, False: the next URL (answers keep input order)
    for source in items:
        if not isinstance(source, str) or not source.strip():
            raise InputError("Each upload source must be a file path or an http(s) URL.")
        if is_url(source) or (_URL_SCHEME.match(source.strip()) and not _is_local_ref(source)):
            urls.append(check_url(source))
            order.append(False)
        else:
            path = resolve_path(source, ws.settings.allowed_dirs)
            files.append(await asyncio.to_thread(check_file, path))
            order.append(True)
    return files, urls, order


async def _upload_to(
    ws: Workspace, record: KnownSession, files: list[MediaFile], urls: list[str], report: ProgressReporter
) -> list[UploadedFile]:
    out: list[UploadedFile] = []
    if files:
        total = sum(f.size_bytes for f in files)
        names = ", ".join(f.name for f in files[:3]) + (" …" if len(files) > 3 else "")
        await report(f"uploading {names} ({format_size(total)})", 0.05)
        answer = await ws.client.upload_files(record.session_id, [(f.path, f.name, f.mime) for f in files])
        for i, local in enumerate(files):
            wire = answer.files[i] if i < len(answer.files) else None
            out.append(
                UploadedFile(
                    filename=(wire.filename if wire and wire.filename else local.name),
                    file_type=_file_type(wire.file_type if wire else None, local.kind),
                    url=wire.cdn_url if wire else None,
                    size_bytes=local.size_bytes,
                    width=(wire.width if wire and wire.width else local.width),
                    height=(wire.height if wire and wire.height else local.height),
                    duration_s=(wire.duration if wire and wire.duration else None),
                )
            )
    if urls:
        await report(f"asking NemoVideo to fetch {len(urls)} link(s)", 0.5)
        answer = await ws.client.upload_urls(record.session_id, urls)
        for i, url in enumerate(urls):
            wire = answer.files[i] if i < len(answer.files) else None
            name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or url
            out.append(
                UploadedFile(
                    filename=(wire.filename if wire and wire.filename else name)[:200],
                    file_type=_file_type(wire.file_type if wire else None, None),
                    url=(wire.cdn_url if wire and wire.cdn_url else url),
                    size_bytes=wire.size if wire else None,
                    width=wire.width if wire else None,
                    height=wire.height if wire else None,
                    duration_s=wire.duration if wire and wire.duration else None,
                )
            )
    await report("upload finished", 1.0)
    return out


def _is_local_ref(source: str) -> bool:
    text = source.strip()
    return text.lower().startswith("file:") or bool(re.match(r"^[A-Za-z]:[\\/]", text))


def _file_type(wire: str | None, local: str | None) -> Any:
    value = (wire or local or "").lower()
    for kind in ("image", "video", "audio"):
        if value.startswith(kind):
            return kind
    return local if local in ("image", "video", "audio") else "other"
