"""Audio and video are decoded before they are sent: magic bytes alone let text files through.

A UTF-16 text starts with FF FE, which looks like an MPEG audio frame; "Get free…" has `free` where a
QuickTime box name goes. So a file whose first bytes say audio or video is opened with PyAV (FFmpeg) from
the upload's own handle: its container must be one we accept, and one frame of its video (or, without
video, its audio) must decode. PyAV is imported here, on the first upload of such a file, never when the
server starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

# FFmpeg demuxer names we accept (a demuxer may report several, comma-separated, e.g. "mov,mp4,m4a,...").
AV_FORMATS = frozenset({"mov", "mp4", "m4a", "matroska", "webm", "avi", "mp3", "wav", "aac"})
# A video frame bigger than this is not decoded to check it (8K UHD is 33 MP).
MAX_FRAME_PIXELS = 40_000_000


@dataclass(frozen=True)
class AvFacts:
    kind: Literal["video", "audio"]
    width: int | None
    height: int | None
    duration_s: float | None


class NotMediaError(Exception):
    """The content is not audio or video we can use; the message says why, without the file's name."""


def probe_av(source: BinaryIO) -> AvFacts:
    """Open `source` with FFmpeg and decode one frame; NotMediaError if that fails in any way."""
    import av  # first use only: keeps PyAV (and FFmpeg's libraries) out of the server's start

    try:
        with av.open(source, mode="r") as container:
            return _facts(container, av.time_base)
    except (av.FFmpegError, StopIteration, UnicodeDecodeError, ValueError, OSError, MemoryError):
        raise NotMediaError("it is damaged or not really audio or video (it could not be decoded)") from None


def _facts(container: Any, time_base: int) -> AvFacts:
    if not set(container.format.name.split(",")) & AV_FORMATS:
        raise NotMediaError("its content is not a video or audio format nemo-mcp accepts")
    duration = float(container.duration) / time_base if container.duration else None
    if container.streams.video:
        return _video(container, duration)
    if container.streams.audio:
        next(container.decode(container.streams.audio[0]))
        return AvFacts("audio", None, None, duration)
    raise NotMediaError("it has no video or audio track")


def _video(container: Any, duration: float | None) -> AvFacts:
    stream = container.streams.video[0]
    width, height = stream.codec_context.width, stream.codec_context.height
    if not width or not height or width * height > MAX_FRAME_PIXELS:
        raise NotMediaError("its video frames have no size or far too many pixels")
    next(container.decode(stream))
    return AvFacts("video", width, height, duration)


__all__ = ["AV_FORMATS", "AvFacts", "NotMediaError", "probe_av"]
