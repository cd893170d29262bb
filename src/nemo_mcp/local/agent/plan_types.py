"""The ClipPlan, the sizes it renders at, and the changes between two plans said the way a person reads them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nemo_mcp.local.agent.terms import MAX_DURATION_S, MIN_DURATION_S, Aspect, Motion, Position, Speed
from nemo_mcp.local.records import UploadRecord

Resolution = Literal["720p", "1080p"]
Framing = Literal["auto", "fit", "crop"]

FPS = 30
DEFAULT_DURATION_S = 5.0
DEFAULT_MUSIC_VOLUME = 0.35
# "Add music" with no audio file uploaded and no mood named: a bundled track of this mood.
DEFAULT_MUSIC_MOOD = "calm"
SIZES: dict[tuple[str, str], tuple[int, int]] = {
    ("16:9", "720p"): (1280, 720),
    ("16:9", "1080p"): (1920, 1080),
    ("9:16", "720p"): (720, 1280),
    ("9:16", "1080p"): (1080, 1920),
    ("1:1", "720p"): (720, 720),
    ("1:1", "1080p"): (1080, 1080),
    ("4:5", "720p"): (720, 900),
    ("4:5", "1080p"): (1080, 1350),
}
FORMATS: dict[tuple[int, int], tuple[Aspect, Resolution]] = {size: key for key, size in SIZES.items()}  # type: ignore[misc]
MOTION_WORDS = {
    "zoom_in": "zoom in",
    "zoom_out": "zoom out",
    "pan_left": "pan left",
    "pan_right": "pan right",
    "pan_up": "pan up",
    "pan_down": "pan down",
    "ken_burns": "Ken Burns",
    "static": "no camera move",
}
_SIDES = {"top": "at the top", "center": "in the centre", "bottom": "at the bottom"}


@dataclass(frozen=True)
class ClipPlan:
    image: UploadRecord
    duration_s: float = DEFAULT_DURATION_S
    aspect: Aspect = "16:9"
    resolution: Resolution = "720p"
    motion: Motion = "zoom_in"
    motion_speed: Speed = "normal"
    loop: bool = False  # the move returns to where it began
    title: str | None = None
    title_position: Position = "bottom"
    title_scale: float = 1.0
    title_duration_s: float | None = None  # None: the whole clip
    # one or the other (or neither): a bundled track of a mood, or an audio file the person uploaded
    music_mood: str | None = None
    music: UploadRecord | None = None
    music_volume: float = DEFAULT_MUSIC_VOLUME
    fit: Framing = "auto"  # fit: the whole photo shows (on `background`); crop: it fills the frame
    background: str | None = None

    @property
    def width(self) -> int:
        return SIZES[(self.aspect, self.resolution)][0]

    @property
    def height(self) -> int:
        return SIZES[(self.aspect, self.resolution)][1]

    @property
    def has_music(self) -> bool:
        return self.music is not None or self.music_mood is not None


def music_name(plan: ClipPlan) -> str | None:
    if plan.music is not None:
        return plan.music.filename
    return None if plan.music_mood is None else f"a {plan.music_mood} track"


def describe_changes(old: ClipPlan, new: ClipPlan) -> list[str]:
    """One short sentence per change a person would notice, in the order they read a clip."""
    said: list[str] = []
    if new.duration_s != old.duration_s:
        said.append(f"duration {old.duration_s:g} s → {new.duration_s:g} s")
    if (new.aspect, new.resolution) != (old.aspect, old.resolution):
        said.append(
            f"format {old.aspect} ({old.width}x{old.height}) → {new.aspect} ({new.width}x{new.height})"
        )
    if new.motion != old.motion:
        said.append(f"camera move {MOTION_WORDS[old.motion]} → {MOTION_WORDS[new.motion]}")
    if new.motion_speed != old.motion_speed:
        said.append(f"camera speed {old.motion_speed} → {new.motion_speed}")
    if new.loop != old.loop:
        said.append("the move now loops back to where it began" if new.loop else "no loop")
    said += _title_changes(old, new)
    said += _music_changes(old, new)
    if (new.fit, new.background) != (old.fit, old.background):
        framing = {
            "auto": "framing automatic",
            "fit": "the whole photo shows",
            "crop": "the photo fills the frame",
        }[new.fit]
        said.append(
            framing + (f" on a {new.background} background" if new.background and new.fit == "fit" else "")
        )
    return said


def _title_changes(old: ClipPlan, new: ClipPlan) -> list[str]:
    if new.title is None:
        return [f"title “{old.title}” removed"] if old.title is not None else []
    said = []
    if new.title != old.title:
        said.append(f"title “{new.title}”" if old.title is None else f"title “{old.title}” → “{new.title}”")
    if new.title_position != old.title_position or (old.title is None and new.title_position != "bottom"):
        said.append(f"title {_SIDES[new.title_position]}")
    if new.title_scale != old.title_scale:
        said.append(f"title size {old.title_scale:.0%} → {new.title_scale:.0%}")
    return said


def _music_changes(old: ClipPlan, new: ClipPlan) -> list[str]:
    before, after = music_name(old), music_name(new)
    said = []
    if after is None and before is not None:
        said.append(f"music removed ({before})")
    elif after != before and after is not None:
        said.append(
            f"music: {after}"
            + (" (bundled; upload an audio file to use your own)" if new.music is None else "")
        )
    if after is not None and new.music_volume != old.music_volume:
        said.append(f"music volume {old.music_volume:.0%} → {new.music_volume:.0%}")
    return said


__all__ = [
    "DEFAULT_DURATION_S",
    "DEFAULT_MUSIC_MOOD",
    "DEFAULT_MUSIC_VOLUME",
    "FORMATS",
    "FPS",
    "MAX_DURATION_S",
    "MIN_DURATION_S",
    "MOTION_WORDS",
    "SIZES",
    "ClipPlan",
    "Framing",
    "Resolution",
    "describe_changes",
    "music_name",
]
