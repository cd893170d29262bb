"""Instructions in several languages, sent to the real local backend over HTTP, rendered, and measured
from the MP4: its duration and frame size, the direction of the camera move estimated from the frames,
and how far a fast pan travels against a slow one.

The photo is foliage without a subject (subject-aware framing has nothing to steer towards), wider than
any output format so that pans have room. Pans are measured by phase correlation between frames a few
apart: the content moves opposite to the camera (a pan to the right slides the picture to the left). Zooms
are measured as the scale between the first and the last frame (above 1: the content grew, a zoom in).
The estimators are checked first on a known shift and a known magnification.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from nemo_mcp.local.runner import LocalBackend
from tests.local.helpers import client, new_session, run_message, state, upload
from tests.local.synthetic import foliage

Gray = np.ndarray[tuple[int, int], np.dtype[np.float64]]
PHOTO_W, PHOTO_H = 3200, 1200
REDUCE = 4  # frames are measured at a quarter of their size: plenty for a move of tens of pixels
STEP = 5  # frames between two phase correlations
FPS = 30


# --- the estimators ------------------------------------------------------------------------------------


def content_shift(a: Gray, b: Gray) -> tuple[float, float, float]:
    """(dx, dy, peak): how far the content moved from `a` to `b` (b(x, y) = a(x - dx, y - dy)), to a
    fraction of a pixel, and how sharp the correlation peak is (1: identical up to the shift)."""
    window = np.outer(np.hanning(a.shape[0]), np.hanning(a.shape[1]))
    fa = np.fft.fft2((a - a.mean()) * window)
    fb = np.fft.fft2((b - b.mean()) * window)
    cross = fb * np.conj(fa)
    surface = np.fft.ifft2(cross / (np.abs(cross) + 1e-9)).real
    iy, ix = np.unravel_index(int(np.argmax(surface)), surface.shape)
    dy = iy + _vertex(surface[:, ix], int(iy))
    dx = ix + _vertex(surface[iy, :], int(ix))
    height, width = a.shape
    dy = dy - height if dy > height / 2 else dy
    dx = dx - width if dx > width / 2 else dx
    return float(dx), float(dy), float(surface.max())


def _vertex(values: np.ndarray[tuple[int], np.dtype[np.float64]], i: int) -> float:
    """Where the parabola through the peak and its two neighbours tops out, relative to the peak."""
    left, centre, right = values[(i - 1) % len(values)], values[i], values[(i + 1) % len(values)]
    curvature = left - 2 * centre + right
    return 0.0 if curvature == 0 else float(0.5 * (left - right) / curvature)


def magnify(a: Gray, factor: float) -> Gray:
    """`a` magnified `factor` times about its centre, cropped back to its size."""
    height, width = a.shape
    big = Image.fromarray(a.astype(np.float32), mode="F").resize(
        (round(width * factor), round(height * factor)), Image.Resampling.BILINEAR
    )
    left, top = (big.width - width) // 2, (big.height - height) // 2
    return np.asarray(big.crop((left, top, left + width, top + height)), dtype=np.float64)


def content_scale(a: Gray, b: Gray) -> float:
    """How many times `b` shows `a` magnified (about any point: the rest is a shift, which phase
    correlation absorbs). The scale whose correlation peak is sharpest, on the middle of the frames."""
    height, width = a.shape
    middle = (slice(height // 5, height - height // 5), slice(width // 5, width - width // 5))
    best_peak, best = 0.0, 1.0
    for factor in np.geomspace(0.7, 1.45, 60):
        x, y = (magnify(a, factor), b) if factor >= 1 else (a, magnify(b, 1 / factor))
        peak = content_shift(x[middle], y[middle])[2]
        if peak > best_peak:
            best_peak, best = peak, float(factor)
    return best


def test_the_estimators_read_a_known_shift_and_zoom_the_right_way() -> None:
    picture = np.asarray(foliage(900, 600, seed=5).convert("L"), dtype=np.float64)
    frame = picture[100:460, 100:740]
    # The camera moved 12 px left and 7 px up: the content slides 12 px right and 7 px down.
    moved = picture[93:453, 88:728]
    dx, dy, _ = content_shift(frame, moved)
    assert dx == pytest.approx(12, abs=0.2)
    assert dy == pytest.approx(7, abs=0.2)
    back_x, back_y, _ = content_shift(moved, frame)
    assert back_x == pytest.approx(-12, abs=0.2)
    assert back_y == pytest.approx(-7, abs=0.2)
    zoomed_in = magnify(picture, 1.25)[100:460, 100:740]  # about another centre: a shift as well
    assert content_scale(frame, zoomed_in) == pytest.approx(1.25, rel=0.03)
    assert content_scale(zoomed_in, frame) == pytest.approx(1 / 1.25, rel=0.03)


# --- rendering through the backend ---------------------------------------------------------------------


@dataclass(frozen=True)
class Clip:
    width: int
    height: int
    seconds: float
    frames: list[Gray]  # grayscale, REDUCE times smaller

    def travel(self) -> tuple[float, float]:
        """How far the content moved over the clip, in output pixels (summed over steps of STEP frames)."""
        dx = dy = 0.0
        for i in range(0, len(self.frames) - STEP, STEP):
            step_x, step_y, _ = content_shift(self.frames[i], self.frames[i + STEP])
            dx, dy = dx + step_x, dy + step_y
        return dx * REDUCE, dy * REDUCE

    def scale(self) -> float:
        return content_scale(self.frames[0], self.frames[-1])


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made once for the module (blurring a 3200x1200 picture takes a second)."""
    path = tmp_path_factory.mktemp("photo") / "leaves.png"
    foliage(PHOTO_W, PHOTO_H, seed=3).save(path)
    return path


def render(backend: LocalBackend, photo: Path, *instructions: str) -> list[Clip]:
    """Each instruction in a session of its own, as the first message after the upload; the clips made."""
    clips = []
    with client(backend.url) as http:
        for instruction in instructions:
            sid = new_session(http)
            upload(http, sid, photo)
            run_message(http, sid, instruction)
            media = state(http, sid)["generated_media"][-1]
            response = httpx.get(media["url"])
            assert response.status_code == 200, instruction
            clips.append(decode(response.content))
    return clips


def decode(mp4: bytes) -> Clip:
    with av.open(io.BytesIO(mp4), mode="r") as container:
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        frames = [
            _reduce(np.asarray(frame.to_ndarray(format="gray"), dtype=np.float64))
            for frame in container.decode(stream)
        ]
        assert stream.duration is not None
        assert stream.time_base is not None
        seconds = float(stream.duration * stream.time_base)
    return Clip(width, height, seconds, frames)


def _reduce(pixels: Gray) -> Gray:
    """Each REDUCE x REDUCE block averaged into one pixel."""
    height, width = (pixels.shape[0] // REDUCE) * REDUCE, (pixels.shape[1] // REDUCE) * REDUCE
    blocks = pixels[:height, :width].reshape(height // REDUCE, REDUCE, width // REDUCE, REDUCE)
    return np.asarray(blocks.mean(axis=(1, 3)), dtype=np.float64)


def assert_size_and_length(clip: Clip, width: int, height: int, seconds: float) -> None:
    assert (clip.width, clip.height) == (width, height)
    assert clip.seconds == pytest.approx(seconds, abs=1.5 / FPS)
    assert len(clip.frames) == round(seconds * FPS)


# Where the content goes for each camera move: opposite to the camera.
CONTENT_MOVES = {"pan_right": (-1, 0), "pan_left": (1, 0), "pan_up": (0, 1), "pan_down": (0, -1)}


def assert_moves(clip: Clip, motion: str) -> None:
    if motion in CONTENT_MOVES:
        dx, dy = clip.travel()
        along, across = (dx, dy) if CONTENT_MOVES[motion][0] else (dy, dx)
        sign = CONTENT_MOVES[motion][0] or CONTENT_MOVES[motion][1]
        assert sign * along > 40, f"{motion}: the content moved {dx:.0f}, {dy:.0f} px"
        assert abs(across) < 0.1 * abs(along), f"{motion}: the content moved {dx:.0f}, {dy:.0f} px"
        # First to middle frame: a fast pan leaves the first and last frames too little common picture for
        # the scale estimator (it read 0.75-1.27 there as the encoder's settings changed).
        halfway = content_scale(clip.frames[0], clip.frames[len(clip.frames) // 2])
        assert abs(halfway - 1) < 0.02, f"a pan does not zoom (scale {halfway:.3f} by the middle frame)"
    else:
        factor = clip.scale()
        assert (factor > 1.05) if motion == "zoom_in" else (factor < 1 / 1.05), (
            f"{motion}: scale {factor:.3f}"
        )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("instruction", "width", "height", "motion"),
    [
        ("2秒的视频，镜头慢慢向左平移", 1280, 720, "pan_left"),
        ("haz un clip de 2 segundos con paneo hacia arriba", 1280, 720, "pan_up"),
        ("fais une vidéo carrée de 2 secondes, panoramique vers le bas", 720, 720, "pan_down"),
        ("zoom out slowly, 2 seconds, vertical", 720, 1280, "zoom_out"),
        ("2秒のクリップ、ゆっくりズームイン", 1280, 720, "zoom_in"),
        ("vídeo de 2 segundos no formato 4:5 com zoom de afastamento", 720, 900, "zoom_out"),
    ],
)
def test_the_clip_has_the_asked_size_length_and_direction(
    local_backend: LocalBackend, photo: Path, instruction: str, width: int, height: int, motion: str
) -> None:
    (clip,) = render(local_backend, photo, instruction)
    assert_size_and_length(clip, width, height, 2.0)
    assert_moves(clip, motion)


@pytest.mark.slow
def test_a_fast_pan_travels_clearly_further_than_a_slow_one(local_backend: LocalBackend, photo: Path) -> None:
    slow, fast = render(
        local_backend,
        photo,
        "pan slowly from left to right for 2 seconds",
        "Clip mit 2 Sekunden, schnell nach rechts schwenken",
    )
    for clip in (slow, fast):
        assert_size_and_length(clip, 1280, 720, 2.0)
        assert_moves(clip, "pan_right")
    slow_x, fast_x = -slow.travel()[0], -fast.travel()[0]
    assert fast_x > 2 * slow_x, f"fast {fast_x:.0f} px, slow {slow_x:.0f} px"
