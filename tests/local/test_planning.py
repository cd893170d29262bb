"""Applying a request to a clip plan: relative steps and their ends, undo, music, cost, and the draft."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nemo_mcp.local.agent.plan_draft import DraftError
from nemo_mcp.local.agent.planning import ClipPlan, apply, cost, from_draft, to_draft
from nemo_mcp.local.agent.understanding import parse
from nemo_mcp.local.records import SessionRecord
from tests.local.corpus.check import upload

PHOTO = upload("photo.jpg", "image")
SONG = upload("song.mp3", "audio")


def step(plan: ClipPlan, text: str, history: tuple[ClipPlan, ...] = (), audio: bool = False) -> ClipPlan:
    return apply(plan, parse(text), audio=SONG if audio else None, history=history).plan


def test_sizes_follow_format_and_resolution() -> None:
    plan = ClipPlan(image=PHOTO)
    assert (plan.width, plan.height) == (1280, 720)
    assert (lambda p: (p.width, p.height))(step(plan, "full HD vertical")) == (1080, 1920)
    assert (lambda p: (p.width, p.height))(step(plan, "4:5")) == (720, 900)
    assert (lambda p: (p.width, p.height))(step(plan, "square 1080p")) == (1080, 1080)


def test_speed_steps_and_says_when_it_is_at_an_end() -> None:
    plan = ClipPlan(image=PHOTO)
    faster = apply(plan, parse("faster"), audio=None, history=())
    assert faster.plan.motion_speed == "fast"
    again = apply(faster.plan, parse("faster"), audio=None, history=())
    assert again.changes == ()
    assert "fastest" in again.problems[0]
    assert cost(again, "edit") == 0


def test_duration_steps_are_clamped_and_said() -> None:
    plan = ClipPlan(image=PHOTO)
    assert step(plan, "longer").duration_s == 7.0
    assert step(plan, "make it 3 seconds longer").duration_s == 8.0
    assert step(plan, "twice as long").duration_s == 10.0
    long = replace(plan, duration_s=29.0)
    applied = apply(long, parse("make it longer"), audio=None, history=())
    assert applied.plan.duration_s == 30.0
    assert "30" in applied.problems[0]


def test_volume_steps_and_needs_music() -> None:
    plan = ClipPlan(image=PHOTO, music_mood="calm")
    assert step(plan, "turn the music down a bit").music_volume == pytest.approx(0.2)
    assert step(plan, "louder").music_volume == pytest.approx(0.5)
    silent = apply(ClipPlan(image=PHOTO), parse("louder"), audio=None, history=())
    assert "no music" in silent.problems[0]


def test_title_size_and_position() -> None:
    plan = step(ClipPlan(image=PHOTO), 'title "Hi"')
    assert step(plan, "make the title bigger").title_scale == 1.25
    assert step(plan, "smaller title").title_scale == 0.8
    assert step(plan, "put the title at the top").title_position == "top"
    untitled = apply(ClipPlan(image=PHOTO), parse("put the title at the top"), audio=None, history=())
    assert untitled.problems


def test_music_default_mood_uploaded_file_and_wishes() -> None:
    plan = ClipPlan(image=PHOTO)
    assert step(plan, "add music").music_mood == "calm"
    assert step(plan, "add music", audio=True).music == SONG
    assert step(plan, "use my song", audio=True).music == SONG
    missing = apply(plan, parse("use my song"), audio=None, history=())
    assert missing.problems
    with_song = replace(plan, music=SONG)
    assert step(with_song, "make it cinematic").music == SONG  # a wish never replaces the person's music


def test_undo_restores_the_previous_plan() -> None:
    first = ClipPlan(image=PHOTO)
    second = step(first, "zoom out")
    undone = apply(second, parse("undo"), audio=None, history=(first,))
    assert undone.undone
    assert undone.plan == first
    assert "undid" in undone.changes[0]
    nothing = apply(first, parse("undo"), audio=None, history=())
    assert "nothing to undo" in nothing.problems[0]


def test_cost_is_full_half_or_nothing() -> None:
    plan = ClipPlan(image=PHOTO)
    assert cost(apply(plan, parse("animate it, 8 seconds"), audio=None, history=()), "generate") == 100
    assert (
        cost(apply(plan, parse("8 seconds and make the water ripple"), audio=None, history=()), "generate")
        == 50
    )
    assert (
        cost(apply(plan, parse("animate this and add a lens flare"), audio=None, history=()), "generate")
        == 50
    )
    assert cost(apply(plan, parse("hello"), audio=None, history=()), "generate") == 0
    assert cost(apply(plan, parse("make it 8 seconds"), audio=None, history=()), "edit") == 50
    assert (
        cost(apply(plan, parse("make it 5 seconds"), audio=None, history=()), "edit") == 0
    )  # nothing changes


def _session() -> SessionRecord:
    return SessionRecord(session_id="s", task_id="t", user_id="u", uploads=[PHOTO, SONG])


def test_draft_round_trips_every_field() -> None:
    plan = ClipPlan(
        image=PHOTO, duration_s=8.5, aspect="4:5", resolution="1080p", motion="pan_left", motion_speed="slow",
        loop=True, title="Été", title_position="top", title_scale=1.25, title_duration_s=3.0, music=SONG,
        music_volume=0.2, fit="fit", background="black",
    )  # fmt: skip
    draft = to_draft(plan, {PHOTO.sha256: "http://x/photo.jpg"})
    assert from_draft(draft, _session()) == plan
    # no title: nothing of a title is kept (a new one starts at the bottom, full size)
    moody = replace(plan, music=None, music_mood="cinematic", title=None, title_duration_s=None)
    expected = replace(moody, title_position="bottom", title_scale=1.0)
    assert from_draft(to_draft(moody, {}), _session()) == expected


def test_draft_has_no_title_when_the_clip_has_none() -> None:
    meta = to_draft(ClipPlan(image=PHOTO), {})["m"]
    assert "title" not in meta
    assert meta == {"name": "photo", "width": 1280, "height": 720, "fps": 30}


def test_a_draft_with_an_unknown_size_is_refused() -> None:
    draft = to_draft(ClipPlan(image=PHOTO), {})
    draft["m"]["width"] = 1000
    with pytest.raises(DraftError):
        from_draft(draft, _session())
