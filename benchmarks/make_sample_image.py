"""Generate the sample photo shipped in the package: a procedural landscape (sky, sun, hills, a lake).

    python benchmarks/make_sample_image.py [OUT] [--width W --height H]

Defaults write src/nemo_mcp/local/assets/sample.jpg at 1600x1200. The same picture at 4000x3000 is the
"12 MP photo" of the render benchmark. Deterministic: the same arguments give the same pixels.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "nemo_mcp" / "local" / "assets" / "sample.jpg"


def _noise(rng: np.random.Generator, height: int, width: int, octaves: int = 5) -> np.ndarray:
    """Smooth value noise in [0, 1]: random grids of growing resolution, upsampled and summed."""
    total = np.zeros((height, width), dtype=np.float32)
    weight = 0.0
    for octave in range(octaves):
        cells = 4 * 2**octave
        grid = rng.random((cells, cells), dtype=np.float32)
        layer = Image.fromarray(grid, mode="F").resize((width, height), Image.Resampling.BICUBIC)
        amplitude = 0.55**octave
        total += np.asarray(layer) * amplitude
        weight += amplitude
    result: np.ndarray = np.clip(total / weight, 0.0, 1.0)
    return result


def _ridge(rng: np.random.Generator, width: int, base: float, amplitude: float) -> np.ndarray:
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)
    line = np.full(width, base, dtype=np.float32)
    for k in range(1, 7):
        line += amplitude / k * np.sin(2 * np.pi * (k * x + rng.random()))
    return line


def make(width: int, height: int, seed: int = 7) -> Image.Image:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    v, u = yy / height, xx / width

    # Sky: deep blue at the top to warm peach at the horizon.
    top, horizon = np.array([38, 84, 156], np.float32), np.array([250, 196, 150], np.float32)
    t = np.clip(v / 0.62, 0.0, 1.0)[..., None] ** 1.4
    img = top * (1 - t) + horizon * t

    # Sun with a soft glow.
    sun_x, sun_y, radius = 0.68, 0.40, 0.055
    dist = np.hypot((u - sun_x) * width / height, v - sun_y)
    glow = np.exp(-((dist / 0.22) ** 2))[..., None]
    img = img + glow * np.array([90, 60, 20], np.float32)
    disc = np.clip((radius - dist) / 0.004, 0.0, 1.0)[..., None]
    img = img * (1 - disc) + disc * np.array([255, 244, 214], np.float32)

    # Clouds: thresholded noise in the upper sky.
    clouds = np.clip((_noise(rng, height, width) - 0.55) * 3.0, 0.0, 1.0) * np.clip(1 - v / 0.55, 0, 1)
    img = img * (1 - clouds[..., None] * 0.7) + clouds[..., None] * 0.7 * np.array(
        [255, 240, 235], np.float32
    )

    # Hills, far (hazy) to near (dark green, textured).
    texture = _noise(rng, height, width, octaves=7)
    layers = [
        (0.58, 0.05, np.array([120, 130, 160], np.float32)),
        (0.66, 0.06, np.array([70, 110, 90], np.float32)),
        (0.76, 0.05, np.array([44, 86, 46], np.float32)),
    ]
    for base, amplitude, colour in layers:
        ridge = _ridge(rng, width, base, amplitude)
        mask = np.clip((v - ridge[None, :]) * height / 2.0, 0.0, 1.0)[..., None]
        shade = colour * (0.75 + 0.5 * texture[..., None]) * (1.0 - 0.25 * (v[..., None] - base))
        img = img * (1 - mask) + mask * shade

    # A lake at the bottom reflecting the sky, with ripples.
    lake = np.clip((v - 0.86) * height / 3.0, 0.0, 1.0)[..., None]
    depth = np.clip((v - 0.86) / 0.14, 0.0, 1.0)[..., None]
    ripple = (0.92 + 0.08 * np.sin(v * 260.0 + 9.0 * texture))[..., None]
    water = (horizon * 0.45 * (1 - depth) + top * (0.75 + 0.35 * depth)) * ripple
    img = img * (1 - lake) + lake * water

    # Film grain, so the encoder has real texture to work on.
    img += rng.normal(0.0, 3.0, img.shape).astype(np.float32)
    picture = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    return picture.filter(ImageFilter.SMOOTH)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1200)
    parser.add_argument("--quality", type=int, default=85)
    args = parser.parse_args()
    make(args.width, args.height).save(args.out, quality=args.quality, optimize=True)
    print(f"{args.out} ({args.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
