"""What a clip is (`ClipSpec`, the motions, the ranges of its settings) and how a render is stopped,
without the renderer.

The agent plans clips and the render queue schedules them with these alone, so the embedded backend
starts (and `serve --local` answers tools/list) without loading Pillow, PyAV or NumPy (~200 ms): `clip.py`
is imported only where a clip is rendered or an upload probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from nemo_mcp.local.render.motion import Motion

# The moving motions; "static" (no camera move) is accepted too.
MOTIONS: tuple[Motion, ...] = (
    "zoom_in",
    "zoom_out",
    "pan_left",
    "pan_right",
    "pan_up",
    "pan_down",
    "ken_burns",
)
CameraMotion = Motion | Literal["static"]
FitMode = Literal["auto", "crop", "fit"]
TitlePosition = Literal["top", "center", "bottom"]
# How far the camera may travel against the normal move, and how much a title may be scaled.
SPEED_RANGE = (0.25, 2.5)
TITLE_SCALE_RANGE = (0.5, 2.0)


class RenderCancelledError(Exception):
    """`should_cancel` asked the render to stop."""


@dataclass(frozen=True)
class ClipSpec:
    image: Path
    duration_s: float = 5.0
    width: int = 1280
    height: int = 720
    fps: int = 30
    motion: CameraMotion = "zoom_in"
    title: str | None = None
    # How long the title stays on screen from the start; None keeps it for the whole clip.
    title_duration_s: float | None = None
    # A music file; else `music_mood` picks a bundled (synthesised) piece: calm, upbeat, cinematic.
    # (Given both, the file is used.)
    music: Path | None = None
    # Perceived level: 1.0 is the mix at loudness.TARGET_LUFS (-16 LUFS), each halving -10 LU.
    music_volume: float = 0.35
    # How far the camera travels: 0.6 slow, 1.0 normal, 1.6 fast (SPEED_RANGE).
    motion_speed: float = 1.0
    # The move goes out and comes back, so the clip loops seamlessly.
    loop: bool = False
    title_position: TitlePosition = "bottom"
    title_scale: float = 1.0
    music_mood: str | None = None
    # "auto" crops around the subject, or shows the whole photo over a backdrop when cropping would
    # lose too much; "crop" and "fit" force one.
    fit: FitMode = "auto"
    # A CSS colour name or #hex for the backdrop and behind transparency (None: chosen automatically).
    background: str | None = None
