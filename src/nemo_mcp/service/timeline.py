"""The draft as people read it (contract §7), whether it can be exported (§5), and what changed.

Draft keys are short: `t` tracks, `tt` track type (0 video, 1 audio/BGM, 7 text/title), `sg` segments,
`d` duration in ms, `m` metadata. Nothing documents the keys inside a segment, so several common
spellings are tried and unknown keys are ignored (never dropped from the draft itself: the draft is
sent back to the API untouched).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nemo_mcp.service.models import MediaView, TrackView
from nemo_mcp.service.text import one_line

_KINDS: dict[int, tuple[str, str]] = {0: ("video", "Video"), 1: ("audio", "BGM"), 7: ("text", "Title")}
_NAME_KEYS = ("title", "name", "n", "text", "txt", "label", "content", "filename", "file_name")
# A title track's words are its label, not the segment's name ("Title").
_TEXT_KEYS = ("text", "txt", "content", "title", "name", "n", "label")
_SOURCE_KEYS = ("src", "url", "source", "path", "file", "cdn_url", "u")
_START_KEYS = ("s", "st", "start", "start_ms", "startTime", "start_time", "b", "begin", "offset", "o")
_END_KEYS = ("e", "end", "end_ms", "endTime", "end_time")
_DURATION_KEYS = ("d", "duration", "duration_ms", "dur", "len")
_VOLUME_KEYS = ("v", "vol", "volume")


def tracks_of(draft: Mapping[str, Any] | None) -> list[TrackView]:
    """One TrackView per track of the draft, in order; tolerant of any shape."""
    if not isinstance(draft, Mapping):
        return []
    raw_tracks = draft.get("t")
    if not isinstance(raw_tracks, list):
        return []
    return [_track(track) for track in raw_tracks if isinstance(track, Mapping)]


def _track(track: Mapping[str, Any]) -> TrackView:
    kind_code = _number(track.get("tt"))
    kind, default_label = _KINDS.get(int(kind_code) if kind_code is not None else -1, ("other", "Track"))
    segments = (
        [seg for seg in track.get("sg") or [] if isinstance(seg, Mapping)]
        if isinstance(track.get("sg"), list)
        else []
    )
    meta = track.get("m") if isinstance(track.get("m"), Mapping) else {}
    assert isinstance(meta, Mapping)

    start_ms: float | None = None
    end_ms: float | None = None
    cursor = 0.0
    for seg in segments:
        s = _first_number(seg, _START_KEYS)
        d = _first_number(seg, _DURATION_KEYS)
        e = _first_number(seg, _END_KEYS)
        seg_start = s if s is not None else cursor
        seg_end = e if e is not None else seg_start + (d or 0.0)
        cursor = seg_end
        start_ms = seg_start if start_ms is None else min(start_ms, seg_start)
        end_ms = seg_end if end_ms is None else max(end_ms, seg_end)
    track_d = _number(track.get("d"))
    if end_ms is None or (end_ms == (start_ms or 0.0) and track_d):
        start_ms = start_ms or 0.0
        end_ms = start_ms + (track_d or 0.0)

    name = _label(segments, meta, _TEXT_KEYS if kind == "text" else _NAME_KEYS) or default_label.lower()
    detail = None
    if kind == "audio":
        volume = _volume(segments, meta)
        if volume is not None:
            detail = f"{volume}%"
    if len(segments) > 1:
        count = f"{len(segments)} segments"
        detail = f"{detail}, {count}" if detail else count
    label = f'"{name}"' if kind == "text" else name
    return TrackView(
        kind=kind,  # type: ignore[arg-type]  # one of the Literal values by construction
        label=f"{default_label}: {label}",
        start_s=round(max(start_ms or 0.0, 0.0) / 1000, 3),
        end_s=round(max(end_ms or 0.0, 0.0) / 1000, 3),
        detail=detail,
    )


def _label(segments: Sequence[Mapping[str, Any]], meta: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for seg in segments:
        for key in keys:
            value = seg.get(key)
            if isinstance(value, str) and value.strip():
                return _short(value)
        nested = seg.get("m")
        if isinstance(nested, Mapping):
            for key in keys:
                value = nested.get(key)
                if isinstance(value, str) and value.strip():
                    return _short(value)
        for key in _SOURCE_KEYS:
            value = seg.get(key)
            if isinstance(value, str) and value.strip():
                return _short(value.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0])
    for key in _NAME_KEYS:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return _short(value)
    return None


def _volume(segments: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> int | None:
    for source in (*segments, meta):
        value = _first_number(source, _VOLUME_KEYS)
        if value is not None and value >= 0:
            return round(value * 100) if value <= 1 else round(min(value, 100))
    return None


def _first_number(obj: Mapping[str, Any], keys: Sequence[str]) -> float | None:
    for key in keys:
        value = _number(obj.get(key))
        if value is not None:
            return value
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if number == number and abs(number) < 1e15 else None


def _short(text: str, limit: int = 40) -> str:
    # The draft is the backend's text: no control character, newline or bidi override gets through.
    return one_line(text, limit)


def _seconds(value: float) -> str:
    return f"{value:g}s" if value == int(value) else f"{value:.1f}s"


def describe_track(track: TrackView) -> str:
    span = f"{_seconds(track.start_s).rstrip('s')}-{_seconds(track.end_s)}"
    return f"{track.label} ({span}{', ' + track.detail if track.detail else ''})"


def summary(tracks: Sequence[TrackView]) -> str:
    """`Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: "…" (0-3s)`"""
    if not tracks:
        return "Timeline is empty: nothing has been generated yet."
    noun = "track" if len(tracks) == 1 else "tracks"
    parts = " ".join(f"{i}. {describe_track(track)}" for i, track in enumerate(tracks, 1))
    return f"Timeline ({len(tracks)} {noun}): {parts}"


def ready_for_export(draft: Mapping[str, Any] | None) -> bool:
    """§5: `draft.t` exists and at least one track has a non-empty `sg`."""
    if not isinstance(draft, Mapping):
        return False
    tracks = draft.get("t")
    if not isinstance(tracks, list):
        return False
    return any(isinstance(t, Mapping) and isinstance(t.get("sg"), list) and t.get("sg") for t in tracks)


def media_of(
    video_infos: Sequence[Mapping[str, Any]], generated: Sequence[Mapping[str, Any]]
) -> list[MediaView]:
    """The files of a session: uploads (`video_infos`) first, then generated media."""
    media: list[MediaView] = []
    for item, origin in [(i, "upload") for i in video_infos] + [(g, "generated") for g in generated]:
        url = _first_str(item, ("cdn_url", "url", "src", "video_url", "output_url", "path"))
        name = _first_str(item, ("filename", "name", "file_name", "title", "prompt", "id"))
        if name is None and url:
            name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        kind = _first_str(item, ("file_type", "type", "kind", "media_type")) or (
            "video" if origin == "generated" else "file"
        )
        media.append(
            MediaView(name=_short(name or f"{origin} {len(media) + 1}", 80), kind=_short(kind, 20), url=url)
        )
    return media


def _first_str(item: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def other_track_changes(before: Sequence[TrackView], after: Sequence[TrackView]) -> list[str]:
    """Tracks of kinds the clip's facts do not cover (stickers, effects, …): added, removed or changed."""
    old = [track for track in before if track.kind == "other"]
    changes: list[str] = []
    for track in (t for t in after if t.kind == "other"):
        if track in old:
            old.remove(track)
            continue
        same = next((o for o in old if o.label == track.label), None)
        if same is not None:
            old.remove(same)
            changes.append(f"changed {describe_track(same)} → {describe_track(track)}")
        else:
            changes.append(f"added {describe_track(track)}")
    changes.extend(f"removed {describe_track(track)}" for track in old)
    return changes


def new_media(before: Sequence[MediaView], after: Sequence[MediaView]) -> list[str]:
    """Files that appeared in the session (a generated clip, say)."""
    known = {(m.name, m.url) for m in before}
    return [f"new {m.kind} in the session: {m.name}" for m in after if (m.name, m.url) not in known]
