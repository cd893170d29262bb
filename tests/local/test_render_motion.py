"""Motion: the planned path (inside the picture, eased, monotonic) and the motion measured in the
encoded video, by tracking bright dots with sub-pixel centroids and fitting each frame's scale and offset."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from nemo_mcp.local.render import motion as render_motion
from nemo_mcp.local.render.clip import MOTIONS, ClipSpec, Motion, render_clip

OUT_W, OUT_H, FPS, SECONDS = 640, 360, 30, 2.0
FRAMES = round(FPS * SECONDS)
SRC_W, SRC_H = 1600, 1200
SPACING, SIGMA = 80, 5.0


# --- the plan ----------------------------------------------------------------------------------------


def test_ease_is_strictly_increasing_and_never_at_rest() -> None:
    t = np.linspace(0.0, 1.0, 1001)
    values = np.array([render_motion.ease(x) for x in t])
    assert values[0] == 0.0
    assert values[-1] == pytest.approx(1.0)
    speeds = np.diff(values) * 1000
    assert speeds.min() > 0.35, "the clock keeps moving at the ends"
    assert speeds.max() < 1.4, "no rush in the middle"
    assert speeds[500] > speeds[0] * 2, "but starts and ends gently"


sizes = st.sampled_from([(1280, 720), (720, 1280), (720, 720), (1080, 1920), (1920, 1080), (320, 180)])


@settings(max_examples=150, deadline=None)
@given(
    motion=st.sampled_from(MOTIONS),
    width=st.integers(1, 12_000),
    height=st.integers(1, 12_000),
    out=sizes,
    frames=st.integers(2, 400),
)
def test_every_box_is_inside_the_picture_with_the_output_aspect(
    motion: Motion, width: int, height: int, out: tuple[int, int], frames: int
) -> None:
    boxes = render_motion.plan(motion, width, height, out[0], out[1], frames)
    assert len(boxes) == frames
    aspect = out[0] / out[1]
    for x0, y0, x1, y1 in boxes:
        assert 0.0 <= x0 < x1 <= width
        assert 0.0 <= y0 < y1 <= height
        assert (x1 - x0) / (y1 - y0) == pytest.approx(aspect, rel=1e-6)


@settings(max_examples=100, deadline=None)
@given(
    motion=st.sampled_from(MOTIONS), width=st.integers(200, 8000), height=st.integers(200, 8000), out=sizes
)
def test_the_path_never_stalls_or_turns_back(
    motion: Motion, width: int, height: int, out: tuple[int, int]
) -> None:
    boxes = np.array(render_motion.plan(motion, width, height, out[0], out[1], 150))
    box_w = boxes[:, 2] - boxes[:, 0]
    centre_x = (boxes[:, 0] + boxes[:, 2]) / 2
    centre_y = (boxes[:, 1] + boxes[:, 3]) / 2
    # Steps in output pixels: how far the picture moves on screen from one frame to the next.
    zoom = np.diff(np.log(box_w)) * out[0] / 2
    move_x = np.diff(centre_x) * out[0] / box_w[1:]
    move_y = np.diff(centre_y) * out[0] / box_w[1:]
    primary = {"zoom_in": -zoom, "zoom_out": zoom, "pan_left": -move_x, "pan_right": move_x,
               "pan_up": -move_y, "pan_down": move_y, "ken_burns": -zoom}[motion]  # fmt: skip
    assert primary.min() > 0.0, "moves every frame, always the same way"
    assert primary.min() > 0.3 * primary.mean(), "no near-stall at the ends"
    ratios = primary[1:] / primary[:-1]
    assert ratios.max() < 1.1, "no jumps between frames"
    assert ratios.min() > 0.9, "no jumps between frames"


# --- the video ---------------------------------------------------------------------------------------


def _dot_centres() -> tuple[np.ndarray, np.ndarray]:
    xs = np.arange(SPACING / 2, SRC_W, SPACING) + 0.3  # off the pixel grid on purpose
    ys = np.arange(SPACING / 2, SRC_H, SPACING) + 0.7
    grid_x, grid_y = np.meshgrid(xs, ys)
    return grid_x.ravel(), grid_y.ravel()


@pytest.fixture(scope="module")
def dots_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Soft bright dots (Gaussian, centres known to sub-pixel precision) on a dark background."""
    pixels = np.full((SRC_H, SRC_W), 20.0)
    reach = np.arange(-20, 21)
    for cx, cy in zip(*_dot_centres(), strict=True):
        ix, iy = int(cx), int(cy)
        gx = np.exp(-((ix + reach + 0.5 - cx) ** 2) / (2 * SIGMA**2))
        gy = np.exp(-((iy + reach + 0.5 - cy) ** 2) / (2 * SIGMA**2))
        window = np.s_[iy - 20 : iy + 21, ix - 20 : ix + 21]
        pixels[window] = np.maximum(pixels[window], 20 + 215 * np.outer(gy, gx))
    path = tmp_path_factory.mktemp("motion") / "dots.png"
    Image.fromarray(pixels.round().astype(np.uint8)).convert("RGB").save(path)
    return path


def _luma_frames(path: Path) -> list[np.ndarray]:
    frames = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            plane = frame.planes[0]
            rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
            frames.append(rows[:, : plane.width].astype(np.float64))
    return frames


def _measure(frames: list[np.ndarray], boxes: list[render_motion.Box]) -> np.ndarray:
    """Per frame: (scale, source x at the frame centre, source y at the frame centre), from the dots.

    Each dot's centroid is measured in a small window around where the plan expects it; a least-squares
    fit of `screen = scale * source + offset` over all visible dots gives the frame's actual view.
    """
    dot_x, dot_y = _dot_centres()
    radius = 6
    offsets = np.arange(-radius, radius + 1)
    views = []
    for frame, (x0, y0, x1, y1) in zip(frames, boxes, strict=True):
        u = (dot_x - x0) * OUT_W / (x1 - x0) - 0.5  # expected centroid, in pixel indices
        v = (dot_y - y0) * OUT_H / (y1 - y0) - 0.5
        visible = (u > radius + 2) & (u < OUT_W - radius - 3) & (v > radius + 2) & (v < OUT_H - radius - 3)
        rows, rhs = [], []
        for sx, sy, eu, ev in zip(dot_x[visible], dot_y[visible], u[visible], v[visible], strict=True):
            ju, jv = round(eu), round(ev)
            window = np.maximum(frame[jv - radius : jv + radius + 1, ju - radius : ju + radius + 1] - 40, 0)
            mass = window.sum()
            mu = (window.sum(axis=0) * (ju + offsets)).sum() / mass + 0.5
            mv = (window.sum(axis=1) * (jv + offsets)).sum() / mass + 0.5
            rows += [[sx, 1.0, 0.0], [sy, 0.0, 1.0]]
            rhs += [mu, mv]
        assert len(rows) >= 20, "enough dots in view"
        (scale, off_x, off_y), *_ = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)
        views.append((scale, (OUT_W / 2 - off_x) / scale, (OUT_H / 2 - off_y) / scale))
    return np.array(views)


def _steps(motion: Motion, views: np.ndarray) -> np.ndarray:
    """On-screen movement per frame along the motion (px, positive forward), from (scale, cx, cy) views."""
    scale = views[:, 0]
    zoom = np.diff(np.log(scale)) * OUT_W / 2  # displacement at the frame's edge
    pan_x = -np.diff(views[:, 1]) * scale[1:]  # content moves opposite to the view
    pan_y = -np.diff(views[:, 2]) * scale[1:]
    steps: np.ndarray = {"zoom_in": zoom, "zoom_out": -zoom, "pan_left": pan_x, "pan_right": -pan_x,
             "pan_up": pan_y, "pan_down": -pan_y, "ken_burns": zoom}[motion]  # fmt: skip
    return steps


@pytest.mark.parametrize("motion", MOTIONS)
def test_measured_motion_is_smooth_and_follows_the_eased_path(
    tmp_path: Path, dots_image: Path, motion: Motion
) -> None:
    out = tmp_path / "motion.mp4"
    render_clip(ClipSpec(image=dots_image, width=OUT_W, height=OUT_H, duration_s=SECONDS, motion=motion), out)
    frames = _luma_frames(out)
    assert len(frames) == FRAMES
    boxes = render_motion.plan(motion, SRC_W, SRC_H, OUT_W, OUT_H, FRAMES)
    seen = _measure(frames, boxes)
    planned = np.array([(OUT_W / (x1 - x0), (x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in boxes])

    # Where the picture is, in output pixels: within encoder noise of the plan, every frame (no jitter).
    scale = seen[:, 0]
    error_x = (seen[:, 1] - planned[:, 1]) * scale
    error_y = (seen[:, 2] - planned[:, 2]) * scale
    error_zoom = (scale / planned[:, 0] - 1) * OUT_W / 2  # displacement at the frame's edge
    for name, error in (("x", error_x), ("y", error_y), ("zoom", error_zoom)):
        assert np.abs(error).max() < 0.3, f"{name} is off the path by {np.abs(error).max():.2f} px"

    # How far the picture moves each frame along the motion, measured only from the video.
    steps = _steps(motion, seen)
    assert steps.min() > 0.25 * steps.mean(), f"a stall or reversal: smallest step {steps.min():.3f} px"
    ratios = steps[1:] / steps[:-1]
    assert ratios.min() > 0.5, "a jump between frames"
    assert ratios.max() < 2.0, "a jump between frames"
    # ... and against the plan: each step within encoder noise of the planned one (the frames themselves
    # are within 0.01 px of it before encoding; libx264 at crf 20 adds up to about 0.25 px).
    step_error = np.abs(steps - _steps(motion, planned)).max()
    assert step_error < 0.35, f"a step is {step_error:.2f} px off the plan"
    # Eased: gentle at the ends, faster in the middle.
    middle = steps[FRAMES // 2 - 5 : FRAMES // 2 + 5].mean()
    assert middle > 1.8 * steps[:3].mean()
    assert middle > 1.8 * steps[-3:].mean()


@pytest.mark.parametrize(("seconds", "most"), [(2.0, 0.2), (5.0, 0.5), (30.0, 0.5), (0.5, 0.15)])
def test_pans_across_panoramas_keep_a_calm_speed(seconds: float, most: float) -> None:
    frames = round(seconds * FPS)
    boxes = render_motion.plan("pan_right", 12_000, 1_000, 1280, 720, frames, FPS)
    box_w = boxes[0][2] - boxes[0][0]
    travel = (boxes[-1][0] - boxes[0][0]) / box_w
    assert travel == pytest.approx(most, rel=1e-6), "frame widths travelled over the clip"
