"""The title: drawn once into an RGBA layer, legible on any picture (white, dark outline, soft shadow).

Every script is drawn in one bold look, Noto Sans Bold and its sister faces, shipped with the package
(see fonts.py). A character no font can draw is left out, and `TitleLayer.missing` lists it so the
person is told. The title sits at the top, centre or bottom, inside margins that players and phone apps
leave clear.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from nemo_mcp.local.render import fonts
from nemo_mcp.local.render.spec import TITLE_SCALE_RANGE as SCALE_RANGE
from nemo_mcp.local.render.spec import TitlePosition

logger = logging.getLogger(__name__)


# Safe margins, as a fraction of the frame: text stays clear of the edges that players and phones crop
# or cover. Vertical video keeps more room at the bottom (and top) for the controls apps put there.
SIDE_MARGIN = 0.08
BOTTOM_MARGIN = 0.08
BOTTOM_MARGIN_VERTICAL = 0.14
TOP_MARGIN = 0.07
TOP_MARGIN_VERTICAL = 0.10
# Font size as a fraction of the shorter side, and the smallest it may shrink to for long titles.
FONT_SIZE = 0.075
MIN_FONT_SIZE = 0.045
MAX_LINES = 3
# title_scale is kept within this range: smaller is unreadable on a phone, larger leaves no picture.
# Fades when the title has a duration.
FADE_IN_S = 0.4
FADE_OUT_S = 0.5


@dataclass(frozen=True)
class TitleLayer:
    image: Image.Image  # RGBA, already with outline and shadow
    x: int  # where its top-left corner goes in the frame (even, so it maps onto chroma pixels)
    y: int
    font: str = ""  # the faces used, as a person is told ("Noto Sans Bold")
    missing: str = ""  # characters of the title that no font could draw (left out)
    note: str | None = None


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
FontLoader = Callable[[int], Font]
_NOT_A_CHARACTER = "\U0010fffd"  # private use: no font draws it, so it shows the missing-glyph box


def _glyph(font: Font, char: str) -> bytes:
    canvas = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(canvas).text((8, 8), char, fill=255, font=font)
    return canvas.tobytes()


def missing_glyphs(font: Font, text: str) -> str:
    """The characters of `text` that `font` would draw as its missing-glyph box."""
    box = _glyph(font, _NOT_A_CHARACTER)
    return "".join(sorted(c for c in set(text) if not c.isspace() and _glyph(font, c) == box))


def choose_font(text: str) -> tuple[FontLoader, str]:
    """The first face that draws all of `text` (bundled first), and the text without what none draws.

    (Titles mixing scripts that no single face covers are drawn in runs by `build_title`; this is the
    one-face answer, kept for callers that draw plain text.)
    """
    typeset = fonts.typeset(text)
    drawn = "".join(c for c in text if c not in typeset.missing)
    faces = [*fonts.bundled_faces(drawn), *fonts.os_faces()]
    whole = [f for f in faces if all(fonts.draws(f, c) for c in drawn)]
    face = whole[0] if whole else typeset.runs[0].face if typeset.runs else faces[0]

    def load(size: int) -> Font:
        return fonts.load(face, size)

    return load, drawn


def _wrap(text: str, measure: Callable[[str], float], max_width: float) -> list[str]:
    """Greedy word wrap; a word longer than a line is broken between characters (never before a mark)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if measure(candidate) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            mark = unicodedata.category(char) in ("Mn", "Mc", "Me")  # belongs to the letter before it
            if line and not mark and measure(line + char) > max_width:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


def _measure(size: int) -> Callable[[str], float]:
    return lambda line: fonts.line_width(fonts.typeset(line), size)


def _fit(text: str, max_width: float, size: int, smallest: int) -> tuple[int, list[fonts.Typeset]]:
    """The largest size (from `size` down to `smallest`) at which the title fits in MAX_LINES lines."""
    while True:
        lines = _wrap(text, _measure(size), max_width)
        if len(lines) <= MAX_LINES or size <= smallest:
            break
        size = max(smallest, int(size * 0.88))
    if len(lines) > MAX_LINES:
        last = lines[MAX_LINES - 1]
        while last and fonts.line_width(fonts.typeset(last + "..."), size) > max_width:
            last = last[:-1]
        lines = [*lines[: MAX_LINES - 1], last.rstrip() + "..."]
    return size, [fonts.typeset(line) for line in lines]


def _draw_block(
    lines: list[fonts.Typeset],
    size: int,
    canvas: tuple[int, int],
    pad: int,
    fill: int | tuple[int, ...],
    **style: object,
) -> Image.Image:
    """The lines centred in an image of `canvas` size ("L" for a plain fill, else RGBA)."""
    mode = "L" if isinstance(fill, int) else "RGBA"
    image = Image.new(mode, canvas, 0 if mode == "L" else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    top = pad
    for line in lines:
        ascent, descent = fonts.line_metrics(line, size)
        x = (canvas[0] - fonts.line_width(line, size)) / 2
        fonts.draw_line(draw, x, top + ascent, line, size, fill=fill, **style)
        top += ascent + descent + round(size * 0.15)
    return image


def build_title(
    title: str,
    out_w: int,
    out_h: int,
    *,
    position: TitlePosition = "bottom",
    scale: float = 1.0,
) -> TitleLayer | None:
    """The title as a layer placed at `position` in the frame, or None if there is nothing to draw."""
    text = " ".join(title.split())
    checked = fonts.typeset(text)
    if checked.missing:
        logger.warning("no font here draws %r; the title leaves them out", checked.missing)
        text = " ".join("".join(c for c in text if c not in checked.missing).split())
    if not text:
        return None
    short_side = min(out_w, out_h)
    scale = min(max(scale, SCALE_RANGE[0]), SCALE_RANGE[1])
    max_width = out_w * (1.0 - 2.0 * SIDE_MARGIN)
    size, lines = _fit(
        text,
        max_width,
        max(8, round(FONT_SIZE * scale * short_side)),
        max(8, round(MIN_FONT_SIZE * short_side)),
    )
    stroke = max(2, round(size / 14))
    shadow = max(2, round(size / 12))
    pad = 2 * shadow + 2 * stroke + 2
    block_h = sum(sum(fonts.line_metrics(line, size)) for line in lines) + round(size * 0.15) * (
        len(lines) - 1
    )
    width = round(max(fonts.line_width(line, size) for line in lines)) + 2 * pad
    height = block_h + 2 * pad
    width, height = width + width % 2, height + height % 2

    # Soft shadow: the text in black, blurred, offset down and right; then white text, dark outline.
    shadow_mask = _draw_block(lines, size, (width, height), pad, 255, stroke_width=stroke)
    shadow_mask = shadow_mask.transform(
        shadow_mask.size, Image.Transform.AFFINE, (1, 0, -(shadow // 2), 0, 1, -(shadow // 2))
    )
    shadow_mask = shadow_mask.filter(ImageFilter.GaussianBlur(shadow)).point(lambda v: v * 0.7)
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    layer.putalpha(shadow_mask)
    text_layer = _draw_block(
        lines,
        size,
        (width, height),
        pad,
        (255, 255, 255, 255),
        stroke_width=stroke,
        stroke_fill=(0, 0, 0, 255),
    )
    layer.alpha_composite(text_layer)
    x, y = (out_w - width) // 2, _top(position, out_w, out_h, height)
    x, y = max(0, x - x % 2), max(0, y - y % 2)
    names = " + ".join(dict.fromkeys(name for line in lines for name in line.font_names.split(" + ")))
    return TitleLayer(image=layer, x=x, y=y, font=names, missing=checked.missing, note=checked.note)


def _top(position: TitlePosition, out_w: int, out_h: int, height: int) -> int:
    vertical = out_h > out_w
    if position == "top":
        return round(out_h * (TOP_MARGIN_VERTICAL if vertical else TOP_MARGIN))
    if position == "center":
        return (out_h - height) // 2
    return round(out_h * (1.0 - (BOTTOM_MARGIN_VERTICAL if vertical else BOTTOM_MARGIN))) - height


def title_opacity(t: float, title_duration_s: float | None) -> float:
    """How visible the title is at time `t` (seconds): always 1 without a duration, else faded in and out."""
    if title_duration_s is None:
        return 1.0
    if t >= title_duration_s or title_duration_s <= 0:
        return 0.0
    fade_in = min(FADE_IN_S, title_duration_s / 4)
    fade_out = min(FADE_OUT_S, title_duration_s / 4)
    return max(0.0, min(1.0, t / fade_in, (title_duration_s - t) / fade_out))
