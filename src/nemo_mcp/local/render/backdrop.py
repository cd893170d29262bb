"""Backdrops: what fills the frame around a photo shown whole, and what shows through transparent pixels.

A video has no transparency, and flattening a white logo onto white gives a blank white clip. So
transparent pixels are composited onto a colour that contrasts with what is opaque (dark behind a light
logo, light behind a dark one), or onto the colour the person names.

Around a photo shown whole ("fit"), the backdrop is, in order: the colour the person named; the photo's
own border colour when its border is plain (a product shot on white continues into white); else a
blurred, dimmed copy of the photo, which keeps its colours without competing with it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageColor, ImageFilter

from nemo_mcp.local.render.motion import Box

RGB = tuple[int, int, int]

# Behind a light subject, and behind a dark one: near-neutral.
DARK, LIGHT = (24, 25, 28), (238, 238, 234)
# Visible pixels brighter than this on average (0-255 luma) count as light.
LIGHT_SUBJECT = 110.0
# The blurred copy: darkened to this share of its brightness, blurred by this share of the canvas width.
DIM = 0.55
BLUR = 0.035
# A border whose pixels vary less than this (standard deviation, 0-255) counts as plain.
PLAIN_BORDER = 6.0


def parse_colour(name: str) -> RGB:
    """A CSS colour name or #hex as RGB; ValueError with a readable message otherwise."""
    try:
        colour = ImageColor.getrgb(name.strip())
    except ValueError:
        raise ValueError(
            f"background must be a colour name (like 'navy') or #hex (like '#1e90ff'), not {name!r}."
        ) from None
    return colour[0], colour[1], colour[2]


def has_transparency(image: Image.Image) -> bool:
    return image.mode == "RGBA" and _min_alpha(image) < 250


def _min_alpha(image: Image.Image) -> int:
    return int(np.asarray(image.getchannel("A")).min())


def contrasting(image: Image.Image) -> tuple[RGB, str]:
    """A colour that contrasts with the visible part of an RGBA image, and its description."""
    small = image.copy()
    small.thumbnail((400, 400))
    pixels = np.asarray(small.convert("RGBA"), dtype=np.float32)
    alpha = pixels[..., 3] / 255.0
    if alpha.sum() < 1.0:
        return DARK, "a dark backdrop"
    luma = 0.2126 * pixels[..., 0] + 0.7152 * pixels[..., 1] + 0.0722 * pixels[..., 2]
    mean = float((luma * alpha).sum() / alpha.sum())
    return (DARK, "a dark backdrop") if mean >= LIGHT_SUBJECT else (LIGHT, "a light backdrop")


def flatten(image: Image.Image, background: RGB) -> Image.Image:
    """RGB: `image` composited onto `background` (any mode in, its transparency honoured)."""
    rgba = image.convert("RGBA")
    base = Image.new("RGBA", rgba.size, (*background, 255))
    base.alpha_composite(rgba)
    return base.convert("RGB")


def plain_border(image: Image.Image) -> RGB | None:
    """The colour of the photo's border when the border is one plain colour, else None."""
    small = image.convert("RGB")
    small.thumbnail((256, 256))
    pixels = np.asarray(small, dtype=np.float32)
    band = max(1, round(0.02 * min(pixels.shape[:2])))
    border = np.concatenate(
        [pixels[:band].reshape(-1, 3), pixels[-band:].reshape(-1, 3),
         pixels[:, :band].reshape(-1, 3), pixels[:, -band:].reshape(-1, 3)]
    )  # fmt: skip
    if float(border.std(axis=0).max()) > PLAIN_BORDER:
        return None
    mean = border.mean(axis=0)
    return round(float(mean[0])), round(float(mean[1])), round(float(mean[2]))


def blurred_copy(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The photo scaled to cover `size`, blurred and dimmed (made small, blurred, scaled up: cheap)."""
    width, height = size
    small_w = max(8, width // 8)
    small_h = max(8, round(small_w * height / width))
    scale = max(small_w / image.width, small_h / image.height)
    crop_w, crop_h = small_w / scale, small_h / scale
    left, top = (image.width - crop_w) / 2, (image.height - crop_h) / 2
    small = image.convert("RGB").resize(
        (small_w, small_h), Image.Resampling.BOX, box=(left, top, left + crop_w, top + crop_h)
    )
    small = small.filter(ImageFilter.GaussianBlur(BLUR * small_w))
    small = small.point(lambda v: round(v * DIM))
    return small.resize(size, Image.Resampling.BICUBIC)


def compose_fit(
    image: Image.Image, canvas: tuple[int, int], place: Box, background: RGB | None, named: str | None
) -> tuple[Image.Image, Box, str]:
    """The whole photo on a backdrop of size `canvas`, where it lands (integer box), and what the
    backdrop is, in words."""
    x0, y0 = round(place[0]), round(place[1])
    size = (max(1, round(place[2]) - x0), max(1, round(place[3]) - y0))
    photo = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    transparent = has_transparency(image)
    if background is not None:
        base, words = Image.new("RGB", canvas, background), f"a {named} backdrop"
    elif transparent:
        colour, words = contrasting(image)
        base = Image.new("RGB", canvas, colour)
    elif (edge := plain_border(image)) is not None:
        base, words = Image.new("RGB", canvas, edge), "its own border colour"
    else:
        base, words = blurred_copy(image, canvas), "a blurred, dimmed copy of itself"
    if photo.mode == "RGBA":
        base.paste(photo.convert("RGB"), (x0, y0), photo.getchannel("A"))
    else:
        base.paste(photo.convert("RGB"), (x0, y0))
    return base, (float(x0), float(y0), float(x0 + size[0]), float(y0 + size[1])), words
