"""Structured intent: what the person asked for, in fields the calling model fills from any language.

The wire has one channel for a turn, the message text (contract §3), and the cloud's agent reads text. So
the fields travel as one clear English sentence added after the person's words, always in the same form:

    Use exactly these settings: duration 8 s; aspect ratio 9:16; motion zoom in; motion speed slow;
    title "夏天"; title position top; music "calm"; music volume 30%; resolution 1080p.

The embedded backend reads that sentence exactly (`local/agent/settings_sentence.py` parses this grammar),
and when the settings and the person's words disagree the settings win: the model filled them on purpose,
from what the person said. Quoted values are JSON strings, so any title survives the trip.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Aspect = Literal["16:9", "9:16", "1:1", "4:5"]
Motion = Literal["zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down", "ken_burns", "static"]
Speed = Literal["slow", "normal", "fast"]
Position = Literal["top", "center", "bottom"]
Resolution = Literal["720p", "1080p"]

SETTINGS_PREFIX = "Use exactly these settings:"
MAX_DURATION_S = 60.0
MAX_TITLE_CHARS = 100
MAX_MUSIC_CHARS = 120


class Intent(BaseModel):
    """Optional settings for a clip; every field left out means "as the words say, or unchanged"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    duration_s: float | None = Field(default=None, gt=0, le=MAX_DURATION_S)
    aspect_ratio: Aspect | None = None
    motion: Motion | None = None
    motion_speed: Speed | None = None
    title: str | None = Field(default=None, max_length=MAX_TITLE_CHARS)
    title_position: Position | None = None
    music: str | None = Field(default=None, max_length=MAX_MUSIC_CHARS)
    music_volume: int | None = Field(default=None, ge=0, le=100)
    resolution: Resolution | None = None

    @property
    def empty(self) -> bool:
        return not self.model_dump(exclude_none=True)

    def sentence(self) -> str:
        """The settings as the one sentence both backends read; "" when no field is set."""
        parts: list[str] = []
        if self.duration_s is not None:
            parts.append(f"duration {self.duration_s:g} s")
        if self.aspect_ratio is not None:
            parts.append(f"aspect ratio {self.aspect_ratio}")
        if self.motion is not None:
            parts.append(f"motion {self.motion.replace('_', ' ')}")
        if self.motion_speed is not None:
            parts.append(f"motion speed {self.motion_speed}")
        if self.title is not None:
            parts.append(f"title {_quoted(self.title)}")
        if self.title_position is not None:
            parts.append(f"title position {self.title_position}")
        if self.music is not None:
            parts.append(f"music {_quoted(self.music)}")
        if self.music_volume is not None:
            parts.append(f"music volume {self.music_volume}%")
        if self.resolution is not None:
            parts.append(f"resolution {self.resolution}")
        return f"{SETTINGS_PREFIX} {'; '.join(parts)}." if parts else ""


def message_for(instruction: str, intent: Intent, *, has_clip: bool) -> str:
    """What is sent to the video agent: the person's words, then the settings sentence.

    Fields alone ask for a first clip when there is none yet, and for an edit of the clip when there is
    one: an edit must never read as "make a new clip" (that is charged as a generation).
    """
    words = instruction.strip()
    settings = intent.sentence()
    if not settings:
        return words
    if not words:
        lead = "Change the clip." if has_clip else "Animate the uploaded image into a video clip."
        return f"{lead} {settings}"
    return f"{words}\n\n{settings}"


def _quoted(text: str) -> str:
    return json.dumps(" ".join(text.split()), ensure_ascii=False)
