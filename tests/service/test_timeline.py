"""The draft as people read it: summary lines, export readiness, and what changed between two states."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_mcp.service.models import MediaView, TrackView
from nemo_mcp.service.timeline import (
    media_of,
    new_media,
    other_track_changes,
    ready_for_export,
    summary,
    tracks_of,
)

DRAFT: dict[str, Any] = {
    "t": [
        {"tt": 0, "sg": [{"id": "v", "name": "city timelapse", "st": 0, "d": 10000, "zz": {"opaque": 1}}]},
        {"tt": 1, "sg": [{"name": "Lo-fi", "src": "https://cdn/lofi.mp3", "st": 0, "d": 10000, "vol": 0.35}]},
        {"tt": 7, "sg": [{"name": "Title", "text": "Urban Dreams", "st": 0, "d": 3000}]},
    ],
    "d": 10000,
    "m": {"title": "city", "width": 1920, "height": 1080},
}


def test_summary_reads_like_the_contract_example() -> None:
    assert summary(tracks_of(DRAFT)) == (
        'Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)'
    )


def test_segments_without_names_or_starts() -> None:
    draft = {"t": [{"tt": 0, "sg": [{"src": "https://cdn/x/photo.jpg?sig=1", "d": 2500}, {"d": 2500}]}]}
    (track,) = tracks_of(draft)
    assert track.label == "Video: photo.jpg"
    assert (track.start_s, track.end_s) == (0, 5)
    assert summary([track]) == "Timeline (1 track): 1. Video: photo.jpg (0-5s, 2 segments)"


def test_unknown_track_type_and_track_level_duration() -> None:
    (track,) = tracks_of({"t": [{"tt": 42, "d": 4000, "sg": [{}]}]})
    assert track.kind == "other"
    assert track.end_s == 4


def test_empty_and_odd_drafts() -> None:
    assert tracks_of(None) == []
    assert tracks_of({"t": "nope"}) == []
    assert tracks_of({"t": [1, "x", {"tt": "0", "sg": "no"}]})[0].kind == "other"
    assert summary([]).startswith("Timeline is empty")


@pytest.mark.parametrize(
    ("draft", "ready"),
    [
        (DRAFT, True),
        ({"t": [{"tt": 0, "sg": []}]}, False),
        ({"t": []}, False),
        ({}, False),
        (None, False),
        ({"t": [{"tt": 7, "sg": [{"text": "x"}]}]}, True),
    ],
)
def test_ready_for_export(draft: dict[str, Any] | None, ready: bool) -> None:
    assert ready_for_export(draft) is ready


def test_new_media_and_tracks_of_other_kinds() -> None:
    clip = MediaView(name="clip.mp4", kind="video", url="u")
    assert new_media([], [clip]) == ["new video in the session: clip.mp4"]
    assert new_media([clip], [clip]) == []
    sticker = TrackView(kind="other", label="Track: sticker", start_s=0, end_s=2)
    longer = sticker.model_copy(update={"end_s": 4})
    assert other_track_changes([], [sticker]) == ["added Track: sticker (0-2s)"]
    assert other_track_changes([sticker], [longer]) == [
        "changed Track: sticker (0-2s) → Track: sticker (0-4s)"
    ]
    assert other_track_changes([sticker], []) == ["removed Track: sticker (0-2s)"]
    video = tracks_of(DRAFT)  # video, music and title are the clip's facts, not "other" tracks
    assert other_track_changes([], video) == []


def test_media_from_uploads_and_generated() -> None:
    media = media_of(
        [{"filename": "a.png", "file_type": "image", "cdn_url": "https://cdn/a.png"}],
        [{"url": "https://cdn/gen/clip-1.mp4"}, {"junk": 1}],
    )
    assert [(m.name, m.kind) for m in media] == [
        ("a.png", "image"),
        ("clip-1.mp4", "video"),
        ("generated 3", "video"),
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda c: (
        st.lists(c, max_size=3)
        | st.dictionaries(
            st.sampled_from(["t", "tt", "sg", "d", "st", "name", "text", "vol", "m", "s"]), c, max_size=5
        )
    ),
    max_leaves=30,
)


@settings(deadline=None)  # CPU time varies on shared CI machines
@given(json_values)
def test_fuzz_any_draft_gives_a_summary(draft: Any) -> None:
    tracks = tracks_of(draft if isinstance(draft, dict) else None)
    assert summary(tracks).startswith("Timeline")
    assert isinstance(ready_for_export(draft if isinstance(draft, dict) else None), bool)
