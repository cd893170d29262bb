"""Structured intent: the fields become one clear sentence after the person's words."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nemo_mcp.service.intent import SETTINGS_PREFIX, Intent, message_for


def test_every_field_becomes_part_of_one_sentence() -> None:
    intent = Intent(
        duration_s=8,
        aspect_ratio="9:16",
        motion="zoom_in",
        motion_speed="slow",
        title='He said "hi"',
        title_position="top",
        music="calm",
        music_volume=30,
        resolution="1080p",
    )
    assert intent.sentence() == (
        f"{SETTINGS_PREFIX} duration 8 s; aspect ratio 9:16; motion zoom in; motion speed slow; "
        'title "He said \\"hi\\""; title position top; music "calm"; music volume 30%; resolution 1080p.'
    )


def test_words_come_first_and_fields_alone_never_read_as_a_new_clip_for_an_edit() -> None:
    intent = Intent(title="夏天")
    assert message_for("把这张照片做成5秒的竖屏视频", intent, has_clip=False) == (
        f'把这张照片做成5秒的竖屏视频\n\n{SETTINGS_PREFIX} title "夏天".'
    )
    assert message_for("", intent, has_clip=True) == f'Change the clip. {SETTINGS_PREFIX} title "夏天".'
    assert message_for("", intent, has_clip=False).startswith("Animate the uploaded image")
    assert message_for("make it faster", Intent(), has_clip=True) == "make it faster"
    assert Intent().empty
    assert not intent.empty


@pytest.mark.parametrize(
    "fields",
    [
        {"duration_s": 0},
        {"duration_s": 61},
        {"music_volume": 101},
        {"aspect_ratio": "21:9"},
        {"title": "x" * 101},
    ],
)
def test_out_of_range_fields_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Intent.model_validate(fields)
