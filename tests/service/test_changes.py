"""What a person would notice about a clip, read from its draft, and what changed between two drafts."""

from __future__ import annotations

from typing import Any

import pytest

from nemo_mcp.service.changes import ClipFacts, describe, facts_of, first_clip, unmet
from nemo_mcp.service.intent import Intent


def draft(
    *,
    d: int = 5000,
    size: tuple[int, int] = (1280, 720),
    motion: str = "zoom_in",
    speed: str | None = "normal",
    title: str | None = None,
    pos: str = "bottom",
    music: str | None = None,
    vol: float = 0.35,
) -> dict[str, Any]:
    video: dict[str, Any] = {"name": "photo.jpg", "st": 0, "d": d, "motion": motion}
    if speed is not None:
        video["speed"] = speed
    tracks: list[dict[str, Any]] = [{"tt": 0, "sg": [video]}]
    if music is not None:
        tracks.append({"tt": 1, "sg": [{"mood": music, "st": 0, "d": d, "vol": vol}]})
    if title is not None:
        tracks.append({"tt": 7, "sg": [{"text": title, "pos": pos, "st": 0, "d": d}]})
    return {"t": tracks, "d": d, "m": {"width": size[0], "height": size[1], "fps": 30, "name": "photo"}}


def test_facts_read_every_thing_a_person_notices() -> None:
    facts = facts_of(draft(title="夏天", pos="top", music="calm", vol=0.3, size=(1080, 1920)))
    assert facts == ClipFacts(
        has_video=True,
        source="photo.jpg",
        duration_s=5.0,
        width=1080,
        height=1920,
        motion="zoom_in",
        motion_speed="normal",
        title="夏天",
        title_position="top",
        music="calm",
        music_volume=30,
    )
    assert (facts.aspect, facts.resolution, facts.size) == ("9:16", "1080p", "1080x1920")


def test_the_first_clip_is_described_whole_and_names_no_title_it_does_not_show() -> None:
    (change,) = describe(facts_of({}), facts_of(draft()))
    assert change == "a new clip of photo.jpg: 5 s, 16:9 1280x720, zoom in (normal speed)"
    assert "title" not in change
    assert "title" in first_clip(facts_of(draft(title="Sea")))


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (draft(d=8000), ["duration 5 s → 8 s"]),
        (draft(size=(720, 1280)), ["format 16:9 1280x720 → 9:16 720x1280"]),
        (draft(motion="pan_right"), ["motion zoom in → pan right"]),
        (draft(speed="slow"), ["motion speed normal → slow"]),
        (draft(title="Summer", pos="top"), ['title "Summer" added at the top']),
        (draft(music="calm"), ["music calm added at 35%"]),
        (draft(), []),
    ],
)
def test_each_kind_of_change_is_named(after: dict[str, Any], expected: list[str]) -> None:
    assert describe(facts_of(draft()), facts_of(after)) == expected


def test_title_and_music_edits() -> None:
    titled = facts_of(draft(title="Summer"))
    assert describe(titled, facts_of(draft(title="Summer", pos="top"))) == ["title moved bottom → top"]
    assert describe(titled, facts_of(draft(title="Winter"))) == ['title "Summer" → "Winter"']
    assert describe(titled, facts_of(draft())) == ['title "Summer" removed']
    calm = facts_of(draft(music="calm"))
    assert describe(calm, facts_of(draft(music="calm", vol=0.2))) == ["music volume 35% → 20%"]
    assert describe(calm, facts_of(draft(music="upbeat"))) == ["music calm → upbeat"]
    assert describe(calm, facts_of(draft())) == ["music calm removed"]


def test_unreadable_facts_are_never_reported_as_changed() -> None:
    cloud_before = {
        "t": [{"tt": 0, "sg": [{"name": "clip", "d": 5000}]}],
        "m": {"width": 1280, "height": 720},
    }
    cloud_after = {
        "t": [{"tt": 0, "sg": [{"name": "clip", "d": 5000, "fx": "glow"}]}],
        "m": {"width": 1280, "height": 720},
    }
    assert describe(facts_of(cloud_before), facts_of(cloud_after)) == []


def test_unmet_names_what_the_fields_asked_and_the_clip_does_not_show() -> None:
    asked = Intent(
        duration_s=8, aspect_ratio="9:16", title="夏天", title_position="top", music="calm", music_volume=30
    )
    clip = facts_of(draft(size=(720, 1280), title="夏天", pos="top", music="calm", vol=0.3, d=8000))
    assert unmet(asked, clip) == []
    short = facts_of(draft(size=(720, 1280), music="calm", vol=0.3))
    assert unmet(asked, short) == ["duration 8 s (the clip is 5 s)", 'title "夏天" (no title shows)']
    assert unmet(Intent(resolution="1080p", motion="pan_left"), facts_of(draft())) == [
        "resolution 1080p (the clip is 720p)",
        "motion pan left (the clip has zoom in)",
    ]
