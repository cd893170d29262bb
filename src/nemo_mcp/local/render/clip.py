"""Render one clip from a still image: eased sub-pixel motion, optional title and music, H.264 MP4.

The pipeline, all in one process:

    load_image      checked by content, pixel bombs refused, JPEG decoded at reduced size, EXIF-oriented
    scene           the subject found (faces, saliency, a transparent image's shape); cropped around it,
                    or the whole photo over a backdrop; one crop box per frame keeping it in view
    prescale        resample once to 1.2x the resolution the tightest crop box needs (no shimmer)
    FrameMaker      BT.709 Y'CbCr planes once; per frame three sub-pixel bicubic resizes + the title layer
    libx264 / AAC   PyAV; frames are made in a worker thread while the encoder works

Helpers, all in this package: images (opening images), probe (audio/video), motion (camera paths),
title and fonts, frames, audio (decoding and AAC); scene (subject, framing, backdrop: what the camera
sees); music (mood pieces, the mix) and loudness (BS.1770).
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

from nemo_mcp.local.render import music, scene
from nemo_mcp.local.render.audio import add_aac_stream, encode_aac
from nemo_mcp.local.render.backdrop import parse_colour
from nemo_mcp.local.render.frames import FrameMaker, to_video_frame
from nemo_mcp.local.render.images import ImageRejectedError, NotAnImageError, read_header
from nemo_mcp.local.render.motion import Motion
from nemo_mcp.local.render.probe import probe_av
from nemo_mcp.local.render.spec import (
    MOTIONS,
    SPEED_RANGE,
    TITLE_SCALE_RANGE,
    ClipSpec,
    RenderCancelledError,
)
from nemo_mcp.local.render.title import TitleLayer, build_title, title_opacity

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
# libx264: "veryfast" is the best quality per CPU second at this size, and a keyframe every two seconds
# keeps scrubbing responsive. x264's defaults make each keyframe much better than the frames before it
# (mbtree gives it the bits its many references "earn", and ipratio 1.4 more): the picture visibly
# breathes every 2 s (3-5 dB PSNR). B-frames, quantised coarser than the P-frames around them, make fine
# detail flicker from one frame to the next (5-8 % on the sample photo's moves, decoded). So: no mbtree,
# no B-frames, ipratio 1.0 and a gentler adaptive quantiser; keyframes then match their neighbours within
# about 0.8 dB, and crf 22 makes a photo's file smaller than before (docs/benchmarks.md).
X264_PRESET = "veryfast"
X264_CRF = 22
X264_PARAMS = "mbtree=0:bframes=0:ipratio=1.0:aq-strength=0.6"
# Frames made ahead of the encoder (each about 1.4 MB at 1280x720).
QUEUE_DEPTH = 6


@dataclass(frozen=True)
class RenderedClip:
    path: Path
    width: int
    height: int
    duration_s: float
    fps: int
    size_bytes: int
    has_audio: bool
    # What a person should be told: how the photo was framed ("zooming toward the face"), the title's
    # font and any characters no font could draw, the music used and its loudness.
    framing: str | None = None
    missing_glyphs: str = ""
    title_font: str = ""
    music_track: str | None = None
    loudness_lufs: float | None = None


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
    if spec.motion not in (*MOTIONS, "static"):
        raise ValueError(f"motion must be one of {', '.join(MOTIONS)}, static, not {spec.motion!r}.")
    if not SPEED_RANGE[0] <= spec.motion_speed <= SPEED_RANGE[1]:
        raise ValueError(
            f"motion_speed must be from {SPEED_RANGE[0]} to {SPEED_RANGE[1]}, not {spec.motion_speed}."
        )
    if spec.fit not in ("auto", "crop", "fit"):
        raise ValueError(f"fit must be auto, crop or fit, not {spec.fit!r}.")
    if spec.title_position not in ("top", "center", "bottom"):
        raise ValueError(f"title_position must be top, center or bottom, not {spec.title_position!r}.")
    if not TITLE_SCALE_RANGE[0] <= spec.title_scale <= TITLE_SCALE_RANGE[1]:
        raise ValueError(
            f"title_scale must be from {TITLE_SCALE_RANGE[0]} to {TITLE_SCALE_RANGE[1]}, not {spec.title_scale}."
        )
    if spec.background is not None:
        parse_colour(spec.background)
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
    maker, view, title = _frame_maker(spec, frames)
    mix = None
    if spec.music is not None or spec.music_mood is not None:
        mix = music.prepare(spec.music, spec.music_mood, frames / spec.fps, spec.music_volume)
    samples = mix.samples if mix is not None else None

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
        framing=view.framing,
        missing_glyphs=title.missing if title is not None else "",
        title_font=title.font if title is not None else "",
        music_track=mix.track if mix is not None else None,
        loudness_lufs=mix.loudness_lufs if mix is not None else None,
    )


def _frame_maker(spec: ClipSpec, frames: int) -> tuple[FrameMaker, scene.Scene, TitleLayer | None]:
    camera = scene.Camera(
        spec.motion,
        spec.width,
        spec.height,
        frames,
        spec.fps,
        spec.motion_speed,
        spec.loop,
        spec.fit,
        spec.background,
    )
    view = scene.build(Path(spec.image), camera)
    title = (
        build_title(spec.title, spec.width, spec.height, position=spec.title_position, scale=spec.title_scale)
        if spec.title
        else None
    )
    opacity = [title_opacity(i / spec.fps, spec.title_duration_s) for i in range(frames)]
    chroma = scene.chroma_size(view.source, view.boxes, spec.width)
    maker = FrameMaker(view.source, view.boxes, spec.width, spec.height, title, opacity, chroma_size=chroma)
    return maker, view, title


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
            "x264-params": X264_PARAMS,
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
