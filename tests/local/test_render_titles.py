"""Titles in every script, drawn with the fonts the package ships (as on a fresh machine), in one bold
look; position, scale and duration; what cannot be drawn is reported."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from nemo_mcp.local.render import fonts
from nemo_mcp.local.render.clip import ClipSpec, render_clip
from nemo_mcp.local.render.title import build_title

SAMPLES = {
    "Latin": ("Café crème à Zürich", "Noto Sans Bold"),
    "Cyrillic": ("Москва ночью", "Noto Sans Bold"),
    "Greek": ("Καλοκαίρι στην Ελλάδα", "Noto Sans Bold"),
    "Chinese": ("北京的秋天", "Noto Sans CJK SC Bold"),
    "Japanese": ("東京の夜とさくら", "Noto Sans CJK JP Bold"),
    "Korean": ("서울의 밤", "Noto Sans CJK KR Bold"),
    "Arabic": ("مرحبا بالعالم", "Noto Sans Arabic Bold"),
    "Hebrew": ("שלום עולם", "Noto Sans Hebrew Bold"),
    "Devanagari": ("नमस्ते दुनिया", "Noto Sans Devanagari Bold"),
    "Thai": ("สวัสดีชาวโลก", "Noto Sans Thai Bold"),
}


@pytest.fixture(autouse=True)
def fresh_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """No OS fonts: only what the package ships, as on a machine with nothing extra installed."""
    monkeypatch.setattr(fonts, "OS_FONTS", ())


def _ink(text: str, face: fonts.Face) -> np.ndarray:
    canvas = Image.new("L", (400, 120), 0)
    ImageDraw.Draw(canvas).text((10, 10), text, fill=255, font=fonts.load(face, 64))
    return np.asarray(canvas, dtype=np.float64)


@pytest.mark.parametrize("script", SAMPLES)
def test_every_script_is_drawn_with_a_bundled_bold_face(script: str) -> None:
    text, face = SAMPLES[script]
    layer = build_title(text, 1280, 720)
    assert layer is not None
    assert layer.missing == ""
    assert layer.font == face
    assert layer.note is None, "shaping (raqm) is in Pillow's wheel"
    alpha = np.asarray(layer.image.getchannel("A"))
    assert (alpha > 200).sum() > 500, "glyphs are drawn"


def test_a_cjk_title_draws_glyphs_not_question_marks() -> None:
    face = fonts.typeset("東京").runs[0].face
    question = _ink("??", face)
    drawn = _ink("東京", face)
    assert drawn.sum() > 1.5 * question.sum(), "CJK glyphs hold far more ink than '?'"
    assert np.abs(drawn - question).mean() > 10
    tofu = _ink("東京", fonts.bundled_faces()[0])  # Noto Sans (Latin) has no CJK: its boxes
    assert np.abs(drawn - tofu).mean() > 10


def test_arabic_is_shaped_and_hebrew_reads_right_to_left() -> None:
    face = fonts.typeset("سلام").runs[0].face
    joined = _ink("سلام", face)
    apart = _ink("\u200c".join("سلام"), face)  # zero-width non-joiners: the isolated letter forms
    assert np.abs(joined - apart).mean() > 3, "letters take their joined forms"
    mixed = fonts.typeset("Hello مرحبا")
    assert [run.face.name for run in mixed.runs] == ["Noto Sans Bold", "Noto Sans Arabic Bold"]


def test_ascii_and_accented_titles_share_one_look() -> None:
    plain, accented = build_title("Summer by the lake", 1280, 720), build_title("Été au lac", 1280, 720)
    assert plain is not None
    assert accented is not None
    assert plain.font == accented.font == "Noto Sans Bold"
    assert plain.image.height == accented.image.height


def test_a_character_no_font_draws_is_reported_not_drawn_as_a_box() -> None:
    layer = build_title("Party \U0001f389 \U00010000", 1280, 720)
    assert layer is not None
    assert layer.missing == "\U00010000\U0001f389"


def test_position_and_scale() -> None:
    top, centre, bottom = (build_title("Hello", 1280, 720, position=p) for p in ("top", "center", "bottom"))
    assert top is not None
    assert centre is not None
    assert bottom is not None
    assert top.y < 0.15 * 720
    assert abs(centre.y + centre.image.height / 2 - 360) < 4
    assert bottom.y + bottom.image.height <= 0.93 * 720
    assert bottom.y > 0.7 * 720
    big = build_title("Hello", 1280, 720, scale=1.5)
    assert big is not None
    assert big.image.height == pytest.approx(1.5 * bottom.image.height, rel=0.15)


def _mean_luma(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        return [float(f.to_ndarray(format="gray")[20:60, 40:280].mean()) for f in container.decode(video=0)]


def test_the_title_stays_the_whole_clip_by_default_and_is_reported(tmp_path: Path) -> None:
    image = tmp_path / "plain.png"
    Image.new("RGB", (640, 360), (60, 60, 60)).save(image)
    spec = ClipSpec(image=image, width=320, height=180, duration_s=4.0, motion="static", title_position="top")
    plain, titled = tmp_path / "plain.mp4", tmp_path / "titled.mp4"
    render_clip(spec, plain)
    result = render_clip(ClipSpec(**{**spec.__dict__, "title": "東京の夜"}), titled)
    assert (result.title_font, result.missing_glyphs) == ("Noto Sans CJK JP Bold", "")
    difference = np.abs(np.subtract(_mean_luma(titled), _mean_luma(plain)))
    assert difference.min() > 1.0, "visible in every frame, the last one included"
    assert difference.min() > 0.8 * difference.max(), "at full strength throughout"
