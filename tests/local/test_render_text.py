"""The title: placement inside safe margins, wrapping, legibility on any background, fades."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageFont

from nemo_mcp.local.render import fonts
from nemo_mcp.local.render.clip import ClipSpec, render_clip
from nemo_mcp.local.render.title import SIDE_MARGIN, build_title, choose_font, missing_glyphs, title_opacity


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="gray").astype(np.float64) for frame in container.decode(video=0)]


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (720, 1280), (720, 720), (1080, 1920)])
def test_title_sits_inside_the_safe_area(width: int, height: int) -> None:
    layer = build_title("Summer by the lake", width, height)
    assert layer is not None
    assert layer.image.mode == "RGBA"
    left, top, right, bottom = layer.image.getbbox() or (0, 0, 0, 0)
    # The visible text (including its shadow) stays within the side margins and off the bottom edge.
    assert layer.x + left >= SIDE_MARGIN * width - 4
    assert layer.x + right <= (1 - SIDE_MARGIN) * width + 4
    assert layer.y + bottom <= 0.93 * height
    assert layer.y + top > height / 2, "a lower-third title"
    assert layer.x % 2 == 0
    assert layer.y % 2 == 0


def test_long_titles_wrap_and_very_long_ones_are_shortened() -> None:
    one_line = build_title("Short title", 1280, 720)
    wrapped = build_title(
        "A considerably longer title that cannot possibly fit on one line of a clip", 1280, 720
    )
    endless = build_title("word " * 200, 1280, 720)
    unbroken = build_title("x" * 300, 720, 1280)
    assert one_line
    assert wrapped
    assert endless
    assert unbroken
    assert wrapped.image.height > 1.6 * one_line.image.height
    assert wrapped.image.width <= 1280 * (1 - 2 * SIDE_MARGIN) + 40
    for layer, width in ((endless, 1280), (unbroken, 720)):
        assert layer.image.width <= width * (1 - 2 * SIDE_MARGIN) + 40
        assert layer.image.height < 0.5 * 720


def test_blank_titles_draw_nothing() -> None:
    assert build_title("   \n ", 1280, 720) is None


@pytest.mark.parametrize("background", [(255, 255, 255), (0, 0, 0), (128, 128, 128)])
def test_title_is_legible_on_any_background(tmp_path: Path, background: tuple[int, int, int]) -> None:
    image = tmp_path / "plain.png"
    Image.new("RGB", (640, 360), background).save(image)
    out = tmp_path / "title.mp4"
    render_clip(ClipSpec(image=image, width=640, height=360, duration_s=0.1, title="Legible"), out)
    frame = _frames(out)[0]
    band = frame[int(360 * 0.6) : int(360 * 0.95)]
    # White letters with a dark outline: both extremes appear wherever the background is.
    assert band.max() > 220
    assert band.min() < 40


def test_title_fades_in_and_out_within_its_duration(tmp_path: Path) -> None:
    image = tmp_path / "plain.png"
    Image.new("RGB", (320, 180), (90, 90, 90)).save(image)
    spec = ClipSpec(image=image, width=320, height=180, duration_s=1.5, motion="zoom_in")
    plain, titled = tmp_path / "plain.mp4", tmp_path / "titled.mp4"
    render_clip(spec, plain)
    render_clip(ClipSpec(**{**spec.__dict__, "title": "Hello", "title_duration_s": 1.0}), titled)
    band = slice(int(180 * 0.6), int(180 * 0.95))  # where the title is
    difference = [
        np.abs(a[band] - b[band]).mean() for a, b in zip(_frames(plain), _frames(titled), strict=True)
    ]
    assert difference[0] < 0.5, "fades in from nothing"
    assert difference[4] < difference[15] > 1.0, "fully shown in the middle of its time"
    assert difference[27] < difference[15], "fading out before its end"
    assert max(difference[31:]) < 0.5, "gone after title_duration_s"


def test_opacity_curve() -> None:
    assert title_opacity(0.0, None) == 1.0
    assert title_opacity(99.0, None) == 1.0
    assert title_opacity(0.0, 2.0) == 0.0
    assert title_opacity(1.0, 2.0) == 1.0
    assert 0.0 < title_opacity(0.1, 2.0) < title_opacity(0.3, 2.0) < 1.0
    assert 1.0 > title_opacity(1.7, 2.0) > title_opacity(1.9, 2.0) > 0.0
    assert title_opacity(2.0, 2.0) == 0.0
    assert title_opacity(3.0, 2.0) == 0.0


def test_pillows_font_lacks_accents_but_the_bundled_fonts_draw_them() -> None:
    default = ImageFont.load_default(size=40)
    assert missing_glyphs(default, "Plain ASCII title!") == ""
    assert missing_glyphs(default, "Café") == "é"
    for title in ("Café crème à Zürich", "Москва", "東京の夜"):
        load, text = choose_font(title)
        assert missing_glyphs(load(40), text) == "", f"{title!r} would show boxes"
        assert build_title(title, 1280, 720) is not None


def test_characters_no_font_draws_are_left_out_and_reported(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(fonts, "OS_FONTS", ())  # only what the package ships
    load, text = choose_font("Café Größe 東京 \U0001f389")
    assert text == "Café Größe 東京 "
    assert missing_glyphs(load(40), text) == ""
    layer = build_title("Party \U0001f389 time", 1280, 720)
    assert layer is not None
    assert layer.missing == "\U0001f389"
    assert "no font here draws" in caplog.text
