"""What a clip is (`ClipSpec`, the motions) and how a render is stopped, without the renderer.

The agent plans clips and the render queue schedules them with these alone, so the embedded backend
starts (and `serve --local` answers tools/list) without loading Pillow, PyAV or NumPy (~200 ms): `clip.py`
is imported only where a clip is rendered or an upload probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nemo_mcp.local.render.motion import Motion

MOTIONS: tuple[Motion, ...] = (
    "zoom_in",
    "zoom_out",
    "pan_left",
    "pan_right",
    "pan_up",
    "pan_down",
    "ken_burns",
)


class RenderCancelledError(Exception):
    """`should_cancel` asked the render to stop."""


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
