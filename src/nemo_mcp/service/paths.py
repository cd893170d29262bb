"""Files and folders opened once, by a path that may not change under us: what is checked is what is used.

A check on a path name proves nothing about the next open of that name: a symlink, a FIFO or a bigger file
can be put in its place in between. So an upload opens its file once and keeps the handle: the checks read
that handle, and the upload streams from it, never past the size that was checked. An export opens its
folder the same way and creates the MP4 relative to that folder's handle.

`open_no_follow` walks an already-resolved absolute path one component at a time without following any
symlink (`O_NOFOLLOW` on each step): a resolved path holds no links, so meeting one means the path changed
after it was checked, and the open fails instead of going where the link points. The last step opens
with `O_NONBLOCK`: a FIFO or a device put in place of a file never blocks the open.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import threading
from pathlib import Path

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
# Where `openat` is missing (Windows), the path is opened whole: links there are rare and need privileges.
_WALKS = os.open in os.supports_dir_fd and bool(_NOFOLLOW and _DIRECTORY)


class PathChangedError(OSError):
    """The path led through a link or to something else than it did when it was checked."""


def open_no_follow(path: Path, *, directory: bool = False) -> int:
    """A descriptor for the resolved absolute `path`, reached without following a single symlink.

    A file is opened read-only and non-blocking; a folder with `O_DIRECTORY`. Raises PathChangedError
    when a component is now a symlink (or not a folder), OSError for anything else (missing, denied).
    """
    last = os.O_RDONLY | _CLOEXEC | _BINARY | (_DIRECTORY if directory else _NONBLOCK)
    if not _WALKS:
        return os.open(path, last)
    step = os.O_RDONLY | _CLOEXEC | _DIRECTORY | _NOFOLLOW
    parts = path.parts
    fd = os.open(parts[0], os.O_RDONLY | _CLOEXEC | _DIRECTORY)
    try:
        for name in parts[1:-1]:
            following = _open_at(name, step, fd)
            os.close(fd)
            fd = following
        return _open_at(parts[-1], last | _NOFOLLOW, fd) if len(parts) > 1 else os.dup(fd)
    finally:
        os.close(fd)


def _open_at(name: str, flags: int, folder: int) -> int:
    try:
        return os.open(name, flags, dir_fd=folder)
    except OSError as exc:
        # ELOOP: a symlink where a file or folder was (EMLINK on BSD); ENOTDIR: no folder where one was.
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR):
            raise PathChangedError(exc.errno, f"{name!r} is no longer what was checked") from None
        raise


class OpenedFile:
    """A regular file held open: read by offset, never past `size` (the size its checks saw).

    Reads are `pread`s, so several readers (the type check, the upload) each start at 0 and none moves
    the others. A file that shrank below `size` is an error when the reader reaches the missing part.
    """

    def __init__(self, fd: int, size: int, name: str) -> None:
        self.fd = fd
        self.size = size
        self.name = name
        self._lock = threading.Lock()  # only for systems without pread (one shared offset)

    @classmethod
    def open(cls, path: Path) -> OpenedFile:
        """Open the resolved `path` as a regular file; PathChangedError / OSError otherwise."""
        fd = open_no_follow(path)
        try:
            info = os.fstat(fd)
        except BaseException:
            os.close(fd)
            raise
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise PathChangedError(0, f"{path.name!r} is not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: ordinary blocking reads from here on
        return cls(fd, info.st_size, path.name)

    def read_at(self, offset: int, count: int) -> bytes:
        count = max(0, min(count, self.size - offset))
        if count == 0:
            return b""
        if hasattr(os, "pread"):
            data = os.pread(self.fd, count, offset)
        else:  # pragma: no cover  # Windows
            with self._lock:
                os.lseek(self.fd, offset, os.SEEK_SET)
                data = os.read(self.fd, count)
        if not data:
            raise OSError(f"{self.name!r} became shorter while it was being read")
        return data

    def reader(self) -> io.BufferedReader:
        """A new file-like view from the start, buffered: what Pillow and PyAV read."""
        return io.BufferedReader(CappedReader(self), buffer_size=64 * 1024)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def __enter__(self) -> OpenedFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class CappedReader(io.RawIOBase):
    """A seekable, read-only view of an OpenedFile that ends at its checked size."""

    def __init__(self, opened: OpenedFile) -> None:
        super().__init__()
        self._file = opened
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._file.read_at(self._pos, len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._file.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        # The descriptor belongs to the OpenedFile: closing one view leaves the others readable.
        super().close()


__all__ = ["CappedReader", "OpenedFile", "PathChangedError", "open_no_follow"]
