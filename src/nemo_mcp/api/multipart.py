"""The multipart body of an upload, streamed from files the caller already opened and checked.

httpx's own `files=` reads a file object on the event loop and from wherever its name now points. Here
each part is read through the caller's `read(offset, count)` in a worker thread, and never past the
`size` the caller checked: a file that grew after its checks cannot send more than it was allowed to.
The body's length is known in advance, so it goes out with a Content-Length like any form upload.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

CHUNK_BYTES = 256 * 1024
# What browsers (and httpx) do to a file name in a form: the backend decodes these escapes again.
_ESCAPES = {'"': "%22", "\\": "\\\\", **{chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B}}
_ESCAPE = re.compile("|".join(re.escape(c) for c in _ESCAPES))


@dataclass(frozen=True)
class FilePart:
    """One file of a multipart upload: `read(offset, count)` gives its bytes; `size` is all it may send."""

    filename: str
    mime: str
    size: int
    read: Callable[[int, int], bytes]


@dataclass(frozen=True)
class MultipartBody:
    content_type: str
    length: int
    parts: Sequence[tuple[bytes, FilePart]]
    closing: bytes

    def stream(self) -> AsyncIterator[bytes]:
        """A fresh iterator over the whole body (a request sent again needs a new one)."""
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        for head, part in self.parts:
            yield head
            offset = 0
            while offset < part.size:
                chunk = await asyncio.to_thread(part.read, offset, min(CHUNK_BYTES, part.size - offset))
                offset += len(chunk)
                yield chunk
            yield b"\r\n"
        yield self.closing


def multipart_body(field: str, files: Sequence[FilePart]) -> MultipartBody:
    boundary = secrets.token_hex(16)
    parts = []
    for part in files:
        name = _ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], part.filename)
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            f"Content-Type: {part.mime}\r\n\r\n"
        ).encode()
        parts.append((head, part))
    closing = f"--{boundary}--\r\n".encode()
    length = sum(len(head) + part.size + 2 for head, part in parts) + len(closing)
    return MultipartBody(f"multipart/form-data; boundary={boundary}", length, parts, closing)


__all__ = ["FilePart", "MultipartBody", "multipart_body"]
