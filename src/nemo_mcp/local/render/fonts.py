"""Fonts for titles in any script, with one bold look: the Noto Sans family, shipped inside the package.

Bundled (SIL Open Font License 1.1, see assets/LICENSES.md): Noto Sans Bold (Latin, Greek, Cyrillic),
Noto Sans Arabic/Hebrew/Devanagari/Thai Bold, and Noto Sans CJK Bold (the whole TTC: simplified and
traditional Chinese, Japanese and Korean, each with its regional glyph forms). A fresh machine with no
fonts installed therefore draws all of these; fonts found on the OS are only a fallback for other scripts.

A title is drawn with the first face that draws every character of it. When none does (say Latin mixed
with Arabic), it is split into runs, each drawn with the first face that draws it, on one baseline.
Arabic shaping and right-to-left order come from Pillow's raqm layout (HarfBuzz + FriBiDi, inside
Pillow's wheels); a Pillow without raqm draws Arabic letters unjoined, and the title's note says so.
Characters no face draws are left out of the title and reported as missing, never drawn as boxes or "?".
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

Font = ImageFont.FreeTypeFont

# The CJK collection's faces: which regional glyph forms to use.
_CJK_JP, _CJK_KR, _CJK_SC = 0, 1, 2


@dataclass(frozen=True)
class Face:
    name: str  # as a person is told: "Noto Sans Bold"
    path: str
    index: int = 0


def _asset(name: str) -> str:
    return str(resources.files("nemo_mcp.local") / "assets" / "fonts" / name)


def bundled_faces(text: str = "") -> list[Face]:
    """The shipped faces, most specific script last; the CJK region follows the text's kana or hangul."""
    region, label = _CJK_SC, "SC"
    if any("\u3040" <= c <= "\u30ff" for c in text):
        region, label = _CJK_JP, "JP"
    elif any("\uac00" <= c <= "\ud7a3" or "\u1100" <= c <= "\u11ff" for c in text):
        region, label = _CJK_KR, "KR"
    return [
        Face("Noto Sans Bold", _asset("NotoSans-Bold.ttf")),
        Face("Noto Sans Arabic Bold", _asset("NotoSansArabic-Bold.ttf")),
        Face("Noto Sans Hebrew Bold", _asset("NotoSansHebrew-Bold.ttf")),
        Face("Noto Sans Devanagari Bold", _asset("NotoSansDevanagari-Bold.ttf")),
        Face("Noto Sans Thai Bold", _asset("NotoSansThai-Bold.ttf")),
        Face(f"Noto Sans CJK {label} Bold", _asset("NotoSansCJK-Bold.ttc"), region),
    ]


# Fonts an OS may have for scripts we do not ship (tried after the bundled ones, if present).
OS_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
    "/usr/share/fonts/truetype/unifont/unifont.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/seguisym.ttf",
    "C:/Windows/Fonts/arialuni.ttf",
)


def os_faces() -> list[Face]:
    return [Face(Path(path).stem, path) for path in OS_FONTS if Path(path).is_file()]


def raqm() -> bool:
    """Whether Pillow can shape complex scripts (Arabic joining, Devanagari conjuncts, bidi order)."""
    return bool(features.check("raqm"))


_THREAD = threading.local()


def load(face: Face, size: int) -> Font:
    """The face at `size`, loaded once per thread (a FreeType face is not meant to be shared by threads
    drawing at the same time, and renders run in parallel)."""
    loaded: dict[tuple[Face, int], Font] = _THREAD.__dict__.setdefault("fonts", {})
    font = loaded.get((face, size))
    if font is None:
        engine = ImageFont.Layout.RAQM if raqm() else ImageFont.Layout.BASIC
        font = loaded[face, size] = ImageFont.truetype(
            face.path, size, index=face.index, layout_engine=engine
        )
    return font


_NOT_A_CHARACTER = "\U0010fffd"  # private use: no font draws it, so it shows the missing-glyph box


def _glyph(font: Font | ImageFont.ImageFont, char: str) -> bytes:
    canvas = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(canvas).text((8, 8), char, fill=255, font=font)
    return canvas.tobytes()


@functools.cache
def draws(face: Face, char: str) -> bool:
    """Whether `face` has a glyph for `char` (it renders as something other than its missing-glyph box)."""
    if char.isspace() or unicodedata.category(char) == "Cf":  # spaces, joiners: nothing to draw
        return True
    font = load(face, 40)
    return _glyph(font, char) != _glyph(font, _NOT_A_CHARACTER)


@dataclass(frozen=True)
class Run:
    text: str
    face: Face


@dataclass(frozen=True)
class Typeset:
    """A title's text split into runs of one face each, and what could not be drawn."""

    runs: tuple[Run, ...]
    missing: str  # characters no face draws (left out of `runs`)
    note: str | None  # e.g. shaping unavailable

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def font_names(self) -> str:
        return " + ".join(dict.fromkeys(run.face.name for run in self.runs))


def typeset(text: str, faces: list[Face] | None = None) -> Typeset:
    """Choose the faces for `text`: one face for all of it if any can, else the first that draws each run."""
    # One look: a single bundled face if one draws it all, else runs of bundled faces; the OS's fonts
    # only for what none of ours draws.
    preferred = faces if faces is not None else bundled_faces(text)
    candidates = faces if faces is not None else [*preferred, *os_faces()]
    visible = [c for c in dict.fromkeys(text) if not c.isspace()]
    for face in preferred:
        if all(draws(face, c) for c in visible):
            return Typeset((Run(text, face),), "", _note(text))
    runs: list[Run] = []
    missing: set[str] = set()
    for char in text:
        chosen = _face_for(char, runs[-1].face if runs else None, candidates)
        if chosen is None:
            missing.add(char)
        elif runs and runs[-1].face == chosen:
            runs[-1] = Run(runs[-1].text + char, chosen)
        else:
            runs.append(Run(char, chosen))
    return Typeset(tuple(runs), "".join(sorted(missing)), _note(text))


def _face_for(char: str, current: Face | None, candidates: list[Face]) -> Face | None:
    # Spaces, punctuation, digits and combining marks stay in the run they follow (when its face has
    # them): a mark belongs to its letter, and a comma should not switch fonts. A letter takes the first
    # face that draws it, so Latin words inside an Arabic title are drawn in Noto Sans.
    if current is not None and not unicodedata.category(char).startswith("L") and draws(current, char):
        return current
    return next((face for face in candidates if draws(face, char)), None)


def _rtl(text: str) -> bool:
    """Whether the paragraph reads right to left (its first strong character is Hebrew or Arabic)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def line_width(line: Typeset, size: int) -> float:
    return sum(load(run.face, size).getlength(run.text) for run in line.runs)


def line_metrics(line: Typeset, size: int) -> tuple[int, int]:
    """(ascent, descent) in pixels: the largest of the faces on the line."""
    metrics = [load(run.face, size).getmetrics() for run in line.runs] or [(size, size // 4)]
    return max(m[0] for m in metrics), max(m[1] for m in metrics)


def draw_line(
    draw: ImageDraw.ImageDraw, x: float, baseline: float, line: Typeset, size: int, **style: object
) -> None:
    """Draw `line` with its left end at `x` on `baseline`; runs go right to left in an RTL paragraph."""
    runs = reversed(line.runs) if _rtl(line.text) else iter(line.runs)
    for run in runs:
        font = load(run.face, size)
        draw.text((x, baseline), run.text, font=font, anchor="ls", **style)  # type: ignore[arg-type]
        x += font.getlength(run.text)


def _note(text: str) -> str | None:
    shaped = any("\u0590" <= c <= "\u08ff" or "\u0900" <= c <= "\u0e7f" for c in text)
    if shaped and not raqm():
        return "this Pillow has no text shaping (raqm): Arabic and Indic letters are drawn unjoined"
    return None
