"""Open still images defensively: real format by content, size limits before decoding, reduced-size decode.

Every failure is an `ImageRejectedError` with a message a person can act on. The order matters:

1. `Image.open(path, formats=...)` reads only the header: the format is known by content, not by name.
2. The pixel count from the header is checked against our own limit *before* anything is decoded (a
   WEBP's even before Pillow opens it: libwebp sets up its whole canvas on open).
3. `verify()` checks the structure (PNG chunk CRCs, ...); the file is then reopened, because a verified
   image cannot be loaded.
4. JPEGs are decoded at reduced size with `draft()` when the caller needs fewer pixels; `load()` then
   reads every byte, which is what catches truncated files.
5. EXIF orientation is applied, and transparency is flattened onto a solid background.

Decoding is bounded in memory per image and across the process: what a decode will take is estimated
from the decoded size and format (`decode_cost`), an image over `MAX_DECODE_BYTES` is refused, and
decodes wait for their share of `DECODE_BUDGET` (a 38-byte WEBP can declare 120 MP: 1.9 GB to decode,
four at once 7.3 GB, through URL uploads too).
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
from PIL import (
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    ImageCms,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)

logger = logging.getLogger(__name__)

# Pillow's own limit (89.5 MP) only warns; a real 50 MB JPEG can be 75-100 MP, so ours is a bit higher
# and refuses instead of warning.
MAX_IMAGE_PIXELS = 120_000_000
# Formats we accept, as Pillow names them; their plugins are imported above, because `Image.open(...,
# formats=...)` only knows registered ones. (Phone JPEGs holding several pictures open as "MPO".)
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF")
_PLUGINS = (BmpImagePlugin, GifImagePlugin, JpegImagePlugin, PngImagePlugin, WebPImagePlugin)
# What transparent pixels become: videos have no alpha channel.
FLATTEN_BACKGROUND = (255, 255, 255)
# Peak bytes per decoded pixel, measured on Pillow 13: libwebp keeps two RGBA canvases besides Pillow's
# own copy; other formats decode to RGB(A) and are converted once more.
BYTES_PER_PIXEL = {"WEBP": 16}
DEFAULT_BYTES_PER_PIXEL = 9
# One image may take this much to decode (32 MP of WEBP, 56 MP of PNG; JPEGs decode reduced) ...
MAX_DECODE_BYTES = 512 * 1024 * 1024
# ... and all decodes in flight together this much: the rest wait their turn.
DECODE_BUDGET_BYTES = 768 * 1024 * 1024

_WARNINGS_LOCK = threading.Lock()
_EXIF_ORIENTATION = 0x0112
_SWAPS_AXES = {5, 6, 7, 8}


class ImageRejectedError(Exception):
    """The file is not an image we can animate (not an image, truncated, a pixel bomb, unreadable).

    Also raised for a music file that cannot be decoded. `str(error)` names the file; `reason` is the
    same message without the name, for callers that show their own name for it (an upload's original).
    """

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason if reason is not None else message

    @classmethod
    def about(cls, path: Path, reason: str) -> Self:
        return cls(f"{path.name}: {reason}", reason=reason)


class NotAnImageError(ImageRejectedError):
    """Pillow does not recognise the content as any image format we accept (it may still be audio or video)."""


class DecodeBudget:
    """Bytes of image decoding in flight in this process; a decode waits until its share is free."""

    def __init__(self, total: int) -> None:
        self._total = total
        self._used = 0
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def hold(self, amount: int) -> Iterator[None]:
        amount = min(amount, self._total)  # one that big runs alone
        with self._changed:
            self._changed.wait_for(lambda: self._used + amount <= self._total)
            self._used += amount
        try:
            yield
        finally:
            with self._changed:
                self._used -= amount
                self._changed.notify_all()


# Process-wide on purpose: every backend in the process (and both uploads and renders) shares the memory.
DECODE_BUDGET = DecodeBudget(DECODE_BUDGET_BYTES)


def decode_cost(img: Image.Image) -> int:
    """What decoding `img` at its current size (after any `draft`) will take at its peak, in bytes."""
    return img.width * img.height * BYTES_PER_PIXEL.get(str(img.format), DEFAULT_BYTES_PER_PIXEL)


@contextlib.contextmanager
def decoding(img: Image.Image, path: Path) -> Iterator[None]:
    """Refuse an image too costly to decode, else hold its share of the budget while it is decoded."""
    cost = decode_cost(img)
    if cost > MAX_DECODE_BYTES:
        raise ImageRejectedError.about(
            path,
            f"{img.width}x{img.height} {img.format} would take {cost // 2**20} MB to decode; at most "
            f"{MAX_DECODE_BYTES // 2**20} MB. Resize it, or save it as JPEG.",
        )
    with DECODE_BUDGET.hold(cost):
        yield


def webp_size(head: bytes) -> tuple[int, int] | None:
    """A WEBP's canvas size from its first 30 bytes (VP8X, VP8L or VP8), or None if it is not a WEBP."""
    if len(head) < 30 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return None
    chunk = head[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
    if chunk == b"VP8L" and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 ":
        return int.from_bytes(head[26:28], "little") & 0x3FFF, int.from_bytes(head[28:30], "little") & 0x3FFF
    return None


@dataclass(frozen=True)
class ImageHeader:
    format: str
    width: int  # as displayed, after EXIF orientation
    height: int


def _open(path: Path) -> Image.Image:
    """Open by content (header only) and refuse pixel bombs before any pixel is decoded."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageRejectedError.about(path, f"cannot read the file ({exc.strerror}).") from exc
    if size == 0:
        raise ImageRejectedError.about(path, "the file is empty.")
    _refuse_costly_webp(path)
    try:
        # Pillow warns above its own limit and raises above twice that; ours is checked just below, so
        # its warning is noise here. catch_warnings swaps the process-wide filters: the lock keeps two
        # renders from interleaving their swaps (which could leave the filter in place for good).
        with _WARNINGS_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(path, formats=IMAGE_FORMATS)
    except Image.DecompressionBombError as exc:
        raise ImageRejectedError.about(
            path, f"the image claims too many pixels (over {MAX_IMAGE_PIXELS // 1_000_000} MP)."
        ) from exc
    except UnidentifiedImageError as exc:
        raise NotAnImageError.about(
            path, "not a supported image (JPEG, PNG, WEBP, BMP or GIF, checked by content)."
        ) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageRejectedError.about(path, f"the image header is damaged ({exc}).") from exc
    width, height = img.size
    if width <= 0 or height <= 0 or width * height > MAX_IMAGE_PIXELS:
        img.close()
        raise ImageRejectedError.about(
            path,
            f"{width}x{height} is {width * height / 1e6:.0f} MP; "
            f"the limit is {MAX_IMAGE_PIXELS // 1_000_000} MP.",
        )
    return img


def _refuse_costly_webp(path: Path) -> None:
    """A WEBP is measured from its own header: Pillow's open would already set up libwebp's canvas."""
    try:
        with path.open("rb") as handle:
            size = webp_size(handle.read(30))
    except OSError as exc:
        raise ImageRejectedError.about(path, f"cannot read the file ({exc.strerror}).") from exc
    if size is None:
        return
    cost = size[0] * size[1] * BYTES_PER_PIXEL["WEBP"]
    if cost > MAX_DECODE_BYTES:
        raise ImageRejectedError.about(
            path,
            f"{size[0]}x{size[1]} WEBP would take {cost // 2**20} MB to decode; at most "
            f"{MAX_DECODE_BYTES // 2**20} MB. Resize it, or save it as JPEG.",
        )


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(_EXIF_ORIENTATION, 1)
    except (OSError, ValueError, SyntaxError):  # a broken EXIF block is not worth refusing the photo
        return 1
    return value if isinstance(value, int) else 1


def _check_structure(path: Path) -> Image.Image:
    """Open, verify, and reopen (a verified image object cannot be loaded)."""
    img = _open(path)
    try:
        img.verify()
    except Exception as exc:  # Pillow's plugins raise many types from verify()
        raise ImageRejectedError.about(path, f"the image is damaged or truncated ({exc}).") from exc
    finally:
        img.close()
    return _open(path)


def read_header(path: Path, *, decode: bool = True) -> ImageHeader:
    """Format and displayed size, checked by content and structure.

    With `decode`, the pixels are decoded too (JPEGs at 1/8 scale), which is what catches truncation.
    """
    img = _check_structure(path)
    with img:
        width, height = img.size
        if _orientation(img) in _SWAPS_AXES:
            width, height = height, width
        header = ImageHeader(format=str(img.format), width=width, height=height)
        if decode:
            if img.format in ("JPEG", "MPO"):
                img.draft("RGB", (1, 1))
            with decoding(img, path):
                _load(img, path)
        return header


def _load(img: Image.Image, path: Path) -> None:
    try:
        img.load()  # for GIF and animated WEBP/PNG this is the first frame
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageRejectedError.about(path, f"the image is damaged or truncated ({exc}).") from exc


def load_image(
    path: Path,
    needed_size: Callable[[int, int], tuple[int, int]] | None = None,
    *,
    keep_alpha: bool = False,
) -> Image.Image:
    """Decode `path` to an RGB image, oriented as displayed, in sRGB, with transparency flattened.

    With `keep_alpha`, an image with transparency comes back as RGBA instead (the renderer composites
    it onto a backdrop that contrasts with it: flattening a white logo onto white leaves nothing).

    `needed_size(width, height)` gets the displayed size and returns the smallest size that still serves
    the caller. JPEGs are then decoded at the smallest reduced scale at least that large (`draft`); other
    formats are decoded whole (they cannot be decoded smaller) and reduced by an integer factor at once,
    before the copies that orientation and flattening make.
    """
    source = _check_structure(path)
    try:
        orientation = _orientation(source)
        want: tuple[int, int] | None = None
        if needed_size is not None:
            width, height = source.size
            swapped = orientation in _SWAPS_AXES
            want_w, want_h = needed_size(*((height, width) if swapped else (width, height)))
            want = (want_h, want_w) if swapped else (want_w, want_h)
            if source.format in ("JPEG", "MPO") and want[0] < width and want[1] < height:
                source.draft("RGB", (max(1, want[0]), max(1, want[1])))
        with decoding(source, path):  # the conversions below are part of the peak
            _load(source, path)
            logger.debug(
                "decoded %s %s at %s (orientation %d)", path.name, source.format, source.size, orientation
            )
            img = _reduce(source, want) if want is not None else source
            img = _to_srgb(img, source.info.get("icc_profile"), path)
            img = _orient(img, orientation)
            flat = _flatten(img, keep_alpha=keep_alpha)
            return flat.copy() if flat is source else flat
    finally:
        source.close()


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orient(img: Image.Image, orientation: int) -> Image.Image:
    """Apply the EXIF orientation (what `ImageOps.exif_transpose` does, without copying when upright)."""
    method = _TRANSPOSE.get(orientation)
    return img.transpose(method) if method is not None else img


def _reduce(img: Image.Image, want: tuple[int, int]) -> Image.Image:
    factor = min(img.width // max(1, want[0]), img.height // max(1, want[1]))
    if factor < 2 or img.mode not in ("RGB", "RGBA", "L", "LA", "CMYK", "I", "F"):
        return img
    return img.reduce(factor)


def _to_srgb(img: Image.Image, icc: object, path: Path) -> Image.Image:
    """Convert from an embedded colour profile (e.g. a phone's Display P3) to sRGB, as browsers do."""
    if not isinstance(icc, bytes) or not icc or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if img.mode != "CMYK" and _is_srgb(profile):
            return img
        mode = "RGBA" if img.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(img, profile, _srgb_profile(), outputMode=mode)
    except Exception as exc:  # a broken or unsupported profile: keep the pixels as they are
        logger.info("%s: colour profile ignored (%s)", path.name, exc)
        return img
    return converted if converted is not None else img


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    try:
        description = ImageCms.getProfileDescription(profile)
    except ImageCms.PyCMSError:  # no description: convert, to be safe
        return False
    return "srgb" in description.lower().replace(" ", "")


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _flatten(img: Image.Image, *, keep_alpha: bool = False) -> Image.Image:
    """RGB with any transparency composited onto FLATTEN_BACKGROUND (RGBA instead with `keep_alpha`)."""
    has_alpha = img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in img.info
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        img = _to_8bit(img)
    if not has_alpha:
        return img if img.mode == "RGB" else img.convert("RGB")
    rgba = img.convert("RGBA")
    if keep_alpha:
        return rgba
    background = Image.new("RGBA", rgba.size, (*FLATTEN_BACKGROUND, 255))
    background.alpha_composite(rgba)
    return background.convert("RGB")


def _to_8bit(img: Image.Image) -> Image.Image:
    """16-bit and float greyscale to 8 bits (Pillow's own conversion clips everything above 255 to white)."""
    values = np.asarray(img, dtype=np.float32)
    if img.mode == "F":
        top = max(1.0, float(values.max()))
    else:  # "I" is how older Pillows open 16-bit PNGs
        top = 65535.0 if img.mode.startswith("I;16") or float(values.max()) > 255 else 255.0
    return Image.fromarray(np.clip(values * (255.0 / top) + 0.5, 0, 255).astype(np.uint8))
