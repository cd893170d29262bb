"""Synthetic photos with known content, so that what the renderer claims can be asserted: a subject at a
known place, a face-like pattern, a transparent logo, a panorama with markers at both ends, fine detail."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Box = tuple[float, float, float, float]
RED = (205, 30, 25)


def foliage(width: int, height: int, seed: int = 0) -> Image.Image:
    """A soft green, out-of-focus background (what is behind a subject in most photos)."""
    rng = np.random.default_rng(seed)
    small = rng.normal(0.0, 1.0, (height // 16 + 2, width // 16 + 2, 3))
    img = Image.fromarray(np.clip(110 + 35 * small, 0, 255).astype(np.uint8))
    img = img.resize((width, height), Image.Resampling.BICUBIC)
    tinted = np.asarray(img, dtype=np.float32) * np.array([0.55, 1.0, 0.5], dtype=np.float32)
    return Image.fromarray(np.clip(tinted, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(6))


def ladybird(
    width: int, height: int, cx: int, cy: int, radius: int, seed: int = 1
) -> tuple[Image.Image, Box]:
    """A red, black-spotted beetle (sharp) on foliage (blurred), and the box around it (head included)."""
    img = foliage(width, height, seed)
    draw = ImageDraw.Draw(img)
    r = radius
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=RED, outline=(20, 10, 10), width=max(2, r // 15))
    draw.line((cx, cy - r, cx, cy + r), fill=(20, 10, 10), width=max(2, r // 12))
    rng = np.random.default_rng(seed)
    for _ in range(7):
        angle, reach = rng.uniform(0, 2 * np.pi), rng.uniform(0.25, 0.7) * r
        x, y, s = cx + reach * np.cos(angle), cy + reach * np.sin(angle), r * 0.14
        draw.ellipse((x - s, y - s, x + s, y + s), fill=(15, 10, 10))
    draw.ellipse((cx - r * 0.45, cy - r * 1.25, cx + r * 0.45, cy - r * 0.7), fill=(15, 12, 12))
    return img, (cx - r, cy - 1.25 * r, cx + r, cy + r)


def face(width: int, height: int, cx: int, cy: int, radius: int, seed: int = 2) -> tuple[Image.Image, Box]:
    """A drawn face (skin, hair, eyes, brows, nose, mouth) that OpenCV's frontal cascade finds, and its box
    from the top of the hair to the chin."""
    img = foliage(width, height, seed)
    draw = ImageDraw.Draw(img)
    r = radius
    draw.ellipse((cx - r * 0.8, cy - r * 1.05, cx + r * 0.8, cy + r * 1.05), fill=(225, 185, 160))
    draw.chord((cx - r * 0.85, cy - r * 1.15, cx + r * 0.85, cy - r * 0.1), 180, 360, fill=(60, 40, 30))
    for side in (-1, 1):
        ex = cx + side * r * 0.33
        draw.ellipse((ex - r * 0.17, cy - r * 0.2, ex + r * 0.17, cy - r * 0.02), fill=(250, 250, 250))
        draw.ellipse((ex - r * 0.08, cy - r * 0.18, ex + r * 0.08, cy - r * 0.04), fill=(40, 30, 25))
        draw.line(
            (ex - r * 0.2, cy - r * 0.32, ex + r * 0.2, cy - r * 0.3),
            fill=(70, 50, 40),
            width=max(2, r // 14),
        )
    draw.polygon(
        [(cx, cy - r * 0.05), (cx - r * 0.1, cy + r * 0.3), (cx + r * 0.1, cy + r * 0.3)],
        fill=(200, 150, 130),
    )
    draw.chord((cx - r * 0.3, cy + r * 0.38, cx + r * 0.3, cy + r * 0.62), 0, 180, fill=(150, 60, 60))
    return img.filter(ImageFilter.GaussianBlur(1.5)), (
        cx - 0.85 * r,
        cy - 1.15 * r,
        cx + 0.85 * r,
        cy + 1.05 * r,
    )


def white_logo(width: int = 800, height: int = 400) -> Image.Image:
    """A white disc and bar on full transparency (what flattening onto white turned into a blank clip)."""
    logo = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((width * 0.06, height * 0.12, width * 0.44, height * 0.88), fill=(255, 255, 255, 255))
    draw.rectangle((width * 0.5, height * 0.38, width * 0.94, height * 0.62), fill=(255, 255, 255, 255))
    return logo


def panorama(width: int = 8000, height: int = 2000) -> Image.Image:
    """A 4:1 panorama with a red marker near its left end and a blue one near its right end."""
    img = foliage(width, height, 5)
    draw = ImageDraw.Draw(img)
    draw.rectangle((width * 0.0125, height * 0.4, width * 0.05, height * 0.6), fill=(255, 0, 0))
    draw.rectangle((width * 0.95, height * 0.4, width * 0.9875, height * 0.6), fill=(0, 0, 255))
    return img


def fine_detail(width: int = 1600, height: int = 1200) -> Image.Image:
    """Stripes near the pixel pitch, straight and diagonal: the detail that shimmers when resampled at 1:1."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    pixels = 128 + 50 * np.sin(2 * np.pi * x / 3.3) + 40 * np.sin(2 * np.pi * (x + y) / 4.7)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGB")


def natural_texture(width: int = 2000, height: int = 1500) -> Image.Image:
    """1/f noise in colour: detail at every scale, like foliage or gravel; hard for the encoder."""
    rng = np.random.default_rng(1)
    spectrum = np.fft.rfft2(rng.normal(size=(height, width)))
    fy, fx = np.fft.fftfreq(height)[:, None], np.fft.rfftfreq(width)[None, :]
    radius = np.sqrt(fx**2 + fy**2)
    radius[0, 0] = 1.0
    noise = np.fft.irfft2(spectrum / radius**0.9, s=(height, width))
    noise = (noise - noise.mean()) / noise.std()
    rgb = np.stack([128 + 45 * noise, 120 + 40 * np.roll(noise, 7, 1), 110 + 50 * np.roll(noise, 13, 0)], -1)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
