"""What may be uploaded: files inside the allowed folders, of an accepted type by content, at most 50 MB.

Every check runs before anything is sent. Containment is decided on real paths (symlinks resolved,
compared component by component, never by string prefix); hidden folders such as `~/.ssh` are never
allowed; only regular files pass (no directories, devices or pipes). The type comes from the content
(magic bytes; images are opened with Pillow, audio and video decoded with PyAV), never from the extension.
The file is opened once and every check reads that handle; the upload sends from it (`open_checked`).
"""

from __future__ import annotations

import os
import re
import stat
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal
from urllib.parse import unquote, urlsplit

from nemo_mcp.config import MAX_UPLOAD_BYTES
from nemo_mcp.errors import (
    FileTooLargeError,
    InputError,
    PathNotAllowedError,
    UnsupportedFileError,
)
from nemo_mcp.service.paths import OpenedFile, PathChangedError
from nemo_mcp.service.probe import NotMediaError, probe_av
from nemo_mcp.service.text import quoted, quoted_path

MAX_IMAGE_PIXELS = 120_000_000
# Images up to this many pixels are decoded fully to catch truncation; larger ones are checked structurally.
FULL_DECODE_PIXELS = 4_000_000
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")

MediaKind = Literal["image", "video", "audio"]


@dataclass(frozen=True)
class MediaFile:
    """A local file that passed every check."""

    path: Path
    name: str
    kind: MediaKind
    mime: str
    size_bytes: int
    width: int | None = None
    height: int | None = None


def is_url(source: str) -> bool:
    return urlsplit(source.strip()).scheme.lower() in ("http", "https")


def check_url(source: str) -> str:
    """An http(s) URL with a host; anything else (ftp:, javascript:, data:, file:) is refused."""
    text = source.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"{quoted(text)} is not an http(s) URL.",
            hint="Give an http:// or https:// link, or a local file path.",
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise InputError("The URL contains spaces or control characters.", hint="Encode spaces as %20.")
    return text


def resolve_path(raw: str, allowed_dirs: tuple[Path, ...]) -> Path:
    """The real path of `raw` if it is a regular file inside an allowed folder, else a clear error.

    Relative paths resolve against the first allowed folder; `~` is the home folder; Windows-style
    separators are accepted for relative paths on POSIX; a Windows drive, UNC or backslash-rooted path
    is refused on POSIX with a message that says so.
    """
    text = raw.strip().strip('"').strip("'")
    if not text:
        raise InputError("No file path was given.")
    if "\x00" in text:
        raise PathNotAllowedError("The path contains a NUL character.")
    if text.lower().startswith("file://"):
        text = unquote(urlsplit(text).path)
    if not allowed_dirs:
        raise PathNotAllowedError("No folders are allowed for uploads.")
    # Drive letters, UNC shares (\\server\share) and backslash-rooted paths only mean something on Windows.
    windows_only = _WINDOWS_DRIVE.match(text) or (text.startswith("\\") and not Path(text).exists())
    if os.name != "nt" and windows_only:
        raise PathNotAllowedError(
            f"{quoted_path(raw.strip())} is a Windows path, but nemo-mcp runs on {os.uname().sysname}.",
            hint="Give the path as this machine sees it, e.g. /home/you/Pictures/photo.png.",
        )
    path = Path(text).expanduser()
    if os.name != "nt" and "\\" in text and not path.exists():
        path = Path(PurePosixPath(*PureWindowsPath(text).parts)).expanduser()
    if not path.is_absolute():
        path = allowed_dirs[0] / path

    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise InputError(
            f"No file at {quoted_path(str(path))}.",
            hint="Check the path; relative paths start in " + str(allowed_dirs[0]),
        ) from None
    except (OSError, RuntimeError):
        raise PathNotAllowedError(
            f"Cannot resolve {quoted_path(str(path))} (a symlink loop or an unreadable folder)."
        ) from None

    root = _containing_root(real, allowed_dirs)
    if root is None:
        raise PathNotAllowedError(f"{quoted_path(str(path))} is outside the folders nemo-mcp may read.")
    hidden = [part for part in real.relative_to(root).parts if part.startswith(".")]
    if hidden:
        raise PathNotAllowedError(
            f"{quoted_path(str(path))} is inside a hidden folder or is a hidden file ({hidden[0]}); those are never uploaded."
        )
    try:
        info = real.stat()
    except OSError:
        raise PathNotAllowedError(f"Cannot read {quoted_path(str(path))}.") from None
    if not stat.S_ISREG(info.st_mode):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise PathNotAllowedError(
            f"{quoted_path(str(path))} is {what}.", hint="Give the path of an image, video or audio file."
        )
    return real


def _containing_root(real: Path, allowed_dirs: tuple[Path, ...]) -> Path | None:
    for folder in allowed_dirs:
        try:
            root = folder.expanduser().resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if real == root or real.is_relative_to(root):
            return root
    return None


def check_file(path: Path, name: str | None = None) -> MediaFile:
    """Size and type by content; raises FileTooLargeError / UnsupportedFileError / InputError.

    Opens the file once and checks that handle (see `open_checked`), then closes it again.
    """
    opened, media = open_checked(path, name)
    opened.close()
    return media


def open_checked(path: Path, name: str | None = None) -> tuple[OpenedFile, MediaFile]:
    """The resolved `path` opened once (no link followed, no blocking on a pipe) and checked through that
    handle: regular file, size, type by content, a real decode. Send from the handle, never the name.

    The caller closes the OpenedFile. Blocking: run it in a worker thread.
    """
    display = name or path.name
    try:
        opened = OpenedFile.open(path)
    except PathChangedError:
        raise PathNotAllowedError(
            f"{quoted(display)} changed while it was being checked: a link, a pipe or a device is in its "
            "place now. Nothing was sent.",
            hint="Give the path of an ordinary image, video or audio file.",
        ) from None
    except PermissionError:
        raise PathNotAllowedError(f"{quoted(display)} cannot be read (permission denied).") from None
    except OSError as exc:
        raise InputError(f"{quoted(display)} cannot be read ({exc.strerror}).") from None
    try:
        return opened, _check_opened(opened, path, display)
    except BaseException:
        opened.close()
        raise


def _check_opened(opened: OpenedFile, path: Path, display: str) -> MediaFile:
    size = opened.size
    if size == 0:
        raise UnsupportedFileError(f"{quoted(display)} is empty.")
    if size > MAX_UPLOAD_BYTES:
        raise FileTooLargeError(f"{quoted(display)} is {size / 1024 / 1024:.1f} MB; the limit is 50 MB.")
    try:
        head = opened.read_at(0, 64)
    except OSError as exc:
        raise InputError(f"{quoted(display)} cannot be read ({exc.strerror or exc}).") from None
    sniffed = sniff(head)
    if sniffed is None:
        raise UnsupportedFileError(
            f"{quoted(display)} is not an image, video or audio file nemo-mcp can upload."
        )
    kind, mime = sniffed
    width = height = None
    if kind == "image":
        width, height = _check_image(opened, display, mime)
    else:
        try:
            facts = probe_av(opened.reader())
        except NotMediaError as exc:
            raise UnsupportedFileError(
                f"{quoted(display)} is not a video or audio file nemo-mcp can upload: {exc}."
            ) from None
        kind, width, height = facts.kind, facts.width, facts.height
    return MediaFile(path, display, kind, mime, size, width, height)


def sniff(head: bytes) -> tuple[MediaKind, str] | None:
    """(kind, MIME type) from the first bytes of a file, or None when it is not an accepted type."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image", "image/gif"
    if head.startswith(b"BM") and len(head) >= 26:
        return "image", "image/bmp"
    if head.startswith(b"RIFF") and len(head) >= 12:
        form = head[8:12]
        if form == b"WEBP":
            return "image", "image/webp"
        if form == b"WAVE":
            return "audio", "audio/wav"
        if form == b"AVI ":
            return "video", "video/x-msvideo"
        return None
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio", "audio/mp4"
        if brand == b"qt  ":
            return "video", "video/quicktime"
        return "video", "video/mp4"
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "video", "video/quicktime"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return ("video", "video/webm") if b"webm" in head else ("video", "video/x-matroska")
    if head.startswith(b"ID3"):
        return "audio", "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: sync word, layer 00
            return "audio", "audio/aac"
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0:  # MPEG audio frame sync with a layer
            return "audio", "audio/mpeg"
    return None


def _check_image(opened: OpenedFile, display: str, mime: str) -> tuple[int, int]:
    from PIL import Image

    damaged = UnsupportedFileError(
        f"{quoted(display)} looks like an image but is damaged or truncated.",
        hint="Export it again and retry.",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about large images; our own limit applies below
        try:
            with Image.open(opened.reader()) as img:
                width, height = img.size
        except Image.DecompressionBombError:
            raise UnsupportedFileError(
                f"{quoted(display)} has far more pixels than nemo-mcp accepts (120 megapixels).",
                hint="Resize it (e.g. to 4000 pixels wide) and upload it again.",
            ) from None
        except Exception:  # Pillow raises many types for broken files
            raise damaged from None
        if width <= 0 or height <= 0:
            raise UnsupportedFileError(f"{quoted(display)} has no pixels.")
        if width * height > MAX_IMAGE_PIXELS:
            raise UnsupportedFileError(
                f"{quoted(display)} has {width}x{height} pixels, more than nemo-mcp accepts (120 megapixels).",
                hint="Resize it (e.g. to 4000 pixels wide) and upload it again.",
            )
        try:
            with Image.open(opened.reader()) as img:
                img.verify()
            with Image.open(opened.reader()) as img:
                if width * height <= FULL_DECODE_PIXELS:
                    img.load()
                elif mime == "image/jpeg":
                    img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    img.load()
        except Exception:
            raise damaged from None
    return width, height


@dataclass(frozen=True)
class VideoFacts:
    duration_s: float | None
    width: int | None
    height: int | None


def probe_mp4(path: Path) -> VideoFacts | None:
    """Duration and size from an MP4's boxes (mvhd, tkhd), or None if the file is not an MP4."""
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[4:8] != b"ftyp":
                return None
            fh.seek(0)
            facts = _walk(fh, os.fstat(fh.fileno()).st_size, depth=0)
    except (OSError, struct.error, ValueError):
        return None
    return VideoFacts(*facts)


def _walk(fh: object, end: int, depth: int) -> tuple[float | None, int | None, int | None]:
    import io

    assert isinstance(fh, io.BufferedReader)
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    while fh.tell() + 8 <= end:
        start = fh.tell()
        size, kind = struct.unpack(">I4s", fh.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", fh.read(8))[0]
            header = 16
        elif size == 0:
            size = end - start
        if size < header or start + size > end:
            break
        if kind in (b"moov", b"trak") and depth < 4:
            d, w, h = _walk(fh, start + size, depth + 1)
            duration = duration or d
            if w and h and not width:
                width, height = w, h
        elif kind == b"mvhd":
            version = fh.read(1)[0]
            fh.read(3)
            if version == 1:
                _, _, scale, length = struct.unpack(">QQIQ", fh.read(28))
            else:
                _, _, scale, length = struct.unpack(">IIII", fh.read(16))
            duration = length / scale if scale else None
        elif kind == b"tkhd":
            version = fh.read(1)[0]
            fh.read(3)
            fh.read(32 if version == 1 else 20)  # times, track id, reserved, duration
            fh.read(8 + 2 + 2 + 2 + 2 + 36)  # reserved, layer, group, volume, reserved, matrix
            w, h = struct.unpack(">II", fh.read(8))
            if w >> 16 and h >> 16:
                width, height = w >> 16, h >> 16
        fh.seek(start + size)
    return duration, width, height
