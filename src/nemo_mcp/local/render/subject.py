"""What a photo is about: a box around its subject, so the camera can keep it in frame and move toward it.

In order:

1. The opaque part of a transparent image (a logo, a cut-out): that is the subject, whole.
2. Faces, with OpenCV's Haar cascades (frontal "alt2", then profile). They ship inside the opencv wheel
   (`cv2.data.haarcascades`); nothing is downloaded. OpenCV is imported only here, on first use.
3. Otherwise the most salient region: a map that adds colour distinctness (how far each pixel's colour
   is from the picture's average, after a blur: a ladybird on a leaf), spectral-residual saliency (what
   breaks the picture's regular texture) and focus (local sharpness: the subject of a photo is usually
   the part in focus), times a mild centre prior. The region around the map's peak is the subject if it
   stands out clearly from the rest; otherwise the photo has no single subject ("centre").

Everything runs on a reduced copy (at most 400 px for faces, 192 px for the maps): about 0.05-0.3 s for a
12 MP photo.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from PIL import Image

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]
Kind = Literal["face", "faces", "salient", "shape", "centre"]

FACE_SIDE = 400  # faces are looked for on a copy this size (a face under 24 px there is not the subject)
MAP_SIDE = 192
MIN_FACE = 0.06  # of the longer side: smaller faces are background people, not the subject
# The salient region counts as a subject when its mean saliency is this many times the rest's.
MIN_CONTRAST = 1.9
# ... and when it is neither tiny (noise) nor most of the picture (then there is no single subject).
MIN_AREA, MAX_AREA = 0.002, 0.5


@dataclass(frozen=True)
class Subject:
    box: Box  # in the image's pixels
    kind: Kind
    confidence: float  # 0..1

    @property
    def found(self) -> bool:
        return self.kind != "centre"


def centre(width: int, height: int) -> Subject:
    """No particular subject: the middle of the picture (a point, so any centred framing contains it)."""
    return Subject((width / 2, height / 2, width / 2, height / 2), "centre", 0.0)


def find(image: Image.Image) -> Subject:
    """The subject of `image` (RGB or RGBA)."""
    if image.mode == "RGBA":
        shape = _opaque_box(image)
        if shape is not None:
            return shape
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    faces = _faces(rgb)
    if faces is not None:
        return faces
    salient = _salient(rgb)
    return salient if salient is not None else centre(image.width, image.height)


def _opaque_box(image: Image.Image) -> Subject | None:
    alpha = image.getchannel("A")
    if int(np.asarray(alpha).min()) >= 250:  # opaque everywhere: an ordinary photo
        return None
    box = alpha.point(lambda v: 255 if v > 24 else 0).getbbox()
    if box is None:
        return None
    return Subject(tuple(float(v) for v in box), "shape", 1.0)  # type: ignore[arg-type]


def _cv2() -> Any:
    try:
        import cv2  # imported here: 0.1-0.2 s, and only renders need it
    except ImportError:  # pragma: no cover - a broken install: saliency still works
        logger.warning("OpenCV is not importable; faces are not looked for")
        return None
    return cv2


_THREAD = threading.local()


def _cascade(name: str) -> Any:
    """A cascade, loaded once per thread: parsing its XML takes longer than a search, and OpenCV does not
    promise that one classifier may search from several threads at once (renders run in parallel)."""
    loaded: dict[str, Any] = _THREAD.__dict__.setdefault("cascades", {})
    if name not in loaded:
        cv2 = _cv2()
        loaded[name] = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    return loaded[name]


def _faces(rgb: Image.Image) -> Subject | None:
    cv2 = _cv2()
    if cv2 is None:
        return None
    scale = min(1.0, FACE_SIDE / max(rgb.size))
    small = rgb.reduce(max(1, int(1 / scale))) if scale < 0.5 else rgb
    small = small.resize((max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))))
    grey = cv2.equalizeHist(np.asarray(small.convert("L")))
    smallest = max(20, round(MIN_FACE * max(small.size)))
    found: list[tuple[float, float, float, float]] = []
    # alt2 rather than "default": as good on faces, far fewer false faces in foliage and gravel.
    for name in ("haarcascade_frontalface_alt2.xml", "haarcascade_profileface.xml"):
        rects = _cascade(name).detectMultiScale(
            grey, scaleFactor=1.2, minNeighbors=5, minSize=(smallest, smallest)
        )
        found = [(float(x), float(y), float(x + w), float(y + h)) for x, y, w, h in rects]
        if found:
            break
    if not found:
        return None
    # Several faces: all of those at least half the size of the largest (a group), none of the tiny ones.
    largest = max(b[2] - b[0] for b in found)
    group = [b for b in found if b[2] - b[0] >= 0.5 * largest]
    x0, y0 = min(b[0] for b in group) / scale, min(b[1] for b in group) / scale
    x1, y1 = max(b[2] for b in group) / scale, max(b[3] for b in group) / scale
    # A face box is brow to chin: add the hair above and a little below, which a good framing keeps.
    height = y1 - y0
    y0, y1 = max(0.0, y0 - 0.35 * height), min(float(rgb.height), y1 + 0.15 * height)
    return Subject((x0, y0, x1, y1), "faces" if len(group) > 1 else "face", 0.9)


def saliency_map(rgb: Image.Image) -> np.ndarray:
    """Float map in [0, 1] of `rgb` reduced to at most MAP_SIDE px: how much each place draws the eye."""
    scale = min(1.0, MAP_SIDE / max(rgb.size))
    size = (max(8, round(rgb.width * scale)), max(8, round(rgb.height * scale)))
    small = rgb.resize(
        size, Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR, reducing_gap=2.0
    )
    pixels = np.asarray(small, dtype=np.float32) / 255.0
    # Opponent colours (red-green, yellow-blue, lightness), distance from the mean after a blur.
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    opponent = np.stack([r - g, 0.5 * (r + g) - b, 0.6 * (0.3 * r + 0.59 * g + 0.11 * b)], axis=-1)
    blurred = _blur(opponent, 2)
    colour = np.sqrt(((blurred - blurred.reshape(-1, 3).mean(axis=0)) ** 2).sum(axis=-1))
    grey = 0.3 * r + 0.59 * g + 0.11 * b
    spectral = _blur(_spectral_residual(grey), 3)
    laplacian = np.abs(
        4 * grey[1:-1, 1:-1] - grey[:-2, 1:-1] - grey[2:, 1:-1] - grey[1:-1, :-2] - grey[1:-1, 2:]
    )
    focus = _blur(np.pad(laplacian, 1, mode="edge"), 4)
    combined = 0.45 * _unit(colour) + 0.3 * _unit(spectral) + 0.25 * _unit(focus)
    ys, xs = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    prior = np.exp(-(((xs / size[0] - 0.5) ** 2) + ((ys / size[1] - 0.5) ** 2)) / (2 * 0.35**2))
    result: np.ndarray = _unit(combined * (0.6 + 0.4 * prior))
    return result


def _salient(rgb: Image.Image) -> Subject | None:
    heat = saliency_map(rgb)
    peak_y, peak_x = np.unravel_index(int(np.argmax(heat)), heat.shape)
    mask = heat >= 0.5 * heat[peak_y, peak_x]
    region = _component(mask, int(peak_y), int(peak_x))
    ys, xs = np.nonzero(region)
    area = region.mean()
    if not MIN_AREA <= area <= MAX_AREA or area == 1.0:
        return None
    contrast = float(heat[region].mean() / max(1e-6, heat[~region].mean()))
    if contrast < MIN_CONTRAST:
        logger.debug("no clear subject (contrast %.2f)", contrast)
        return None
    sx, sy = rgb.width / heat.shape[1], rgb.height / heat.shape[0]
    box = (xs.min() * sx, ys.min() * sy, (xs.max() + 1) * sx, (ys.max() + 1) * sy)
    return Subject(box, "salient", min(1.0, (contrast - 1.0) / 4.0))


def _component(mask: np.ndarray, y: int, x: int) -> np.ndarray:
    """The 8-connected region of `mask` that holds (y, x), by repeated dilation inside the mask."""
    region = np.zeros_like(mask)
    region[y, x] = True
    while True:
        grown = region.copy()
        grown[1:] |= region[:-1]
        grown[:-1] |= region[1:]
        grown[:, 1:] |= grown[:, :-1]
        grown[:, :-1] |= grown[:, 1:]
        grown &= mask
        if np.array_equal(grown, region):
            return region
        region = grown


def _spectral_residual(grey: np.ndarray) -> np.ndarray:
    """Hou & Zhang (2007): what is left of the log spectrum after removing its local average."""
    spectrum = np.fft.fft2(grey)
    log_amplitude = np.log(np.abs(spectrum) + 1e-6)
    residual = log_amplitude - _blur(log_amplitude, 1)
    result: np.ndarray = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    return result


def _blur(values: np.ndarray, radius: int) -> np.ndarray:
    """Box blur of a 2-D (or 2-D x channels) array, twice (close to a Gaussian), edges repeated."""
    out = values.astype(np.float32)
    for _ in range(2):
        for axis in (0, 1):
            padded = np.concatenate(
                [
                    np.repeat(out.take([0], axis), radius, axis),
                    out,
                    np.repeat(out.take([-1], axis), radius, axis),
                ],
                axis=axis,
            )
            total = np.cumsum(padded, axis=axis, dtype=np.float64)
            zero = np.zeros_like(total.take([0], axis))
            total = np.concatenate([zero, total], axis=axis)
            n = out.shape[axis]
            window = 2 * radius + 1
            out = (
                (total.take(range(window, window + n), axis) - total.take(range(n), axis)) / window
            ).astype(np.float32)
    return out


def _unit(values: np.ndarray) -> np.ndarray:
    """Scaled so that its 99.5th percentile is 1 (one bright pixel does not flatten the rest), clipped."""
    low = float(values.min())
    top = float(np.percentile(values, 99.5)) - low
    result: np.ndarray = np.clip((values - low) / top, 0.0, 1.0) if top > 1e-9 else np.zeros_like(values)
    return result
