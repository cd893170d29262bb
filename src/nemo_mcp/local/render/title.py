"""The title: drawn once into an RGBA layer, legible on any picture (white, dark outline, soft shadow).

The font is the scalable one that ships inside Pillow (`ImageFont.load_default(size=...)`), so nothing
needs installing. It only covers ASCII, so a title with other characters (accents, Cyrillic, CJK, ...)
uses the first common system font that has every one of them; failing that, accents are dropped and
anything still missing becomes "?" (never the empty boxes of a missing glyph).
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

logger = logging.getLogger(__name__)

# Safe margins, as a fraction of the frame: text stays clear of the edges that players and phones crop
# or cover. Vertical video keeps more room at the bottom for the controls apps put there.
SIDE_MARGIN = 0.08
BOTTOM_MARGIN = 0.08
BOTTOM_MARGIN_VERTICAL = 0.14
# Font size as a fraction of the shorter side, and the smallest it may shrink to for long titles.
FONT_SIZE = 0.075
MIN_FONT_SIZE = 0.045
MAX_LINES = 3
# Fades when the title has a duration.
FADE_IN_S = 0.4
FADE_OUT_S = 0.5


@dataclass(frozen=True)
class TitleLayer:
    image: Image.Image  # RGBA, already with outline and shadow
    x: int  # where its top-left corner goes in the frame (even, so it maps onto chroma pixels)
    y: int


# Widely installed fonts with broad coverage, tried in order when the title needs more than ASCII.
FALLBACK_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Helvetica.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/arialbd.ttf",
    "C:/Windows/Fonts/segoeuib.ttf",
    "C:/Windows/Fonts/msyhbd.ttc",
)
_NOT_A_CHARACTER = "\U0010fffd"  # private use: no font draws it, so it shows the missing-glyph box

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
FontLoader = Callable[[int], Font]


def _glyph(font: Font, char: str) -> bytes:
    canvas = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(canvas).text((8, 8), char, fill=255, font=font)
    return canvas.tobytes()


def missing_glyphs(font: Font, text: str) -> str:
    """The characters of `text` that `font` would draw as its missing-glyph box."""
    box = _glyph(font, _NOT_A_CHARACTER)
    return "".join(sorted(c for c in set(text) if not c.isspace() and _glyph(font, c) == box))


def _default(size: int) -> Font:
    return ImageFont.load_default(size=size)


def choose_font(text: str) -> tuple[FontLoader, str]:
    """A font that draws every character of `text`, and the text (simplified if no font can)."""
    if not missing_glyphs(_default(40), text):
        return _default, text
    for path in FALLBACK_FONTS:
        if not Path(path).is_file():
            continue
        try:
            candidate = ImageFont.truetype(path, 40)
        except OSError:
            continue
        if not missing_glyphs(candidate, text):
            return functools.partial(ImageFont.truetype, path), text
    simplified = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    gaps = missing_glyphs(_default(40), simplified)
    logger.warning("no font here draws %r; the title shows them as '?'", gaps)
    return _default, "".join("?" if c in gaps else c for c in simplified)


def _text_width(font: Font, text: str) -> float:
    return font.getlength(text)


def _wrap(text: str, font: Font, max_width: float) -> list[str]:
    """Greedy word wrap; a word longer than a line is broken between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if _text_width(font, candidate) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if _text_width(font, line + char) > max_width and line:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


def _fit(title: str, max_width: float, short_side: int, load: FontLoader) -> tuple[Font, list[str]]:
    size = max(8, round(FONT_SIZE * short_side))
    smallest = max(8, round(MIN_FONT_SIZE * short_side))
    while True:
        font = load(size)
        lines = _wrap(title, font, max_width)
        if len(lines) <= MAX_LINES or size <= smallest:
            break
        size = max(smallest, int(size * 0.88))
    if len(lines) > MAX_LINES:
        last = lines[MAX_LINES - 1]
        while last and _text_width(font, last + "...") > max_width:
            last = last[:-1]
        lines = [*lines[: MAX_LINES - 1], last.rstrip() + "..."]
    return font, lines


def build_title(title: str, out_w: int, out_h: int) -> TitleLayer | None:
    """The title as a layer placed in the lower part of the frame, or None if there is nothing to show."""
    text = " ".join(title.split())
    if not text:
        return None
    short_side = min(out_w, out_h)
    max_width = out_w * (1.0 - 2.0 * SIDE_MARGIN)
    load, text = choose_font(text)
    font, lines = _fit(text, max_width, short_side, load)
    size = int(getattr(font, "size", FONT_SIZE * short_side))
    stroke = max(2, round(size / 14))
    shadow = max(2, round(size / 12))
    spacing = round(size * 0.2)
    block = "\n".join(lines)

    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.multiline_textbbox(
        (0, 0), block, font=font, spacing=spacing, align="center", stroke_width=stroke
    )
    pad = 2 * shadow + 2
    width = int(right - left) + 2 * pad
    height = int(bottom - top) + 2 * pad
    width += width % 2
    height += height % 2
    origin = (pad - left, pad - top)

    # Soft shadow: the text in black, blurred, offset down and right.
    shadow_mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(shadow_mask).multiline_text(
        (origin[0] + shadow // 2, origin[1] + shadow // 2),
        block,
        fill=255,
        font=font,
        spacing=spacing,
        align="center",
        stroke_width=stroke,
    )
    shadow_mask = shadow_mask.filter(ImageFilter.GaussianBlur(shadow)).point(lambda v: v * 0.7)
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    layer.putalpha(shadow_mask)
    text_layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(text_layer).multiline_text(
        origin,
        block,
        fill=(255, 255, 255, 255),
        font=font,
        spacing=spacing,
        align="center",
        stroke_width=stroke,
        stroke_fill=(0, 0, 0, 255),
    )
    layer.alpha_composite(text_layer)

    bottom_margin = BOTTOM_MARGIN_VERTICAL if out_h > out_w else BOTTOM_MARGIN
    x = (out_w - width) // 2
    y = round(out_h * (1.0 - bottom_margin)) - height
    x, y = max(0, x - x % 2), max(0, y - y % 2)
    return TitleLayer(image=layer, x=x, y=y)


def title_opacity(t: float, title_duration_s: float | None) -> float:
    """How visible the title is at time `t` (seconds): always 1 without a duration, else faded in and out."""
    if title_duration_s is None:
        return 1.0
    if t >= title_duration_s or title_duration_s <= 0:
        return 0.0
    fade_in = min(FADE_IN_S, title_duration_s / 4)
    fade_out = min(FADE_OUT_S, title_duration_s / 4)
    return max(0.0, min(1.0, t / fade_in, (title_duration_s - t) / fade_out))
