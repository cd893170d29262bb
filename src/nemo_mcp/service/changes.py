"""What a person would notice about a clip, read from its draft, and what changed between two drafts.

`ClipFacts` is the clip as a person describes it: how long, what shape and size, how the camera moves
and how fast, the title and where it sits, the music and how loud. Both backends' drafts are read the
same way; keys inside segments are not documented (contract §7), so common spellings are tried and a
fact nobody can read stays `None` (and is never reported as changed).

`describe(before, after)` lists the differences in words; `unmet(intent, after)` lists what was asked
in structured fields but is not in the clip. Both are pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nemo_mcp.service.intent import Intent

_TRACK_VIDEO, _TRACK_AUDIO, _TRACK_TEXT = 0, 1, 7
_MOTION_KEYS = ("motion", "camera", "movement", "animation", "effect")
_SPEED_KEYS = ("speed", "motion_speed")
_POSITION_KEYS = ("pos", "position", "placement", "align")
_MUSIC_NAME_KEYS = ("mood", "name", "title", "n", "filename")
_VOLUME_KEYS = ("vol", "volume", "v")
_TEXT_KEYS = ("text", "txt", "content", "title")
_DURATION_KEYS = ("d", "duration", "duration_ms", "dur")
_START_KEYS = ("st", "s", "start", "start_ms")
_ASPECTS = {
    (16, 9): "16:9",
    (9, 16): "9:16",
    (1, 1): "1:1",
    (4, 5): "4:5",
    (5, 4): "5:4",
    (4, 3): "4:3",
    (3, 4): "3:4",
}


@dataclass(frozen=True)
class ClipFacts:
    has_video: bool = False
    source: str | None = None  # what the clip is made from, as its segment names it
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    motion: str | None = None
    motion_speed: str | None = None
    loop: bool | None = None
    fit: str | None = None
    title: str | None = None
    title_position: str | None = None
    music: str | None = None
    music_volume: int | None = None  # percent

    @property
    def aspect(self) -> str | None:
        if not self.width or not self.height:
            return None
        for (w, h), name in _ASPECTS.items():
            if abs(self.width * h - self.height * w) <= max(self.width, self.height) * 0.01 * h:
                return name
        return f"{self.width}:{self.height}"

    @property
    def resolution(self) -> str | None:
        if not self.width or not self.height:
            return None
        return f"{min(self.width, self.height)}p"

    @property
    def size(self) -> str | None:
        return f"{self.width}x{self.height}" if self.width and self.height else None


def facts_of(draft: Mapping[str, Any] | None) -> ClipFacts:
    """The clip a draft describes, as far as its keys can be read."""
    if not isinstance(draft, Mapping):
        return ClipFacts()
    meta = draft.get("m") if isinstance(draft.get("m"), Mapping) else {}
    assert isinstance(meta, Mapping)
    video = _first_segment(draft, _TRACK_VIDEO)
    title = _first_segment(draft, _TRACK_TEXT)
    music = _first_segment(draft, _TRACK_AUDIO)
    return ClipFacts(
        has_video=video is not None,
        source=_word(video, ("name", "filename", "title")),
        duration_s=_duration(draft, video),
        width=_whole(meta.get("width")),
        height=_whole(meta.get("height")),
        motion=_word(video, _MOTION_KEYS),
        motion_speed=_word(video, _SPEED_KEYS),
        loop=video.get("loop") if video is not None and isinstance(video.get("loop"), bool) else None,
        fit=_word(video, ("fit",)),
        title=_text(title, _TEXT_KEYS),
        title_position=_word(title, _POSITION_KEYS),
        music=_music_name(music),
        music_volume=_volume(music),
    )


def describe(before: ClipFacts, after: ClipFacts) -> list[str]:
    """Every difference a person would notice, one short phrase each; [] when the clip is the same."""
    if after.has_video and not before.has_video:
        return [first_clip(after)]
    changes: list[str] = []
    if _differs(before.duration_s, after.duration_s):
        changes.append(f"duration {_seconds(before.duration_s)} → {_seconds(after.duration_s)}")
    if after.size and before.size and after.size != before.size:
        changes.append(f"format {before.aspect} {before.size} → {after.aspect} {after.size}")
    if _differs(before.motion, after.motion):
        changes.append(f"motion {_words(before.motion)} → {_words(after.motion)}")
    if _differs(before.motion_speed, after.motion_speed):
        changes.append(f"motion speed {before.motion_speed} → {after.motion_speed}")
    if _differs(before.loop, after.loop):
        changes.append("the motion now loops" if after.loop else "the motion no longer loops")
    if _differs(before.fit, after.fit):
        changes.append(f"framing {before.fit} → {after.fit}")
    changes.extend(_title_changes(before, after))
    changes.extend(_music_changes(before, after))
    return changes


def first_clip(facts: ClipFacts) -> str:
    """A new clip described whole: "a new clip of photo.jpg: 5 s, 16:9 1280x720, zoom in (normal speed)"."""
    parts = [part for part in (_seconds(facts.duration_s), _shape(facts)) if part]
    if facts.motion:
        speed = f" ({facts.motion_speed} speed)" if facts.motion_speed else ""
        parts.append(f"{_words(facts.motion)}{speed}")
    if facts.title:
        parts.append(
            f'title "{facts.title}"' + (f" at the {facts.title_position}" if facts.title_position else "")
        )
    if facts.music:
        parts.append(
            f"music {facts.music}" + (f" at {facts.music_volume}%" if facts.music_volume is not None else "")
        )
    of = f" of {facts.source}" if facts.source else ""
    return f"a new clip{of}: " + ", ".join(parts) if parts else f"a new clip{of}"


def unmet(intent: Intent, after: ClipFacts) -> list[str]:
    """What the structured fields asked for that the clip does not show (only facts that can be read)."""
    missing: list[str] = []
    if (
        intent.duration_s is not None
        and after.duration_s is not None
        and abs(after.duration_s - intent.duration_s) > 0.25
    ):
        missing.append(f"duration {intent.duration_s:g} s (the clip is {_seconds(after.duration_s)})")
    if intent.aspect_ratio is not None and after.aspect is not None and after.aspect != intent.aspect_ratio:
        missing.append(f"aspect ratio {intent.aspect_ratio} (the clip is {after.aspect})")
    if (
        intent.resolution is not None
        and after.resolution is not None
        and after.resolution != intent.resolution
    ):
        missing.append(f"resolution {intent.resolution} (the clip is {after.resolution})")
    if intent.motion is not None and after.motion is not None and _norm(after.motion) != intent.motion:
        missing.append(f"motion {_words(intent.motion)} (the clip has {_words(after.motion)})")
    if (
        intent.motion_speed is not None
        and after.motion_speed is not None
        and after.motion_speed != intent.motion_speed
    ):
        missing.append(f"motion speed {intent.motion_speed} (the clip's is {after.motion_speed})")
    if intent.title is not None and (after.title or "").strip() != intent.title.strip():
        missing.append(
            f'title "{intent.title}"'
            + (f' (the clip shows "{after.title}")' if after.title else " (no title shows)")
        )
    if (
        intent.title_position is not None
        and after.title_position is not None
        and after.title_position != intent.title_position
    ):
        missing.append(f"title at the {intent.title_position} (it is at the {after.title_position})")
    if intent.music is not None and after.music is None:
        missing.append(f"music {intent.music} (the clip has none)")
    if (
        intent.music_volume is not None
        and after.music_volume is not None
        and abs(after.music_volume - intent.music_volume) > 2
    ):
        missing.append(f"music at {intent.music_volume}% (it is at {after.music_volume}%)")
    return missing


def _title_changes(before: ClipFacts, after: ClipFacts) -> list[str]:
    if before.title == after.title:
        if _differs(before.title_position, after.title_position) and after.title:
            return [f"title moved {before.title_position} → {after.title_position}"]
        return []
    if after.title is None:
        return [f'title "{before.title}" removed']
    where = f" at the {after.title_position}" if after.title_position else ""
    if before.title is None:
        return [f'title "{after.title}" added{where}']
    moved = _differs(before.title_position, after.title_position)
    return [f'title "{before.title}" → "{after.title}"' + (where if moved else "")]


def _music_changes(before: ClipFacts, after: ClipFacts) -> list[str]:
    if after.music is None:
        return [f"music {before.music} removed"] if before.music is not None else []
    level = f" at {after.music_volume}%" if after.music_volume is not None else ""
    if before.music is None:
        return [f"music {after.music} added{level}"]
    changes = [f"music {before.music} → {after.music}"] if before.music != after.music else []
    if _differs(before.music_volume, after.music_volume):
        changes.append(f"music volume {before.music_volume}% → {after.music_volume}%")
    return changes


def _first_segment(draft: Mapping[str, Any], track_type: int) -> Mapping[str, Any] | None:
    tracks = draft.get("t")
    for track in tracks if isinstance(tracks, list) else []:
        if (
            isinstance(track, Mapping)
            and _whole(track.get("tt")) == track_type
            and isinstance(track.get("sg"), list)
        ):
            for segment in track["sg"]:
                if isinstance(segment, Mapping):
                    return segment
    return None


def _duration(draft: Mapping[str, Any], video: Mapping[str, Any] | None) -> float | None:
    for source in (draft, video or {}):
        for key in _DURATION_KEYS:
            value = _number(source.get(key))
            if value is not None and value > 0:
                start = next((s for k in _START_KEYS if (s := _number(source.get(k))) is not None), 0.0)
                return round((value + (start if source is video else 0.0)) / 1000, 3)
    return None


def _word(segment: Mapping[str, Any] | None, keys: Sequence[str], limit: int = 40) -> str | None:
    if segment is None:
        return None
    for key in keys:
        value = segment.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:limit]
    return None


def _text(segment: Mapping[str, Any] | None, keys: Sequence[str]) -> str | None:
    return _word(segment, keys, limit=100)


def _music_name(segment: Mapping[str, Any] | None) -> str | None:
    if segment is None:
        return None
    name = _word(segment, _MUSIC_NAME_KEYS)
    if name is None:
        src = segment.get("src") or segment.get("url")
        name = (
            src.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0][:40]
            if isinstance(src, str) and src
            else "a track"
        )
    return name


def _volume(segment: Mapping[str, Any] | None) -> int | None:
    if segment is None:
        return None
    for key in _VOLUME_KEYS:
        value = _number(segment.get(key))
        if value is not None and value >= 0:
            return round(value * 100) if value <= 1 else round(min(value, 100))
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number and abs(number) < 1e15 else None


def _whole(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number == int(number) else None


def _differs(before: object, after: object) -> bool:
    return before is not None and after is not None and before != after


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g} s" if abs(value - round(value, 1)) < 1e-9 else f"{value:.1f} s"


def _shape(facts: ClipFacts) -> str:
    return f"{facts.aspect} {facts.size}" if facts.size else ""


def _norm(motion: str) -> str:
    return motion.strip().lower().replace(" ", "_").replace("-", "_")


def _words(motion: str | None) -> str:
    return (motion or "").replace("_", " ")
