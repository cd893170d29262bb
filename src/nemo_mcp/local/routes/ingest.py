"""Uploads: multipart files or URLs the backend fetches itself, checked by content, at most 50 MB each.

A file is accepted when its first bytes are those of an accepted type (the magic numbers below) and the
renderer's `probe_media` can read it; the stored copy is named by its sha256 so that nothing a client
sends ends up in a path unchanged.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urljoin, urlsplit

import anyio
import anyio.to_thread
import httpx
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from nemo_mcp.addresses import is_public
from nemo_mcp.config import MAX_UPLOAD_BYTES
from nemo_mcp.local.context import BackendContext
from nemo_mcp.local.records import FileType, SessionRecord, UploadRecord
from nemo_mcp.local.routes.bodies import (
    MAX_FILES_PER_REQUEST,
    BodyError,
    CappedMultipart,
    PartTooLargeError,
    read_json,
)
from nemo_mcp.local.routes.guards import (
    FILE_TOO_LARGE,
    SESSION_NOT_FOUND,
    UNSUPPORTED_FILE,
    URL_REFUSED,
    begin,
    context_of,
    fail,
    ok,
    path_session,
)
from nemo_mcp.local.store import private_folder, safe_filename

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
URL_TIMEOUT_S = 30.0
_CHUNK = 1024 * 1024


class UploadRefusedError(Exception):
    """One file is refused: `code` is the body code to answer with."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def sniff(head: bytes) -> tuple[FileType, str] | None:
    """The kind and format named by a file's first bytes, or None when it is no accepted type."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image", "gif"
    if head.startswith(b"BM") and len(head) >= 26:
        return "image", "bmp"
    if head.startswith(b"RIFF") and len(head) >= 12:
        kind = head[8:12]
        if kind == b"WEBP":
            return "image", "webp"
        if kind == b"WAVE":
            return "audio", "wav"
        if kind == b"AVI ":
            return "video", "avi"
        return None
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio", "m4a"
        return "video", "mov" if brand == b"qt  " else "mp4"
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "video", "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video", "webm"
    if head.startswith(b"ID3"):
        return "audio", "mp3"
    if len(head) >= 2 and head[0] == 0xFF:
        second = head[1]
        if second & 0xF6 == 0xF0:  # ADTS: sync, layer 00
            return "audio", "aac"
        if second & 0xE0 == 0xE0 and (second >> 1) & 0x3 != 0:  # MPEG audio frame, layer I-III
            return "audio", "mp3"
    return None


@dataclass
class _Saved:
    path: Path
    sha256: str
    size: int


class _Incoming:
    """A temp file in the uploads folder that hashes what it gets and refuses (4002) past 50 MB."""

    def __init__(self, folder: Path) -> None:
        private_folder(folder)
        self.path = folder / f".incoming-{secrets.token_hex(8)}"
        # 0600 from the start: the photo stays private, under this name and under its final one.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        self._handle = os.fdopen(fd, "wb")
        self._digest = hashlib.sha256()
        self._size = 0

    def write(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > MAX_UPLOAD_BYTES:
            raise UploadRefusedError(FILE_TOO_LARGE, "File too large: at most 50 MB.")
        self._digest.update(chunk)
        self._handle.write(chunk)

    def finish(self) -> _Saved:
        self._handle.close()
        return _Saved(self.path, self._digest.hexdigest(), self._size)

    def discard(self) -> None:
        self._handle.close()
        self.path.unlink(missing_ok=True)


def _copy_hashed(source: IO[bytes], folder: Path) -> _Saved:
    incoming = _Incoming(folder)
    try:
        while chunk := source.read(_CHUNK):
            incoming.write(chunk)
    except BaseException:
        incoming.discard()
        raise
    return incoming.finish()


def _accept(saved: _Saved, filename: str, folder: Path) -> UploadRecord:
    """Check the content, then keep the file under its final name. Removes the temp file either way."""
    try:
        if saved.size == 0:
            raise UploadRefusedError(UNSUPPORTED_FILE, f"{filename}: the file is empty.")
        with saved.path.open("rb") as handle:
            head = handle.read(64)
        sniffed = sniff(head)
        if sniffed is None:
            raise UploadRefusedError(UNSUPPORTED_FILE, f"{filename}: unsupported file type.")
        # The renderer loads with the first upload it probes, not with the backend (see render/spec.py).
        from nemo_mcp.local.render.clip import ImageRejectedError, probe_media

        try:
            info = probe_media(saved.path)
        except ImageRejectedError as exc:
            raise UploadRefusedError(UNSUPPORTED_FILE, f"{filename}: {exc}") from None
        name = safe_filename(filename)
        if "." not in name:
            name = f"{name}.{sniffed[1]}"
        stored = f"{saved.sha256[:16]}-{name}"
        saved.path.replace(folder / stored)
        return UploadRecord(
            filename=filename,
            stored_name=stored,
            file_type=info.file_type,
            sha256=saved.sha256,
            size=saved.size,
            width=info.width,
            height=info.height,
            duration=round(info.duration_s, 3),
            fps=info.fps,
            uploaded_at=time.time(),
        )
    finally:
        saved.path.unlink(missing_ok=True)


def file_url(ctx: BackendContext, session_id: str, stored_name: str) -> str:
    return f"{ctx.base_url}/files/uploads/{session_id}/{stored_name}"


def stored_path(ctx: BackendContext, session_id: str, name: str) -> Path | None:
    """The stored upload for a URL path, or None; names from the URL never leave the uploads folder."""
    if not session_id.isdigit() or name != safe_filename(name) or name.startswith("."):
        return None
    path = ctx.store.upload_dir(session_id) / name
    return path if path.is_file() else None


def upload_answer(ctx: BackendContext, session_id: str, record: UploadRecord) -> dict[str, Any]:
    return {
        "filename": record.filename,
        "file_type": record.file_type,
        "cdn_url": file_url(ctx, session_id, record.stored_name),
        "width": record.width,
        "height": record.height,
        "duration": record.duration,
        "fps": record.fps,
        "hash": record.sha256,
        "size": record.size,
    }


async def handle_upload(ctx: BackendContext, request: Request, session: SessionRecord) -> Response:
    folder = ctx.store.upload_dir(session.session_id)
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("multipart/form-data"):
            records = await _from_multipart(request, folder)
        elif content_type.startswith("application/json"):
            records = await _from_urls(ctx, request, folder)
        else:
            return fail(UNSUPPORTED_FILE, "Send multipart/form-data with `files`, or JSON with `urls`.")
    except UploadRefusedError as exc:
        return fail(exc.code, exc.message)
    if not records:
        return fail(UNSUPPORTED_FILE, "No files in the request: use the multipart field `files`.")
    with ctx.store.lock:
        current = ctx.store.session(session.session_id)
        assert current is not None
        current.uploads.extend(records)
        ctx.store.save_session(current)
    return ok(
        {
            "files": [upload_answer(ctx, session.session_id, r) for r in records],
            "session_state_applied": True,
        }
    )


async def _from_multipart(request: Request, folder: Path) -> list[UploadRecord]:
    records: list[UploadRecord] = []
    # Each part is spooled to a temporary file as it arrives (nothing is held whole in memory) and refused
    # as soon as it passes 50 MB; BodyLimit caps the whole request.
    parser = CappedMultipart(
        request.headers, request.stream(), max_files=MAX_FILES_PER_REQUEST, max_fields=MAX_FILES_PER_REQUEST
    )
    try:
        form = await parser.parse()
    except PartTooLargeError:
        raise UploadRefusedError(FILE_TOO_LARGE, "File too large: at most 50 MB.") from None
    except MultiPartException as exc:
        raise BodyError(400, f"The form cannot be read: {exc.message}") from None
    try:
        parts = [part for part in form.getlist("files") if isinstance(part, UploadFile)]
        for part in parts:
            saved = await anyio.to_thread.run_sync(_copy_hashed, part.file, folder)
            name = _form_filename(part.filename)
            records.append(await anyio.to_thread.run_sync(_accept, saved, name, folder))
    finally:
        await form.close()
    return records


def _form_filename(raw: str | None) -> str:
    """The name as the person wrote it: HTML5 form encoding turns `"`, CR and LF into %22, %0D and %0A."""
    if not raw:
        return "upload"
    return raw.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


async def _from_urls(ctx: BackendContext, request: Request, folder: Path) -> list[UploadRecord]:
    body = await read_json(request)  # 400 for a body that is not JSON, too big or too deep
    urls = body.get("urls") if isinstance(body, dict) else None
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise UploadRefusedError(URL_REFUSED, 'Give {"urls": ["https://..."], "source_type": "url"}.')
    if len(urls) > MAX_FILES_PER_REQUEST:
        raise UploadRefusedError(URL_REFUSED, f"At most {MAX_FILES_PER_REQUEST} URLs at once.")
    records = []
    async with httpx.AsyncClient(follow_redirects=False, timeout=URL_TIMEOUT_S, trust_env=False) as http:
        for url in urls:
            limit = ctx.options.url_fetch_timeout_s
            try:
                with anyio.fail_after(limit):
                    saved, name = await _fetch(
                        http, url, folder, allow_private=ctx.options.allow_private_urls
                    )
            except TimeoutError:
                raise UploadRefusedError(
                    URL_REFUSED, f"The URL did not finish downloading within {limit:g} s."
                ) from None
            records.append(await anyio.to_thread.run_sync(_accept, saved, name, folder))
    return records


async def _fetch(
    http: httpx.AsyncClient, url: str, folder: Path, *, allow_private: bool
) -> tuple[_Saved, str]:
    """Fetch `url` (following at most 5 redirects, each checked) into a temp file, capped at 50 MB."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        await check_url(current, allow_private=allow_private)
        try:
            async with http.stream("GET", current) as response:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                if response.status_code != 200:
                    raise UploadRefusedError(
                        URL_REFUSED, f"Fetching the URL answered HTTP {response.status_code}."
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
                    raise UploadRefusedError(FILE_TOO_LARGE, "File too large: at most 50 MB.")
                saved = await _stream_to_file(response, folder)
        except httpx.HTTPError as exc:
            raise UploadRefusedError(
                URL_REFUSED, f"The URL could not be fetched ({type(exc).__name__})."
            ) from None
        name = unquote(urlsplit(current).path.rsplit("/", 1)[-1]) or "download"
        return saved, name
    raise UploadRefusedError(URL_REFUSED, "Too many redirects.")


async def _stream_to_file(response: httpx.Response, folder: Path) -> _Saved:
    incoming = await anyio.to_thread.run_sync(_Incoming, folder)
    try:
        async for chunk in response.aiter_bytes(_CHUNK):
            await anyio.to_thread.run_sync(incoming.write, chunk)
    except BaseException:
        incoming.discard()
        raise
    return await anyio.to_thread.run_sync(incoming.finish)


async def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts that resolve to non-public addresses.

    The check is on resolution; a host that changes its answer between this check and the fetch (DNS
    rebinding) is not caught. The backend listens on loopback for one person, which bounds the harm.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UploadRefusedError(URL_REFUSED, "Only http(s) URLs can be fetched.")
    if allow_private:
        return
    host = parts.hostname
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 0, type=socket.SOCK_STREAM)
    except OSError:
        raise UploadRefusedError(URL_REFUSED, f"The host {host!r} cannot be resolved.") from None
    for info in infos:
        # IPv6 spellings of private IPv4 addresses (::a.b.c.d, NAT64, 6to4, Teredo) count as private too.
        if not is_public(str(info[4][0])):
            raise UploadRefusedError(
                URL_REFUSED,
                f"The host {host!r} is on a loopback, link-local or private address; the backend does not fetch those.",
            )


async def upload(request: Request) -> Response:
    ctx = context_of(request)
    caller = await begin(ctx, request, "upload")
    if isinstance(caller, Response):
        return caller
    record = path_session(ctx, caller, request)
    if record is None:
        return fail(SESSION_NOT_FOUND)
    return await handle_upload(ctx, request, record)


async def upload_file(request: Request) -> Response:
    # Uploaded files are served back like a CDN would: no token needed, names are unguessable.
    ctx = context_of(request)
    ctx.stats.record_request("files", request.headers)
    path = stored_path(ctx, request.path_params["sid"], request.path_params["name"])
    if path is None:
        return Response("not found", status_code=404)
    return FileResponse(path)


ROUTES: list[BaseRoute] = [
    Route("/api/upload-video/nemo_agent/{user}/{sid}", upload, methods=["POST"]),
    Route("/files/uploads/{sid}/{name}", upload_file, methods=["GET", "HEAD"]),
]

__all__ = ["ROUTES", "check_url", "file_url", "handle_upload", "sniff", "stored_path", "upload_answer"]
