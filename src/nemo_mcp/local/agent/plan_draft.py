"""A ClipPlan as the short-key draft of the contract (§7), and back.

    {"t": [{"tt": 0, "sg": [video]}, {"tt": 1, "sg": [music]}, {"tt": 7, "sg": [title]}],
     "d": <ms>, "m": {"name": <image stem>, "title": <only when there is one>, "width", "height", "fps"}}

Segment keys (ours; the contract leaves them open), all segments: `id`, `name`, `st` (start, ms), `d`
(duration, ms). Video (tt 0): `type` ("image"), `src`, `hash`, `motion`, `speed` (slow/normal/fast),
`loop`, `fit` (auto/fit/crop), `bg` (a colour, only when set). Music (tt 1): `vol` (0..1) and either
`mood` (a bundled track) or `hash` + `src` (an uploaded file). Title (tt 7): `text`, `pos`
(top/center/bottom), `scale`. `m.title` is the clip's title only: a clip without one has none (the
image's file name is `m.name`). Files are found again by `hash` among the session's uploads, so a draft a
client sends back (with any extra keys) still reads.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, get_args

from nemo_mcp.local.agent.plan_types import (
    DEFAULT_MUSIC_VOLUME,
    FORMATS,
    FPS,
    MAX_DURATION_S,
    MIN_DURATION_S,
    ClipPlan,
    Framing,
)
from nemo_mcp.local.agent.terms import MOODS, Motion, Position, Speed
from nemo_mcp.local.records import SessionRecord, UploadRecord

TRACK_VIDEO = 0
TRACK_AUDIO = 1
TRACK_TEXT = 7


class DraftError(ValueError):
    """A draft that cannot be read: no video segment, an unknown file, an unsupported size."""


def to_draft(plan: ClipPlan, url_for: dict[str, str]) -> dict[str, Any]:
    """The draft for `plan`; `url_for` maps an upload's sha256 to the URL it is served at."""
    total = _ms(plan.duration_s)
    video: dict[str, Any] = {
        "id": "video-1",
        "name": plan.image.filename,
        "type": "image",
        "src": url_for.get(plan.image.sha256, ""),
        "hash": plan.image.sha256,
        "st": 0,
        "d": total,
        "motion": plan.motion,
        "speed": plan.motion_speed,
        "loop": plan.loop,
        "fit": plan.fit,
    }
    if plan.background is not None:
        video["bg"] = plan.background
    tracks: list[dict[str, Any]] = [{"tt": TRACK_VIDEO, "sg": [video]}]
    if plan.music is not None or plan.music_mood is not None:
        music: dict[str, Any] = {"id": "music-1", "st": 0, "d": total, "vol": round(plan.music_volume, 3)}
        if plan.music is not None:
            music.update(
                name=plan.music.filename, src=url_for.get(plan.music.sha256, ""), hash=plan.music.sha256
            )
        else:
            music.update(name=f"{plan.music_mood} (bundled)", mood=plan.music_mood)
        tracks.append({"tt": TRACK_AUDIO, "sg": [music]})
    if plan.title is not None:
        shown = total if plan.title_duration_s is None else _ms(plan.title_duration_s)
        title = {
            "id": "title-1",
            "name": "Title",
            "text": plan.title,
            "st": 0,
            "d": shown,
            "pos": plan.title_position,
            "scale": round(plan.title_scale, 3),
        }
        tracks.append({"tt": TRACK_TEXT, "sg": [title]})
    meta: dict[str, Any] = {
        "name": Path(plan.image.filename).stem,
        "width": plan.width,
        "height": plan.height,
        "fps": FPS,
    }
    if plan.title is not None:
        meta["title"] = plan.title
    return {"t": tracks, "d": total, "m": meta}


def from_draft(draft: Any, session: SessionRecord) -> ClipPlan:
    """The plan a draft describes, files found among the session's uploads; DraftError if it cannot be read."""
    if not isinstance(draft, dict) or not isinstance(draft.get("t"), list):
        raise DraftError("The draft has no tracks (`t`).")
    video = _first_segment(draft, TRACK_VIDEO)
    if video is None:
        raise DraftError("The draft has no video segment to render.")
    image = _upload(session, video, "image")
    if image is None:
        raise DraftError("The draft's video segment is not an image uploaded to this session.")
    duration_s = _number(draft.get("d", video.get("d")), None)
    if duration_s is None:
        raise DraftError("The draft has no duration (`d`, in ms).")
    duration_s /= 1000
    if not MIN_DURATION_S <= duration_s <= MAX_DURATION_S:
        raise DraftError(f"The draft's duration must be {MIN_DURATION_S:g} to {MAX_DURATION_S:g} seconds.")
    meta: dict[str, Any] = draft["m"] if isinstance(draft.get("m"), dict) else {}
    size = (meta.get("width", 1280), meta.get("height", 720))
    if size not in FORMATS:
        raise DraftError(f"{size[0]}x{size[1]} is not a size the local backend renders.")
    aspect, resolution = FORMATS[size]
    plan = ClipPlan(
        image=image,
        duration_s=duration_s,
        aspect=aspect,
        resolution=resolution,
        motion=_choice(video.get("motion"), get_args(Motion), "zoom_in"),
        motion_speed=_choice(video.get("speed"), get_args(Speed), "normal"),
        loop=video.get("loop") is True,
        fit=_choice(video.get("fit"), get_args(Framing), "auto"),
        background=video["bg"] if isinstance(video.get("bg"), str) and video["bg"] else None,
    )
    plan = _with_title(plan, _first_segment(draft, TRACK_TEXT))
    return _with_music(plan, _first_segment(draft, TRACK_AUDIO), session)


def _with_title(plan: ClipPlan, segment: dict[str, Any] | None) -> ClipPlan:
    if segment is None or not isinstance(segment.get("text"), str) or not segment["text"].strip():
        return plan
    shown = _number(segment.get("d"), None)
    title_s = None if shown is None or shown / 1000 >= plan.duration_s else shown / 1000
    scale = min(max(_number(segment.get("scale"), 1.0) or 1.0, 0.6), 2.0)
    return replace(
        plan,
        title=segment["text"].strip()[:100],
        title_duration_s=title_s,
        title_position=_choice(segment.get("pos"), get_args(Position), "bottom"),
        title_scale=scale,
    )


def _with_music(plan: ClipPlan, segment: dict[str, Any] | None, session: SessionRecord) -> ClipPlan:
    if segment is None:
        return plan
    volume = min(max(_number(segment.get("vol"), DEFAULT_MUSIC_VOLUME) or 0.0, 0.0), 1.0)
    if segment.get("mood") in MOODS and "hash" not in segment:
        return replace(plan, music_mood=str(segment["mood"]), music_volume=volume)
    music = _upload(session, segment, "audio")
    if music is None:
        raise DraftError(
            "The draft's music segment is neither a mood nor an audio file uploaded to this session."
        )
    return replace(plan, music=music, music_volume=volume)


def _choice(value: Any, allowed: tuple[Any, ...], default: Any) -> Any:
    return value if value in allowed else default


def _number(value: Any, default: float | None) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _first_segment(draft: dict[str, Any], track_type: int) -> dict[str, Any] | None:
    for track in draft["t"]:
        if isinstance(track, dict) and track.get("tt") == track_type and isinstance(track.get("sg"), list):
            for segment in track["sg"]:
                if isinstance(segment, dict):
                    return segment
    return None


def _upload(session: SessionRecord, segment: dict[str, Any], file_type: str) -> UploadRecord | None:
    sha = segment.get("hash")
    found = session.upload_by_hash(sha) if isinstance(sha, str) else None
    if found is None and isinstance(segment.get("src"), str):
        tail = segment["src"].rsplit("/", 1)[-1]
        found = next((u for u in reversed(session.uploads) if u.stored_name == tail), None)
    return found if found is not None and found.file_type == file_type else None


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


__all__ = ["TRACK_AUDIO", "TRACK_TEXT", "TRACK_VIDEO", "DraftError", "from_draft", "to_draft"]
