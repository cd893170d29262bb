"""Render one clip from a still image: eased sub-pixel motion, optional title and music, H.264 MP4.

The pipeline, all in one process:

    load_image      checked by content, pixel bombs refused, JPEG decoded at reduced size, EXIF-oriented
    plan            one crop box per frame (render_motion), always inside the picture
    prescale        keep only as many source pixels as the tightest crop box needs
    FrameMaker      BT.709 Y'CbCr planes once; per frame three sub-pixel bicubic resizes + the title layer
    libx264 / AAC   PyAV; frames are made in a worker thread while the encoder works

Helpers: media_image (opening images), media_probe (audio/video), render_motion, render_text,
render_frames, render_audio.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import queue
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np
from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc
from PIL import Image

from nemo_mcp.local.render import motion as render_motion
from nemo_mcp.local.render.frames import FrameMaker, to_video_frame
from nemo_mcp.local.render.images import ImageRejectedError, NotAnImageError, load_image, read_header
from nemo_mcp.local.render.motion import Box, Motion
from nemo_mcp.local.render.music import add_aac_stream, encode_aac, load_music
from nemo_mcp.local.render.probe import probe_av
from nemo_mcp.local.render.spec import MOTIONS, ClipSpec, RenderCancelledError
from nemo_mcp.local.render.title import build_title, title_opacity

__all__ = [
    "MOTIONS",
    "ClipSpec",
    "ImageRejectedError",
    "MediaInfo",
    "Motion",
    "RenderCancelledError",
    "RenderedClip",
    "probe_media",
    "render_clip",
    "sample_image_path",
]

logger = logging.getLogger(__name__)

MAX_SIDE = 1920
MIN_SIDE = 16
MAX_DURATION_S = 120.0
MAX_FPS = 60
# libx264: "veryfast" is the best quality per CPU second at this size; crf 20 is visually clean for
# photos, and a keyframe every two seconds keeps scrubbing responsive.
X264_PRESET = "veryfast"
X264_CRF = 20
# Frames made ahead of the encoder (each about 1.4 MB at 1280x720).
QUEUE_DEPTH = 6
# Below this, the source is resampled once to the size the tightest crop needs.
PRESCALE_BELOW = 0.95


@dataclass(frozen=True)
class RenderedClip:
    path: Path
    width: int
    height: int
    duration_s: float
    fps: int
    size_bytes: int
    has_audio: bool


@dataclass(frozen=True)
class MediaInfo:
    file_type: Literal["image", "video", "audio"]
    width: int
    height: int
    duration_s: float
    fps: float


def sample_image_path() -> Path:
    """The sample photo shipped in the package (a generated landscape, 1600x1200 JPEG)."""
    return Path(str(resources.files("nemo_mcp.local") / "assets" / "sample.jpg"))


def validate(spec: ClipSpec) -> None:
    """Raise ValueError with a readable message when the spec cannot be rendered."""
    for name, side in (("width", spec.width), ("height", spec.height)):
        if not MIN_SIDE <= side <= MAX_SIDE or side % 2:
            raise ValueError(f"{name} must be an even number from {MIN_SIDE} to {MAX_SIDE}, not {side}.")
    if not 0 < spec.fps <= MAX_FPS:
        raise ValueError(f"fps must be from 1 to {MAX_FPS}, not {spec.fps}.")
    if not (0 < spec.duration_s <= MAX_DURATION_S) or round(spec.duration_s * spec.fps) < 1:
        raise ValueError(
            f"duration_s must be more than 0 and at most {MAX_DURATION_S:g}, not {spec.duration_s}."
        )
    if spec.motion not in MOTIONS:
        raise ValueError(f"motion must be one of {', '.join(MOTIONS)}, not {spec.motion!r}.")
    if not 0.0 <= spec.music_volume <= 2.0:
        raise ValueError(f"music_volume must be from 0 to 2, not {spec.music_volume}.")
    if spec.title_duration_s is not None and spec.title_duration_s < 0:
        raise ValueError(f"title_duration_s must not be negative, not {spec.title_duration_s}.")


def render_clip(
    spec: ClipSpec,
    out: Path,
    *,
    on_progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> RenderedClip:
    """Render `spec` to `out` atomically (a partial file never appears under `out`).

    `on_progress` gets the fraction done (0..1, increasing). `should_cancel` is polled between frames;
    when it returns True the render stops and raises `RenderCancelledError`. Both are called from the
    thread that called `render_clip`. Raises ValueError for an impossible spec and ImageRejectedError for
    an image (or music file) that cannot be used.
    """
    validate(spec)
    started = time.perf_counter()
    frames = round(spec.duration_s * spec.fps)
    maker = _frame_maker(spec, frames)
    samples = load_music(spec.music, frames / spec.fps, spec.music_volume) if spec.music else None

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        _encode(maker, samples, tmp, spec, on_progress, should_cancel)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if on_progress is not None:
        on_progress(1.0)
    size = out.stat().st_size
    logger.info(
        "rendered %s: %dx%d %d frames%s in %.2f s",
        out.name,
        spec.width,
        spec.height,
        frames,
        " with music" if samples is not None else "",
        time.perf_counter() - started,
    )
    return RenderedClip(
        path=out,
        width=spec.width,
        height=spec.height,
        duration_s=frames / spec.fps,
        fps=spec.fps,
        size_bytes=size,
        has_audio=samples is not None,
    )


def _frame_maker(spec: ClipSpec, frames: int) -> FrameMaker:
    out_w, out_h = spec.width, spec.height

    def needed(width: int, height: int) -> tuple[int, int]:
        boxes = render_motion.plan(spec.motion, width, height, out_w, out_h, frames, spec.fps)
        scale = min(1.0, out_w / render_motion.smallest_width(boxes))
        return math.ceil(width * scale), math.ceil(height * scale)

    image = load_image(Path(spec.image), needed)
    source, boxes = _prescale(
        image,
        render_motion.plan(spec.motion, image.width, image.height, out_w, out_h, frames, spec.fps),
        out_w,
    )
    title = build_title(spec.title, out_w, out_h) if spec.title else None
    opacity = [title_opacity(i / spec.fps, spec.title_duration_s) for i in range(frames)]
    return FrameMaker(source, boxes, out_w, out_h, title, opacity)


def _prescale(image: Image.Image, boxes: list[Box], out_w: int) -> tuple[Image.Image, list[Box]]:
    """Resample the part of the picture the path visits to the resolution its tightest box needs."""
    scale = out_w / render_motion.smallest_width(boxes)
    if scale >= PRESCALE_BELOW:
        return image, boxes
    x0, y0, x1, y1 = render_motion.union(boxes)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(image.width, x1), min(image.height, y1)
    size = (math.ceil((x1 - x0) * scale), math.ceil((y1 - y0) * scale))
    source = image.resize(size, Image.Resampling.BICUBIC, box=(x0, y0, x1, y1), reducing_gap=3.0)
    sx, sy = size[0] / (x1 - x0), size[1] / (y1 - y0)  # separately: rounding differs per axis
    moved = [
        (
            max(0.0, (b[0] - x0) * sx),
            max(0.0, (b[1] - y0) * sy),
            min(float(size[0]), (b[2] - x0) * sx),
            min(float(size[1]), (b[3] - y0) * sy),
        )
        for b in boxes
    ]
    logger.debug("prescaled %dx%d to %dx%d", image.width, image.height, *size)
    return source, moved


def _encode(
    maker: FrameMaker,
    samples: np.ndarray | None,
    tmp: Path,
    spec: ClipSpec,
    on_progress: Callable[[float], None] | None,
    should_cancel: Callable[[], bool] | None,
) -> None:
    frames = len(maker)
    with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=spec.fps)
        video.width, video.height, video.pix_fmt = spec.width, spec.height, "yuv420p"
        video.options = {
            "preset": X264_PRESET,
            "crf": str(X264_CRF),
            "profile": "high",
            "g": str(2 * spec.fps),
        }
        codec = video.codec_context
        codec.colorspace = Colorspace.ITU709
        codec.color_range = ColorRange.MPEG
        codec.color_primaries = ColorPrimaries.BT709
        codec.color_trc = ColorTrc.BT709
        audio_packets: deque[av.Packet[Any]] = deque()
        if samples is not None:
            audio_packets.extend(encode_aac(add_aac_stream(container), samples))

        def mux(packets: list[av.Packet[Any]]) -> None:
            for packet in packets:
                # Keep audio a little ahead of video so the file is interleaved.
                until = float(packet.pts * packet.time_base) + 0.5 if packet.pts is not None else math.inf
                while audio_packets and _seconds(audio_packets[0]) <= until:
                    container.mux(audio_packets.popleft())
                container.mux(packet)

        with _Producer(maker) as produced:
            for index in range(frames):
                if should_cancel is not None and should_cancel():
                    raise RenderCancelledError("the render was cancelled")
                mux(video.encode(produced.get()))
                if on_progress is not None:
                    on_progress(0.99 * (index + 1) / frames)
        mux(video.encode(None))
        while audio_packets:
            container.mux(audio_packets.popleft())


def _seconds(packet: av.Packet[Any]) -> float:
    return float(packet.pts * packet.time_base) if packet.pts is not None else 0.0


class _Producer:
    """Makes frames in a worker thread while libx264 encodes (Pillow and NumPy release the GIL)."""

    def __init__(self, maker: FrameMaker) -> None:
        self._maker = maker
        self._queue: queue.Queue[av.VideoFrame | BaseException] = queue.Queue(maxsize=QUEUE_DEPTH)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nemo-render-frames", daemon=True)

    def __enter__(self) -> _Producer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        with contextlib.suppress(queue.Empty):
            while True:  # unblock a worker waiting on a full queue
                self._queue.get_nowait()
        self._thread.join()

    def get(self) -> av.VideoFrame:
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def _put(self, item: av.VideoFrame | BaseException) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
            except queue.Full:
                continue
            return

    def _run(self) -> None:
        try:
            for index in range(len(self._maker)):
                if self._stop.is_set():
                    return
                self._put(to_video_frame(self._maker.frame(index), index))
        except BaseException as exc:  # handed to the encoding thread, which raises it
            self._put(exc)


def probe_media(path: Path) -> MediaInfo:
    """What an uploaded file is, by content: raises ImageRejectedError for anything not animatable or playable."""
    path = Path(path)
    try:
        header = read_header(path)
    except NotAnImageError:
        info = probe_av(path)
        return MediaInfo(info.file_type, info.width, info.height, info.duration_s, info.fps)
    return MediaInfo("image", header.width, header.height, 0.0, 0.0)
