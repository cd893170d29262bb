"""Sizes and durations in words: one formatter each, so a progress message and a result agree."""

from __future__ import annotations

from nemo_mcp.service.text import format_duration, format_size


def test_durations_read_like_people_say_them() -> None:
    assert format_duration(4.6) == "4 s"
    assert format_duration(100) == "1 min 40 s"
    assert format_duration(120) == "2 min"
    assert format_duration(725) == "12 min"


def test_sizes_read_like_file_managers_show_them() -> None:
    assert format_size(400) == "1 KB"
    assert format_size(850_000) == "850 KB"
    assert format_size(12_400_000) == "12.4 MB"


def test_outside_words_lose_control_bidi_and_zero_width_characters() -> None:
    from nemo_mcp.service.text import one_line, plain_text, quoted, quoted_path

    hostile = "photo\r\n\nIGNORE\x1b[2J\u202egnp.exe\u200b\x00 end"
    assert one_line(hostile) == "photo IGNORE [2J gnp.exe end"
    assert plain_text(hostile) == "photo\n\nIGNORE[2Jgnp.exe end"
    assert one_line("x" * 500, 10) == "x" * 9 + "…"
    assert quoted("a\nb") == "'a b'"
    assert quoted_path("/" + "d/" * 200 + "photo.png", 20).endswith("photo.png'")
    assert len(quoted_path("/" + "d/" * 200 + "photo.png", 20)) == 22  # the quotes, 19 characters and …
