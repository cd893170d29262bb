"""The clip a session describes (a ClipPlan) and its draft in the short-key format of the contract (§7).

    {"t": [{"tt": 0, "sg": [video segment]}, {"tt": 1, "sg": [music segment]}, {"tt": 7, "sg": [title segment]}],
     "d": <ms>, "m": {"title": ..., "width": ..., "height": ..., "fps": 30}}

Segment keys (ours; the contract leaves them open), all segments: `id`, `name`, `st` (start, ms), `d`
(duration, ms). Video (tt 0) adds `src` (the upload's URL), `hash` (its sha256), `type` ("image") and
`motion` (zoom_in, zoom_out, pan_left, pan_right, pan_up, pan_down, ken_burns). Music (tt 1) adds `src`,
`hash` and `vol` (0..1). Title (tt 7) adds `text`. Files are found again by `hash` among the session's
uploads, so a draft a client sends back (with any extra keys) still renders.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nemo_mcp.local.agent.instructions import Instruction, aspect_of, frame_size, is_known_size
from nemo_mcp.local.render.motion import Motion
from nemo_mcp.local.render.spec import MOTIONS, ClipSpec
from nemo_mcp.local.store import SessionRecord, UploadRecord

TRACK_VIDEO = 0
TRACK_AUDIO = 1
TRACK_TEXT = 7
FPS = 30
DEFAULT_DURATION_S = 5.0
DEFAULT_MOTION: Motion = "zoom_in"
DEFAULT_MUSIC_VOLUME = 0.35
# A title stays this long, or the whole clip when the clip is shorter.
DEFAULT_TITLE_S = 3.0
# Part of every cache key: bump when the renderer's output for the same plan changes.
RENDER_CACHE_VERSION = 1

_MOTION_WORDS = {m: m.replace("_", " ") for m in MOTIONS}


class DraftError(ValueError):
    """A draft that cannot be rendered: no video segment, an unknown file, an unsupported size."""


@dataclass(frozen=True)
class ClipPlan:
    image: UploadRecord
    duration_s: float = DEFAULT_DURATION_S
    width: int = 1280
    height: int = 720
    motion: Motion = DEFAULT_MOTION
    title: str | None = None
    # None: the title stays for the whole clip
    title_duration_s: float | None = None
    music: UploadRecord | None = None
    music_volume: float = DEFAULT_MUSIC_VOLUME


def _title_duration(duration_s: float) -> float | None:
    return DEFAULT_TITLE_S if duration_s > DEFAULT_TITLE_S else None


def apply(
    base: ClipPlan, ins: Instruction, *, audio: UploadRecord | None
) -> tuple[ClipPlan, list[str], list[str]]:
    """`base` changed as `ins` asks: (new plan, what changed, what could not be applied and why)."""
    plan = base
    changes: list[str] = []
    problems: list[str] = []
    if ins.duration_s is not None and ins.duration_s != plan.duration_s:
        changes.append(f"duration {plan.duration_s:g} s → {ins.duration_s:g} s")
        plan = replace(plan, duration_s=ins.duration_s)
        if plan.title is not None:
            plan = replace(plan, title_duration_s=_title_duration(plan.duration_s))
    aspect, hd = aspect_of(plan.width, plan.height)
    width, height = frame_size(ins.aspect or aspect, hd if ins.hd is None else ins.hd)
    if (width, height) != (plan.width, plan.height):
        changes.append(f"size {plan.width}x{plan.height} → {width}x{height}")
        plan = replace(plan, width=width, height=height)
    if ins.motion is not None and ins.motion != plan.motion:
        changes.append(f"motion {_MOTION_WORDS[plan.motion]} → {_MOTION_WORDS[ins.motion]}")
        plan = replace(plan, motion=ins.motion)
    if ins.remove_title and plan.title is not None:
        changes.append(f'title "{plan.title}" removed')
        plan = replace(plan, title=None, title_duration_s=None)
    elif ins.title is not None and ins.title != plan.title:
        changes.append(
            f'title "{ins.title}"' if plan.title is None else f'title "{plan.title}" → "{ins.title}"'
        )
        plan = replace(plan, title=ins.title, title_duration_s=_title_duration(plan.duration_s))
    if ins.remove_music and plan.music is not None:
        changes.append(f"music {plan.music.filename} removed")
        plan = replace(plan, music=None)
    elif ins.music:
        if audio is None:
            problems.append(
                "I cannot add music without an audio file: upload an mp3, wav, m4a or aac file first."
            )
        elif plan.music is None or plan.music.sha256 != audio.sha256:
            changes.append(f"music {audio.filename}")
            plan = replace(plan, music=audio)
    if ins.music_volume is not None and ins.music_volume != plan.music_volume:
        if plan.music is None:
            if not problems:
                problems.append("There is no music to set the volume of: upload an audio file first.")
        else:
            changes.append(f"music volume {plan.music_volume:.0%} → {ins.music_volume:.0%}")
            plan = replace(plan, music_volume=ins.music_volume)
    return plan, changes, problems


def to_draft(plan: ClipPlan, url_for: dict[str, str]) -> dict[str, Any]:
    """The draft for `plan`; `url_for` maps an upload's sha256 to the URL it is served at."""
    total = _ms(plan.duration_s)
    tracks: list[dict[str, Any]] = [
        {
            "tt": TRACK_VIDEO,
            "sg": [
                {
                    "id": "video-1",
                    "name": plan.image.filename,
                    "type": "image",
                    "src": url_for.get(plan.image.sha256, ""),
                    "hash": plan.image.sha256,
                    "st": 0,
                    "d": total,
                    "motion": plan.motion,
                }
            ],
        }
    ]
    if plan.music is not None:
        tracks.append(
            {
                "tt": TRACK_AUDIO,
                "sg": [
                    {
                        "id": "music-1",
                        "name": plan.music.filename,
                        "src": url_for.get(plan.music.sha256, ""),
                        "hash": plan.music.sha256,
                        "st": 0,
                        "d": total,
                        "vol": round(plan.music_volume, 3),
                    }
                ],
            }
        )
    if plan.title is not None:
        shown = total if plan.title_duration_s is None else _ms(plan.title_duration_s)
        tracks.append(
            {
                "tt": TRACK_TEXT,
                "sg": [{"id": "title-1", "name": "Title", "text": plan.title, "st": 0, "d": shown}],
            }
        )
    return {
        "t": tracks,
        "d": total,
        "m": {
            "title": plan.title or Path(plan.image.filename).stem,
            "width": plan.width,
            "height": plan.height,
            "fps": FPS,
        },
    }


def from_draft(draft: Any, session: SessionRecord) -> ClipPlan:
    """The plan a draft describes, with files found among the session's uploads; DraftError if it cannot."""
    if not isinstance(draft, dict) or not isinstance(draft.get("t"), list):
        raise DraftError("The draft has no tracks (`t`).")
    video = _first_segment(draft, TRACK_VIDEO)
    if video is None:
        raise DraftError("The draft has no video segment to render.")
    image = _upload(session, video, "image")
    if image is None:
        raise DraftError("The draft's video segment is not an image uploaded to this session.")
    duration_ms = draft.get("d", video.get("d"))
    if not isinstance(duration_ms, int | float) or isinstance(duration_ms, bool):
        raise DraftError("The draft has no duration (`d`, in ms).")
    duration_s = duration_ms / 1000
    if not 1.0 <= duration_s <= 30.0:
        raise DraftError("The draft's duration must be 1 to 30 seconds.")
    meta = draft.get("m") if isinstance(draft.get("m"), dict) else {}
    assert isinstance(meta, dict)
    width, height = meta.get("width", 1280), meta.get("height", 720)
    if not isinstance(width, int) or not isinstance(height, int):
        raise DraftError("The draft's size (`m.width`, `m.height`) is not a pair of whole numbers.")
    if not is_known_size(width, height):
        raise DraftError(f"{width}x{height} is not a size the local backend renders.")
    motion_raw = video.get("motion", DEFAULT_MOTION)
    motion: Motion = motion_raw if motion_raw in MOTIONS else DEFAULT_MOTION
    plan = ClipPlan(image=image, duration_s=duration_s, width=width, height=height, motion=motion)
    title_seg = _first_segment(draft, TRACK_TEXT)
    if title_seg is not None and isinstance(title_seg.get("text"), str) and title_seg["text"].strip():
        shown = title_seg.get("d")
        title_s = shown / 1000 if isinstance(shown, int | float) and not isinstance(shown, bool) else None
        plan = replace(
            plan,
            title=title_seg["text"].strip()[:100],
            title_duration_s=None if title_s is None or title_s >= duration_s else title_s,
        )
    music_seg = _first_segment(draft, TRACK_AUDIO)
    if music_seg is not None:
        music = _upload(session, music_seg, "audio")
        if music is None:
            raise DraftError("The draft's music segment is not an audio file uploaded to this session.")
        vol = music_seg.get("vol", DEFAULT_MUSIC_VOLUME)
        volume = float(vol) if isinstance(vol, int | float) and not isinstance(vol, bool) else 0.35
        plan = replace(plan, music=music, music_volume=min(max(volume, 0.0), 1.0))
    return plan


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


def clip_key(plan: ClipPlan) -> str:
    """Names the rendered file: equal plans share one render."""
    fields = {
        "v": RENDER_CACHE_VERSION,
        "image": plan.image.sha256,
        "d": round(plan.duration_s, 3),
        "w": plan.width,
        "h": plan.height,
        "fps": FPS,
        "motion": plan.motion,
        "title": plan.title,
        "title_d": plan.title_duration_s,
        "music": plan.music.sha256 if plan.music else None,
        "vol": round(plan.music_volume, 3) if plan.music else None,
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:32]


def to_spec(plan: ClipPlan, upload_dir: Path) -> ClipSpec:
    return ClipSpec(
        image=upload_dir / plan.image.stored_name,
        duration_s=plan.duration_s,
        width=plan.width,
        height=plan.height,
        fps=FPS,
        motion=plan.motion,
        title=plan.title,
        title_duration_s=plan.title_duration_s,
        music=upload_dir / plan.music.stored_name if plan.music else None,
        music_volume=plan.music_volume,
    )


def summary(plan: ClipPlan) -> str:
    """The timeline as a person reads it."""
    end = f"{plan.duration_s:g}s"
    items = [
        f"Video: {plan.image.filename} (0-{end}, {_MOTION_WORDS[plan.motion]}, {plan.width}x{plan.height})"
    ]
    if plan.music is not None:
        items.append(f"BGM: {plan.music.filename} (0-{end}, {plan.music_volume:.0%})")
    if plan.title is not None:
        shown = plan.duration_s if plan.title_duration_s is None else plan.title_duration_s
        items.append(f'Title: "{plan.title}" (0-{shown:g}s)')
    count = len(items)
    listed = " ".join(f"{i}. {item}" for i, item in enumerate(items, 1))
    return f"Timeline ({count} track{'s' if count > 1 else ''}): {listed}"


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


__all__ = [
    "DEFAULT_DURATION_S",
    "FPS",
    "TRACK_AUDIO",
    "TRACK_TEXT",
    "TRACK_VIDEO",
    "ClipPlan",
    "DraftError",
    "apply",
    "clip_key",
    "from_draft",
    "summary",
    "to_draft",
    "to_spec",
]
