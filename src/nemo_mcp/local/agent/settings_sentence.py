"""The settings sentence nemo-mcp adds after a person's words, read exactly.

nemo-mcp's `animate_image` takes settings the calling model fills (duration, format, motion, title, music,
…) and sends them, after the person's words, as one sentence in a fixed form (docs/local-backend.md):

    Use exactly these settings: duration 8 s; aspect ratio 9:16; motion zoom in; motion speed slow;
    title "夏天"; title position top; music "calm"; music volume 30%; resolution 1080p.

Quoted values are JSON strings. `split` separates the words from the settings; `overlay` lays the
settings over what the words asked: where they disagree the settings win (the model set them on purpose,
from what the person said), and each disagreement becomes a sentence the reply states.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nemo_mcp.local.agent.understanding import Request

PREFIX = "Use exactly these settings:"
_VALUES: dict[str, re.Pattern[str]] = {
    "duration": re.compile(r"(\d+(?:\.\d+)?) s"),
    "aspect ratio": re.compile(r"(16:9|9:16|1:1|4:5)"),
    "motion speed": re.compile(r"(slow|normal|fast)"),
    "motion": re.compile(r"(zoom in|zoom out|pan left|pan right|pan up|pan down|ken burns|static)"),
    "title position": re.compile(r"(top|center|bottom)"),
    "music volume": re.compile(r"(\d{1,3})%"),
    "resolution": re.compile(r"(720p|1080p)"),
}
_QUOTED_KEYS = ("title", "music")
# Longest first: "title position" must not be read as "title" followed by a value.
_KEYS = sorted((*_QUOTED_KEYS, *_VALUES), key=len, reverse=True)


@dataclass(frozen=True)
class Settings:
    duration_s: float | None = None
    aspect: str | None = None
    motion: str | None = None
    motion_speed: str | None = None
    title: str | None = None
    title_position: str | None = None
    music: str | None = None
    music_volume: float | None = None  # 0..1
    resolution: str | None = None


def split(text: str) -> tuple[str, Settings | None]:
    """(the person's words, the settings) of a message; settings None when the message has none."""
    at = text.rfind(PREFIX)
    if at < 0:
        return text, None
    return text[:at].strip(), _read(text[at + len(PREFIX) :])


def _read(rest: str) -> Settings:
    values: dict[str, Any] = {}
    position = 0
    while position < len(rest):
        position = _skip_separators(rest, position)
        key = next((k for k in _KEYS if rest.startswith(k + " ", position)), None)
        if key is None:
            break  # anything else is not ours: the words before the prefix are the person's
        position += len(key) + 1
        value, position = _value(rest, key, position)
        if value is not None:
            values[key] = value
    return Settings(
        duration_s=float(values["duration"]) if "duration" in values else None,
        aspect=values.get("aspect ratio"),
        motion=values["motion"].replace(" ", "_") if "motion" in values else None,
        motion_speed=values.get("motion speed"),
        title=values.get("title"),
        title_position=values.get("title position"),
        music=values.get("music"),
        music_volume=min(int(values["music volume"]), 100) / 100 if "music volume" in values else None,
        resolution=values.get("resolution"),
    )


def _skip_separators(rest: str, position: int) -> int:
    while position < len(rest) and rest[position] in " ;.\n":
        position += 1
    return position


def _value(rest: str, key: str, position: int) -> tuple[str | None, int]:
    if key in _QUOTED_KEYS:
        try:
            text, end = json.JSONDecoder().raw_decode(rest, position)
        except ValueError:
            return None, len(rest)
        return (" ".join(text.split()) or None) if isinstance(text, str) else None, end
    match = _VALUES[key].match(rest, position)
    if match is None:
        return None, len(rest)
    return match.group(1), match.end()


def overlay(words: Request, settings: Settings) -> tuple[Request, list[str]]:
    """The request with the settings laid over the words, and a sentence for each disagreement."""
    laid: dict[str, Any] = {}
    said: list[str] = []
    for name in (f.name for f in fields(Settings)):
        value = getattr(settings, name)
        if value is None:
            continue
        before = getattr(words, name)
        if before is not None and before != value:
            said.append(
                f"Your words asked for {_shown(name, before)} but the settings say {_shown(name, value)}: "
                f"I used the settings."
            )
        laid[name] = value
    if laid and not words.intent and not words.understood:
        laid["intent"] = True  # settings alone ask for the clip they describe
    return replace(words, **laid), said


def _shown(name: str, value: object) -> str:
    label = name.replace("_s", "").replace("_", " ")
    if name == "duration_s" and isinstance(value, float | int):
        return f"{value:g} s"
    if name == "music_volume" and isinstance(value, float | int):
        return f"music at {value:.0%}"
    return f'{label} "{value}"' if name in ("title", "music") else f"{label} {str(value).replace('_', ' ')}"
