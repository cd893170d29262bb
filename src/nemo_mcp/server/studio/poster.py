"""A small JPEG poster frame of an MP4, for clients that show images but no MCP App, and for the studio.

make_poster(path)   decodes one frame (the middle one by default: the first is often black or a fade-in),
                    scales it to at most 480 px wide and encodes it as a JPEG of at most 100 KB.
image_poster(data)  the same from a still image (the photo, while its clip is being made).

PyAV and Pillow are imported inside the function: a plain `serve` start never loads them.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Literal

MAX_POSTER_BYTES = 100 * 1000
POSTER_WIDTH = 480
_QUALITIES = (80, 70, 60, 50, 40, 30)

if TYPE_CHECKING:
    from PIL import Image

Moment = Literal["first", "middle"]


class PosterError(Exception):
    """The MP4 has no frame that could be decoded."""


def make_poster(
    path: Path, *, moment: Moment = "middle", width: int = POSTER_WIDTH, max_bytes: int = MAX_POSTER_BYTES
) -> bytes:
    """A JPEG of one frame of the MP4 at `path`, at most `width` px wide and `max_bytes` long."""
    return _jpeg(_frame(path, moment), width, max_bytes, path.name)


def image_poster(data: bytes, *, width: int = POSTER_WIDTH, max_bytes: int = MAX_POSTER_BYTES) -> bytes:
    """The same kind of JPEG from a still image's bytes (the photo a clip is being made from)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.draft("RGB", (width * 2, width * 2))  # JPEG: decode at a reduced scale
            picture = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise PosterError(f"The image could not be read: {exc}") from None
    return _jpeg(picture, width, max_bytes, "the image")


def _jpeg(frame: Image.Image, width: int, max_bytes: int, what: str) -> bytes:
    from PIL import Image

    if frame.width > width:
        frame = frame.resize(
            (width, max(1, round(frame.height * width / frame.width))), Image.Resampling.LANCZOS
        )
    while True:
        for quality in _QUALITIES:
            buffer = io.BytesIO()
            frame.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
            if buffer.tell() <= max_bytes:
                return buffer.getvalue()
        # Even the lowest quality is too big (a very noisy frame): halve the size and try again.
        if frame.width <= 64:
            raise PosterError(f"No poster of {what} fits in {max_bytes} bytes.")
        frame = frame.resize((frame.width // 2, max(1, frame.height // 2)), Image.Resampling.LANCZOS)


def _frame(path: Path, moment: Moment) -> Image.Image:
    import av
    from PIL import Image

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise PosterError(f"{path.name} has no video stream.")
            stream = container.streams.video[0]
            target = 0.0
            if moment == "middle" and container.duration:
                target = container.duration / 2 / 1_000_000
                # Seek to the keyframe before the middle, then decode up to it.
                container.seek(int(container.duration / 2), backward=True, any_frame=False)
            chosen: av.VideoFrame | None = None
            for frame in container.decode(stream):
                chosen = frame
                if frame.time is None or frame.time >= target:
                    break
            if chosen is None:
                raise PosterError(f"{path.name} has no frame that could be decoded.")
            return Image.fromarray(chosen.to_ndarray(format="rgb24"))
    except (av.error.FFmpegError, OSError) as exc:
        raise PosterError(f"{path.name} could not be read as a video: {exc}") from None
