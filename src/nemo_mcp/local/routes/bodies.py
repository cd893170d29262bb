"""Request bodies, bounded as they stream: the backend may run inside the MCP server's own process.

    BodyLimit        every request: 1 MB, uploads 10 x 50 MB (+1 MB of form framing); a declared
                     Content-Length over the cap is refused unread, a chunked body when it crosses the cap
    read_json        JSON of at most 1 MB and 64 levels of nesting; malformed, not UTF-8 or too deep: 400
    CappedMultipart  each file of a form refused (4002) as soon as it passes 50 MB, before it is spooled

A refusal is a `BodyError`, answered by `build_app`'s handler in the `{code, data, message}` envelope.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nemo_mcp.config import MAX_UPLOAD_BYTES

MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_FILES_PER_REQUEST = 10
UPLOAD_PREFIX = "/api/upload-video/"
MAX_UPLOAD_BODY = MAX_FILES_PER_REQUEST * MAX_UPLOAD_BYTES + 1024 * 1024
FILE_TOO_LARGE = 4002


class BodyError(Exception):
    """A body refused: HTTP `status`, body `code`, and a message for the client."""

    def __init__(self, status: int, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code if code is not None else status
        self.message = message


async def body_refused(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyError)
    return JSONResponse({"code": exc.code, "data": None, "message": exc.message}, status_code=exc.status)


def cap_for(path: str) -> int:
    return MAX_UPLOAD_BODY if path.startswith(UPLOAD_PREFIX) else MAX_JSON_BYTES


class BodyLimit:
    """ASGI middleware: no route reads more than its cap, however the body is framed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = cap_for(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            refused = JSONResponse(_too_large(cap), status_code=413, headers={"Connection": "close"})
            await refused(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise BodyError(413, _too_large(cap)["message"])
            return message

        await self.app(scope, counted, send)


def _too_large(cap: int) -> dict[str, Any]:
    return {
        "code": 413,
        "data": None,
        "message": f"The request body is larger than {cap // (1024 * 1024)} MB.",
    }


async def read_json(request: Request) -> Any:
    """The body as JSON (None when empty); BodyError 400 when it is not JSON a client should send."""
    raw = await request.body()  # at most MAX_JSON_BYTES: BodyLimit stops anything longer
    if not raw.strip():
        return None
    if nesting(raw) > MAX_JSON_DEPTH:
        raise BodyError(400, f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BodyError(400, "The body is not valid JSON.") from None


async def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object ({} when empty); BodyError 400 for anything else."""
    value = await read_json(request)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BodyError(400, "The body must be a JSON object.")
    return value


def nesting(raw: bytes) -> int:
    """The deepest nesting of arrays and objects, strings skipped: checked before `json.loads` recurses."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


class PartTooLargeError(MultiPartException):
    pass


class CappedMultipart(MultiPartParser):
    """Starlette's multipart parser, refusing a file part as soon as it passes 50 MB."""

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._part_bytes = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._part_bytes += end - start
        if self._part_bytes > MAX_UPLOAD_BYTES:
            raise PartTooLargeError("File too large: at most 50 MB.")
        super().on_part_data(data, start, end)


__all__ = [
    "FILE_TOO_LARGE",
    "MAX_FILES_PER_REQUEST",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "BodyError",
    "BodyLimit",
    "CappedMultipart",
    "PartTooLargeError",
    "body_refused",
    "json_object",
    "nesting",
    "read_json",
]
