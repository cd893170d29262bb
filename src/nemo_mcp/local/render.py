"""Render one clip from a still image: eased sub-pixel motion, optional title and music, H.264 MP4.

Interface fixed for the backend; the implementation lands with the renderer work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Motion = Literal["zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down", "ken_burns"]
MOTIONS: tuple[Motion, ...] = (
    "zoom_in",
    "zoom_out",
    "pan_left",
    "pan_right",
    "pan_up",
    "pan_down",
    "ken_burns",
)


class ImageRejectedError(Exception):
    """The file is not an image we can animate (not an image, truncated, a pixel bomb, unreadable)."""


@dataclass(frozen=True)
class ClipSpec:
    image: Path
    duration_s: float = 5.0
    width: int = 1280
    height: int = 720
    fps: int = 30
    motion: Motion = "zoom_in"
    title: str | None = None
    # How long the title stays on screen from the start; None keeps it for the whole clip.
    title_duration_s: float | None = None
    music: Path | None = None
    music_volume: float = 0.35


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


def render_clip(
    spec: ClipSpec,
    out: Path,
    *,
    on_progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> RenderedClip:
    """Render `spec` to `out` atomically (a partial file never appears under `out`).

    `on_progress` gets the fraction done (0..1, increasing). `should_cancel` is polled between frames;
    when it returns True the render stops and raises `RenderCancelledError`.
    """
    raise NotImplementedError


class RenderCancelledError(Exception):
    """`should_cancel` asked the render to stop."""


def probe_media(path: Path) -> MediaInfo:
    """What an uploaded file is, by content: raises ImageRejectedError for anything not animatable or playable."""
    raise NotImplementedError
