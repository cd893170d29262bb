"""Read what a person asks for, deterministically: duration, aspect, size, motion, title, music, limits.

No model is involved: a handful of patterns, each tested. What the parser does not recognise it leaves
alone; what it recognises but the local backend cannot do goes into `cannot`, said plainly to the person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from nemo_mcp.local.render.motion import Motion

Aspect = Literal["16:9", "9:16", "1:1"]

MIN_DURATION_S = 1.0
MAX_DURATION_S = 30.0


@dataclass(frozen=True)
class Instruction:
    text: str
    duration_s: float | None = None
    aspect: Aspect | None = None
    # "1080p", "full hd" or an explicit 1080 size: the bigger sizes (1920x1080, 1080x1920, 1080x1080)
    hd: bool | None = None
    motion: Motion | None = None
    title: str | None = None
    remove_title: bool = False
    music: bool = False
    remove_music: bool = False
    music_volume: float | None = None
    low_vram: bool = False
    # asked to make or change a video at all ("animate", "make a clip", "turn this into a video", ...)
    intent: bool = False
    # what was asked that the local backend cannot do, one plain sentence each
    cannot: tuple[str, ...] = ()
    # adjustments the person should hear about (a duration clamped to the allowed range, ...)
    notes: tuple[str, ...] = ()

    @property
    def has_settings(self) -> bool:
        """Something concrete to apply to a clip."""
        return (
            self.duration_s is not None
            or self.aspect is not None
            or self.hd is not None
            or self.motion is not None
            or self.title is not None
            or self.remove_title
            or self.music
            or self.remove_music
            or self.music_volume is not None
        )


_NUMBER = r"(\d+(?:\.\d+)?)"
_DURATION = re.compile(_NUMBER + r"\s*-?\s*(?:s|secs?|seconds?)\b", re.IGNORECASE)
_EXPLICIT_SIZE = re.compile(r"\b(\d{3,4})\s*[x×]\s*(\d{3,4})\b", re.IGNORECASE)
_RATIO = re.compile(r"\b(16|9|1)\s*:\s*(9|16|1)\b")
_RATIOS: dict[tuple[str, str], Aspect] = {("16", "9"): "16:9", ("9", "16"): "9:16", ("1", "1"): "1:1"}
_HD = re.compile(r"\b(1080p|full\s*-?\s*hd|fhd)\b", re.IGNORECASE)
_SD = re.compile(r"\b720p\b", re.IGNORECASE)
_VERTICAL = re.compile(r"\b(vertical|portrait|tiktok|reels?|shorts|stories)\b", re.IGNORECASE)
_SQUARE = re.compile(r"\bsquare\b", re.IGNORECASE)
_LANDSCAPE = re.compile(r"\b(landscape|horizontal|widescreen|youtube)\b", re.IGNORECASE)
_MOTIONS: tuple[tuple[re.Pattern[str], Motion], ...] = (
    (re.compile(r"\bken\s*-?\s*burns\b", re.IGNORECASE), "ken_burns"),
    (re.compile(r"\b(zoom(ing)?\s*-?\s*out|pull(ing)?\s+back)\b", re.IGNORECASE), "zoom_out"),
    (re.compile(r"\b(zoom(ing)?\s*-?\s*in|push(ing)?\s+in|slow\s+zoom|zoom)\b", re.IGNORECASE), "zoom_in"),
    (re.compile(r"\bpan(ning)?\s+(to\s+(the\s+)?)?left\b", re.IGNORECASE), "pan_left"),
    (re.compile(r"\bpan(ning)?\s+(to\s+(the\s+)?)?right\b", re.IGNORECASE), "pan_right"),
    (re.compile(r"\b(pan(ning)?|tilt(ing)?)\s+up(wards?)?\b", re.IGNORECASE), "pan_up"),
    (re.compile(r"\b(pan(ning)?|tilt(ing)?)\s+down(wards?)?\b", re.IGNORECASE), "pan_down"),
)
_QUOTED = re.compile(r"\"([^\"]{1,100})\"|“([^”]{1,100})”|«([^»]{1,100})»|'([^']{1,100})'(?!\w)")
_TITLE_WORD = re.compile(r"\b(title[sd]?|caption|headline|text|heading|called|named)\b", re.IGNORECASE)
_REMOVE_TITLE = re.compile(
    r"\b(remove|delete|drop|without|no)\s+(the\s+)?(title|caption|text|heading)\b", re.IGNORECASE
)
_MUSIC = re.compile(r"\b(music|soundtrack|song|bgm|background\s+(track|audio)|audio)\b", re.IGNORECASE)
_REMOVE_MUSIC = re.compile(
    r"\b(remove|delete|drop|without|no|mute)\s+(the\s+)?(background\s+)?(music|soundtrack|song|bgm|audio)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(\d{1,3})\s*(%|percent)", re.IGNORECASE)
_VOLUME_WORD = re.compile(r"\b(volume|music|quiet|loud|soft)", re.IGNORECASE)
_LOW_VRAM = re.compile(r"\blow\s*-?\s*(vram|memory|gpu)\b", re.IGNORECASE)
_INTENT = re.compile(
    r"\b(animate|animation|video|clip|movie|film|make|create|generate|render|turn|bring|motion|"
    r"change|set|add|use|zoom|pan|make\s+it)\b",
    re.IGNORECASE,
)
_CANNOT: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b(voice\s*-?\s*over|narrat\w*|speak\w*|talk\w*|lip\s*-?\s*sync\w*|dialogue)\b", re.I),
        "I cannot add a voice-over or make anyone speak: there is no speech model here.",
    ),
    (
        re.compile(
            r"\b(dance|dancing|walk|walking|walks|run|running|runs|blink\w*|wav(e|es|ing)|smil(e|es|ing)|"
            r"jump\w*|fly|flying|flies|"
            r"(make|let)\s+(the\s+)?(person|people|dog|cat|water|clouds?|character|subject)\s+\w+)\b",
            re.I,
        ),
        "I cannot make things inside the picture move (people, animals, water, clouds): that needs a "
        "generative video model, which the local backend does not have. I move a virtual camera over "
        "your still image instead.",
    ),
    (
        re.compile(
            r"\b(compose|generate|create|write|make)\s+(\w+\s+)?(music|song|soundtrack|melody)\b", re.I
        ),
        "I cannot compose music: upload an audio file (mp3, wav, m4a, aac) and I will use it as background music.",
    ),
    (
        re.compile(r"\b(sound\s+effects?|sfx)\b", re.I),
        "I cannot add sound effects; only background music from an audio file you upload.",
    ),
    (
        re.compile(r"\b(4k|2160p|1440p|60\s*fps|120\s*fps)\b", re.I),
        "I render at most 1080x1920 (or 1920x1080) and at 30 fps.",
    ),
    (
        re.compile(r"\b(subtitles?|captions\s+for|transcri\w*)\b", re.I),
        "I cannot make subtitles; I can put one title on the clip (give it in quotes).",
    ),
    (
        re.compile(
            r"\b(style\s+transfer|anime|cartoon\w*|watercolou?r|upscal\w*|remove\s+(the\s+)?background|"
            r"colou?r\s+grad\w*|filter)\b",
            re.I,
        ),
        "I cannot restyle, upscale or edit the picture itself; it is animated as it is.",
    ),
)

_SIZES: dict[tuple[int, int], tuple[Aspect, bool]] = {
    (1920, 1080): ("16:9", True),
    (1080, 1920): ("9:16", True),
    (1080, 1080): ("1:1", True),
    (1280, 720): ("16:9", False),
    (720, 1280): ("9:16", False),
    (720, 720): ("1:1", False),
}


def parse(text: str) -> Instruction:
    """What `text` asks for. Pure and deterministic."""
    notes: list[str] = []
    cannot: list[str] = []

    duration: float | None = None
    if match := _DURATION.search(text):
        value = float(match.group(1))
        duration = min(max(value, MIN_DURATION_S), MAX_DURATION_S)
        if duration != value:
            notes.append(
                f"Clips can be {MIN_DURATION_S:g} to {MAX_DURATION_S:g} seconds long; I used {duration:g} s."
            )

    aspect: Aspect | None = None
    hd: bool | None = None
    if match := _EXPLICIT_SIZE.search(text):
        size = (int(match.group(1)), int(match.group(2)))
        if size in _SIZES:
            aspect, hd = _SIZES[size]
        else:
            notes.append(
                f"I render 1280x720, 720x1280, 720x720 or their 1080 versions; {size[0]}x{size[1]} is not one of them."
            )
    if aspect is None:
        if match := _RATIO.search(text):
            aspect = _RATIOS.get((match.group(1), match.group(2)))
        elif _VERTICAL.search(text):
            aspect = "9:16"
        elif _SQUARE.search(text):
            aspect = "1:1"
        elif _LANDSCAPE.search(text):
            aspect = "16:9"
    if hd is None:
        if _HD.search(text):
            hd = True
        elif _SD.search(text):
            hd = False

    motion: Motion | None = None
    for pattern, name in _MOTIONS:
        if pattern.search(text):
            motion = name
            break

    remove_title = bool(_REMOVE_TITLE.search(text))
    title: str | None = None
    if not remove_title and _TITLE_WORD.search(text) and (match := _QUOTED.search(text)):
        title = next(group for group in match.groups() if group is not None).strip() or None

    remove_music = bool(_REMOVE_MUSIC.search(text))
    music = not remove_music and bool(_MUSIC.search(text))
    volume: float | None = None
    if (match := _PERCENT.search(text)) and _VOLUME_WORD.search(text):
        percent = int(match.group(1))
        volume = min(percent, 100) / 100
        if percent > 100:
            notes.append("Music volume can be at most 100%; I used 100%.")

    for pattern, sentence in _CANNOT:
        if pattern.search(text):
            cannot.append(sentence)

    return Instruction(
        text=text,
        duration_s=duration,
        aspect=aspect,
        hd=hd,
        motion=motion,
        title=title,
        remove_title=remove_title,
        music=music,
        remove_music=remove_music,
        music_volume=volume,
        low_vram=bool(_LOW_VRAM.search(text)),
        intent=bool(_INTENT.search(text)),
        cannot=tuple(cannot),
        notes=tuple(notes),
    )


def frame_size(aspect: Aspect, hd: bool) -> tuple[int, int]:
    """Output width and height for an aspect ratio."""
    for size, (name, big) in _SIZES.items():
        if name == aspect and big == hd:
            return size
    raise ValueError(aspect)


def is_known_size(width: int, height: int) -> bool:
    return (width, height) in _SIZES


def aspect_of(width: int, height: int) -> tuple[Aspect, bool]:
    """The aspect and size class of a frame size (sizes not produced here count as 16:9)."""
    return _SIZES.get((width, height), ("16:9", max(width, height) >= 1080))


__all__ = ["Aspect", "Instruction", "aspect_of", "frame_size", "is_known_size", "parse"]
