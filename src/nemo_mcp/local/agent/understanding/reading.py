"""What has been read from a message so far: filled in clause by clause, frozen into a Request at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from nemo_mcp.local.agent.terms import Aspect, Fit, Motion, Position, Resolution, Speed


@dataclass
class Reading:
    language: str = "en"
    intent: bool = False
    durations: list[float] = field(default_factory=list)
    duration_change: Literal["longer", "shorter"] | None = None
    duration_delta_s: float | None = None
    duration_factor: float | None = None
    aspect: Aspect | None = None
    resolution: Resolution | None = None
    instagram: bool = False
    platform_aspect: Aspect | None = None  # "for TikTok": used when no format is named
    # (position in the message, motion): the one mentioned last wins
    motions: list[tuple[int, Motion]] = field(default_factory=list)
    weak_static: bool = False  # "no zoom": static unless another move is named
    bare_pan: bool = False
    motion_speed: Speed | None = None
    speed_change: Literal["faster", "slower"] | None = None
    loop: bool | None = None
    title: str | None = None
    remove_title: bool = False
    title_position: Position | None = None
    title_duration_s: float | None = None
    title_size_change: Literal["bigger", "smaller"] | None = None
    music: str | None = None
    remove_music: bool = False
    music_volume: float | None = None
    volume_change: Literal["louder", "quieter"] | None = None
    fit: Fit | None = None
    background: str | None = None
    undo: bool = False
    low_vram: bool = False
    wishes: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    cannot: list[str] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suggested: set[str] = field(default_factory=set)
    # the message speaks of music or volume somewhere: a bare "30%" is the volume
    music_context: bool = False
    # what the clause before was about: "make the title smaller and move it to the middle"
    previous_title_context: bool = False
    previous_music_context: bool = False
    previous_removal: str | None = None

    def say(self, target: list[str], sentence: str) -> None:
        if sentence not in target:
            target.append(sentence)


__all__ = ["Aspect", "Fit", "Motion", "Position", "Reading", "Resolution", "Speed"]
