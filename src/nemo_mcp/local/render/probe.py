"""What an audio or video file is, by content, with PyAV.

FFmpeg will "open" almost anything (a text file becomes a `tty` video), so only real container formats
are accepted, and one frame must decode.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av

from nemo_mcp.local.render.images import ImageRejectedError

# FFmpeg demuxer names we accept (a demuxer may report several, comma-separated, e.g. "mov,mp4,m4a,...").
AV_FORMATS = frozenset({"mov", "mp4", "m4a", "matroska", "webm", "avi", "mp3", "wav", "ogg", "flac", "aac"})


@dataclass(frozen=True)
class AvInfo:
    file_type: Literal["video", "audio"]
    width: int
    height: int
    duration_s: float
    fps: float


def probe_av(path: Path) -> AvInfo:
    try:
        with av.open(str(path)) as container:
            names = set(container.format.name.split(","))
            if not names & AV_FORMATS:
                raise ImageRejectedError.about(path, "not an image, video or audio file we can use.")
            duration = float(container.duration) / av.time_base if container.duration else 0.0
            if container.streams.video:
                video = container.streams.video[0]
                if video.duration and video.time_base:
                    duration = max(duration, float(video.duration * video.time_base))
                rate = video.average_rate or video.base_rate or Fraction(0)
                next(container.decode(video))  # must really decode
                if duration <= 0:  # e.g. a HEIC photo: an ISO media file holding one still picture
                    raise ImageRejectedError.about(
                        path, "a still picture in a format we cannot read, not a video."
                    )
                return AvInfo("video", video.width, video.height, duration, float(rate))
            if container.streams.audio:
                audio = container.streams.audio[0]
                if not duration and audio.duration and audio.time_base:
                    duration = float(audio.duration * audio.time_base)
                next(container.decode(audio))
                return AvInfo("audio", 0, 0, duration, 0.0)
    except (av.FFmpegError, StopIteration, UnicodeDecodeError) as exc:
        raise ImageRejectedError.about(path, "not an image, video or audio file we can use.") from exc
    raise ImageRejectedError.about(path, "the file has no video or audio track.")
