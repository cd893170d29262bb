"""Uploads: check every local file and link first, then send them into a session, keeping input order.

On 1002 the files go to a new session and `notice` says that earlier uploads are gone.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from nemo_mcp.api.multipart import FilePart
from nemo_mcp.errors import InputError, SessionGoneError
from nemo_mcp.service.media import MediaFile, check_url, is_url, open_checked, resolve_path
from nemo_mcp.service.models import UploadedFile, UploadOutcome
from nemo_mcp.service.paths import OpenedFile
from nemo_mcp.service.progress import ProgressReporter, ProgressSink
from nemo_mcp.service.session_store import KnownSession
from nemo_mcp.service.sessions import Workspace
from nemo_mcp.service.text import format_size, one_line, quoted

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
        with ExitStack() as held:  # the checked files stay open until they are sent
            return await self._upload(held, sources, session_id, progress, new_session=new_session)

    async def _upload(
        self,
        held: ExitStack,
        sources: Sequence[str],
        session_id: str | None,
        progress: ProgressSink | None,
        *,
        new_session: bool,
    ) -> UploadOutcome:
        ws = self._ws
        report = ws.reporter(progress)
        files, urls, order = await _checked(ws, sources, held)
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
        if ws.settings.embedded:  # the embedded backend's file URLs die with its port
            uploaded = [item.model_copy(update={"url": None}) for item in uploaded]
        await ws.sessions.touch(record.session_id)
        from_files, from_urls = iter(uploaded[: len(files)]), iter(uploaded[len(files) :])
        ordered = [next(from_files) if is_file else next(from_urls) for is_file in order]
        return UploadOutcome(session_id=record.session_id, files=ordered, notice=notice)


Checked = tuple[list[tuple[MediaFile, OpenedFile]], list[str], list[bool]]


async def _checked(ws: Workspace, sources: Sequence[str], held: ExitStack) -> Checked:
    """Every source checked: (local files with their open handles, URLs, and for each source in order
    whether it is a file). Each handle goes on `held`, which closes it."""
    items = [sources] if isinstance(sources, str) else list(sources)
    if not items:
        raise InputError("Nothing to upload: give a file path or an http(s) URL.")
    files: list[tuple[MediaFile, OpenedFile]] = []
    urls: list[str] = []
    order: list[bool] = []  # True: the next local file, False: the next URL (answers keep input order)
    for source in items:
        if not isinstance(source, str) or not source.strip():
            raise InputError("Each upload source must be a file path or an http(s) URL.")
        if is_url(source) or (_URL_SCHEME.match(source.strip()) and not _is_local_ref(source)):
            urls.append(check_url(source))
            order.append(False)
        else:
            path = await asyncio.to_thread(resolve_path, source, ws.settings.allowed_dirs)
            opened, media = await asyncio.to_thread(open_checked, path)
            held.callback(opened.close)
            files.append((media, opened))
            order.append(True)
    return files, urls, order


async def _upload_to(
    ws: Workspace,
    record: KnownSession,
    checked: list[tuple[MediaFile, OpenedFile]],
    urls: list[str],
    report: ProgressReporter,
) -> list[UploadedFile]:
    out: list[UploadedFile] = []
    files = [media for media, _ in checked]
    if files:
        total = sum(f.size_bytes for f in files)
        names = ", ".join(quoted(f.name, 40) for f in files[:3]) + (" …" if len(files) > 3 else "")
        await report(f"uploading {names} ({format_size(total)})", 0.05)
        parts = [FilePart(media.name, media.mime, opened.size, opened.read_at) for media, opened in checked]
        answer = await ws.client.upload_files(record.session_id, parts)
        for i, local in enumerate(files):
            wire = answer.files[i] if i < len(answer.files) else None
            out.append(
                UploadedFile(
                    filename=one_line(
                        ws.client.redact(wire.filename if wire and wire.filename else local.name), 200
                    ),
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
                    filename=one_line(
                        ws.client.redact(wire.filename if wire and wire.filename else name), 200
                    ),
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
