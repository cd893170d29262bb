"""The instruction parser: what each phrase means, and what it says it cannot do."""

from __future__ import annotations

import pytest

from nemo_mcp.local.agent.instructions import frame_size, parse


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("animate this image into a 5-second video clip", 5.0),
        ("make it 10s", 10.0),
        ("a 10 seconds clip", 10.0),
        ("7.5 sec please", 7.5),
        ("make it 90 seconds", 30.0),
        ("animate this", None),
    ],
)
def test_duration(text: str, seconds: float | None) -> None:
    assert parse(text).duration_s == seconds


def test_a_clamped_duration_is_said() -> None:
    assert "30" in " ".join(parse("a 90 second clip").notes)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("make it 9:16", (720, 1280)),
        ("vertical please", (720, 1280)),
        ("portrait video", (720, 1280)),
        ("square clip", (720, 720)),
        ("1:1", (720, 720)),
        ("16:9 landscape", (1280, 720)),
        ("landscape", (1280, 720)),
        ("vertical 1080p", (1080, 1920)),
        ("render it at 1080x1920", (1080, 1920)),
        ("1920x1080 please", (1920, 1080)),
    ],
)
def test_aspect_and_size(text: str, size: tuple[int, int]) -> None:
    ins = parse(text)
    assert ins.aspect is not None
    assert frame_size(ins.aspect, bool(ins.hd)) == size


@pytest.mark.parametrize(
    ("text", "motion"),
    [
        ("zoom in slowly", "zoom_in"),
        ("a slow zoom-out", "zoom_out"),
        ("pan left", "pan_left"),
        ("pan to the right", "pan_right"),
        ("pan up", "pan_up"),
        ("tilt down", "pan_down"),
        ("ken burns effect", "ken_burns"),
        ("animate it", None),
    ],
)
def test_motion(text: str, motion: str | None) -> None:
    assert parse(text).motion == motion


def test_title_in_quotes() -> None:
    assert parse('animate with the title "Summer"').title == "Summer"
    assert parse("add the title “Été 2026”").title == "Été 2026"
    assert parse('say "hello"').title is None  # quotes without a title word are not a title
    assert parse("remove the title").remove_title


def test_music_and_volume() -> None:
    ins = parse("add background music at 30%")
    assert (ins.music, ins.music_volume) == (True, 0.3)
    assert parse("set the volume to 150%").music_volume == 1.0
    assert parse("remove the music").remove_music
    assert not parse("remove the music").music


def test_low_vram_and_intent() -> None:
    ins = parse("animate this in low VRAM mode")
    assert ins.low_vram
    assert ins.intent
    assert not parse("hello there").intent
    assert not parse("hello there").has_settings


@pytest.mark.parametrize(
    "text",
    [
        "make the person dance",
        "add a voiceover",
        "compose a song for it",
        "render in 4K",
        "turn it into anime style",
    ],
)
def test_says_what_it_cannot_do(text: str) -> None:
    assert parse(text).cannot


def test_ordinary_requests_raise_no_objection() -> None:
    assert parse("animate this photo of flowers into a 5-second clip with a zoom in").cannot == ()
