"""The settings sentence the client adds after the person's words, read exactly by the local agent."""

from __future__ import annotations

from nemo_mcp.local.agent import settings_sentence
from nemo_mcp.local.agent.settings_sentence import Settings, overlay, split
from nemo_mcp.local.agent.understanding import parse
from nemo_mcp.service.intent import SETTINGS_PREFIX, Intent, message_for


def test_the_client_and_the_backend_agree_on_the_prefix() -> None:
    assert settings_sentence.PREFIX == SETTINGS_PREFIX


def test_every_setting_the_client_can_send_is_read_back_exactly() -> None:
    intent = Intent(
        duration_s=8.5,
        aspect_ratio="4:5",
        motion="pan_left",
        motion_speed="fast",
        title='a "quoted"; title. with; separators',
        title_position="center",
        music="my song.mp3",
        music_volume=30,
        resolution="1080p",
    )
    words, settings = split(message_for("把这张照片做成5秒的竖屏视频", intent, has_clip=False))
    assert words == "把这张照片做成5秒的竖屏视频"
    assert settings == Settings(
        duration_s=8.5,
        aspect="4:5",
        motion="pan_left",
        motion_speed="fast",
        title='a "quoted"; title. with; separators',
        title_position="center",
        music="my song.mp3",
        music_volume=0.3,
        resolution="1080p",
    )


def test_a_message_without_settings_is_all_words() -> None:
    assert split("make it faster") == ("make it faster", None)


def test_the_settings_win_where_they_disagree_and_the_reply_says_so() -> None:
    words, settings = split(
        message_for("make a 5 second clip titled Beach", Intent(duration_s=8), has_clip=False)
    )
    assert settings is not None
    request, said = overlay(parse(words), settings)
    assert request.duration_s == 8
    assert request.title == "Beach"  # what the settings leave alone, the words still decide
    assert said == ["Your words asked for 5 s but the settings say 8 s: I used the settings."]


def test_settings_alone_ask_for_the_clip_they_describe() -> None:
    words, settings = split(message_for("", Intent(aspect_ratio="9:16"), has_clip=False))
    assert settings is not None
    request, said = overlay(parse(words), settings)
    assert request.intent
    assert request.aspect == "9:16"
    assert said == []
