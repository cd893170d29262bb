"""Framing: crop the photo or show all of it, and camera paths that keep its subject in every frame.

Crop or fit. Cropping a photo to a very different shape loses most of it (a 3:2 landscape made 9:16
keeps 38 %, a 2:3 portrait made 16:9 keeps 37 %), so when the aspect ratios differ by more than
`FIT_RATIO` the whole photo is composed over a backdrop instead ("fit"), unless a face fits in the crop
(a face makes a good close framing) or the move is a pan along a panorama's long side (2:1 or longer),
which then sweeps it end to end. Transparent images (logos, cut-outs) are always fitted: their shape is the point.

Paths. Like render_motion (whose paths are used unchanged when there is no subject and nothing else is
asked), a path runs between two views, width interpolated geometrically and centre linearly on an eased
clock. With a subject, both end views contain it, a zoom ends centred on it, a pan slides only as far as
keeps it in view, and Ken Burns drifts toward it. Every box is then checked: one that would cut the
subject is shifted just enough (in practice only float rounding, or a fraction of a pixel mid-zoom where
the geometric width dips below the straight line between the ends).

`speed` multiplies the travel: 0.6 is "slow", 1.0 "normal", 1.6 "fast" (zooms go to ZOOM_FACTOR**speed).
`loop` makes the move go out and back on a cosine clock, so the last frame leads into the first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from nemo_mcp.local.render import motion as render_motion
from nemo_mcp.local.render.motion import Box, View
from nemo_mcp.local.render.spec import SPEED_RANGE, CameraMotion, FitMode
from nemo_mcp.local.render.subject import Subject

# Crop when the aspect ratios are within this factor of each other (keeps at least 56 % of the picture).
FIT_RATIO = 1.8
# In "fit", the photo fills this much of the frame's limiting side at the widest view (the rest is
# backdrop), which leaves room for a zoom of 1 / FIT_FILL with the whole photo still in view.
FIT_FILL = 0.86
# A subject gets this much room around it (of its own size), so it does not touch the frame's edge.
SUBJECT_MARGIN = 0.12
# A photo at least this long for its width is a panorama (2:1; phones make 3:1 to 6:1).
PANORAMA = 2.0
# Panorama sweeps: at most this many frame widths a second (times speed): enough for a 4:1 panorama in 10 s.
SWEEP_MAX_SPEED = 0.3

_HORIZONTAL = ("pan_left", "pan_right")
_VERTICAL = ("pan_up", "pan_down")


@dataclass(frozen=True)
class Framing:
    mode: Literal["crop", "fit"]
    sweep: bool = False


def decide(
    fit: FitMode, width: int, height: int, out_w: int, out_h: int, subject: Subject, motion: str
) -> Framing:
    """Crop or fit for this photo, output and motion (see the module's docstring)."""
    image_aspect, out_aspect = width / height, out_w / out_h
    ratio = max(image_aspect / out_aspect, out_aspect / image_aspect)
    along = motion in (_HORIZONTAL if image_aspect > out_aspect else _VERTICAL)
    panoramic = max(image_aspect, 1.0 / image_aspect) >= PANORAMA
    sweep = along and panoramic and ratio > FIT_RATIO
    if fit == "fit":
        return Framing("fit")
    if fit == "crop":
        return Framing("crop", sweep)
    if subject.kind == "shape":
        return Framing("fit")
    if ratio <= FIT_RATIO or sweep:
        return Framing("crop", sweep)
    if subject.kind in ("face", "faces") and _smallest_view(subject.box, out_aspect) <= min(
        width, height * out_aspect
    ):
        return Framing("crop")
    return Framing("fit")


def fit_layout(
    width: int, height: int, out_w: int, out_h: int, pixels_per_output: float
) -> tuple[int, int, Box]:
    """Canvas size (the output's aspect, `pixels_per_output` canvas pixels per output pixel) and where the
    photo goes on it: centred, filling FIT_FILL of the limiting side."""
    canvas_w, canvas_h = round(out_w * pixels_per_output), round(out_h * pixels_per_output)
    scale = FIT_FILL * min(canvas_w / width, canvas_h / height)
    photo_w, photo_h = width * scale, height * scale
    x0, y0 = (canvas_w - photo_w) / 2, (canvas_h - photo_h) / 2
    return canvas_w, canvas_h, (x0, y0, x0 + photo_w, y0 + photo_h)


def with_margin(box: Box, width: float, height: float, margin: float = SUBJECT_MARGIN) -> Box:
    """`box` grown by `margin` of its size on every side, within the picture."""
    x0, y0, x1, y1 = box
    dx, dy = margin * (x1 - x0), margin * (y1 - y0)
    return (max(0.0, x0 - dx), max(0.0, y0 - dy), min(width, x1 + dx), min(height, y1 + dy))


def _smallest_view(box: Box, aspect: float) -> float:
    """Width of the smallest view of `aspect` that contains `box`."""
    return max(box[2] - box[0], (box[3] - box[1]) * aspect)


def plan(
    motion: CameraMotion,
    width: float,
    height: float,
    out_w: int,
    out_h: int,
    frames: int,
    fps: float = 30.0,
    *,
    subject: Box | None = None,
    speed: float = 1.0,
    loop: bool = False,
    sweep: bool = False,
) -> list[Box]:
    """One crop box per frame, inside the `width` x `height` picture, each containing `subject`."""
    if subject is None and speed == 1.0 and not loop and not sweep and motion != "static":
        return render_motion.plan(motion, width, height, out_w, out_h, frames, fps)
    aspect = out_w / out_h
    speed = min(max(speed, SPEED_RANGE[0]), SPEED_RANGE[1])
    start, end = _end_views(motion, width, height, aspect, frames / fps, subject, speed, sweep)
    clock: Callable[[float], float] = _there_and_back if loop else render_motion.ease
    ratio = end.width / start.width
    boxes: list[Box] = []
    for i in range(frames):
        # A loop's frame `frames` would repeat frame 0, so the clip wraps round without a doubled frame.
        t = i / frames if loop else (i / (frames - 1) if frames > 1 else 0.0)
        s = clock(t)
        box_w = start.width * ratio**s
        cx = start.cx + (end.cx - start.cx) * s
        cy = start.cy + (end.cy - start.cy) * s
        boxes.append(_keep(cx, cy, box_w, box_w / aspect, width, height, subject))
    return boxes


def _there_and_back(t: float) -> float:
    """0 -> 1 -> 0 over the clip, at rest at both turns: the loop point has no jolt."""
    return 0.5 - 0.5 * math.cos(2.0 * math.pi * t)


def _keep(
    cx: float, cy: float, box_w: float, box_h: float, width: float, height: float, subject: Box | None
) -> Box:
    """The box, shifted as little as needed to contain the subject, then inside the picture."""
    x0, y0 = cx - box_w / 2, cy - box_h / 2
    if subject is not None:
        sx0, sy0, sx1, sy1 = subject
        if sx1 - sx0 <= box_w:
            x0 = min(max(x0, sx1 - box_w), sx0)
        if sy1 - sy0 <= box_h:
            y0 = min(max(y0, sy1 - box_h), sy0)
    return render_motion._inside(x0, y0, box_w, box_h, width, height)


def _end_views(
    motion: CameraMotion,
    width: float,
    height: float,
    aspect: float,
    seconds: float,
    subject: Box | None,
    speed: float,
    sweep: bool,
) -> tuple[View, View]:
    target = subject if subject is not None and not sweep else (width / 2, height / 2, width / 2, height / 2)
    cover_w = min(width, height * aspect)
    need_w = min(cover_w, _smallest_view(target, aspect))
    tx, ty = (target[0] + target[2]) / 2, (target[1] + target[3]) / 2

    def place(box_w: float, x: float, y: float) -> View:
        return View(_clamp(x, _centres(box_w, width, target[0], target[2])),
                    _clamp(y, _centres(box_w / aspect, height, target[1], target[3])), box_w)  # fmt: skip

    if motion == "static":
        view = place(cover_w, tx, ty)
        return view, view
    if motion in ("zoom_in", "zoom_out"):
        wide = place(cover_w, tx, ty)
        tight = place(max(cover_w / render_motion.ZOOM_FACTOR**speed, need_w), tx, ty)
        return (wide, tight) if motion == "zoom_in" else (tight, wide)
    if motion in _HORIZONTAL or motion in _VERTICAL:
        return _pan(motion, width, height, aspect, seconds, target, speed, sweep, place)
    if motion == "ken_burns":
        end = place(max(cover_w / render_motion.KB_END_ZOOM**speed, need_w), tx, ty)
        start_w = cover_w / render_motion.KB_START_ZOOM**speed
        toward = 1.0 if tx >= width / 2 else -1.0  # start on the far side of the subject, drift to it
        start = place(start_w, end.cx - toward * render_motion.KB_DRIFT * (width - start_w) / 2, height / 2)
        return start, end
    raise ValueError(f"unknown motion {motion!r}")


def _pan(
    motion: CameraMotion,
    width: float,
    height: float,
    aspect: float,
    seconds: float,
    target: Box,
    speed: float,
    sweep: bool,
    place: Callable[[float, float, float], View],
) -> tuple[View, View]:
    horizontal = motion in _HORIZONTAL
    # Work along the pan's axis: "long" is the picture's side the pan travels along.
    long_side, cover = (
        (width, min(width, height * aspect)) if horizontal else (height, min(height, width / aspect))
    )
    # The smallest view that holds the subject, measured along the pan's axis.
    need = _smallest_view(target, aspect) if horizontal else _smallest_view(target, aspect) / aspect
    box = (
        cover
        if sweep
        else max(min(cover, long_side / (1.0 + render_motion.PAN_MIN_TRAVEL)), min(cover, need))
    )
    if sweep:
        most = SWEEP_MAX_SPEED * speed * seconds
    else:
        most = speed * max(
            render_motion.PAN_MIN_TRAVEL,
            min(render_motion.PAN_MAX_TRAVEL, render_motion.PAN_MAX_SPEED * seconds),
        )
    # A sweep shows the whole picture: nothing in particular has to stay in view.
    held = (
        (math.inf, -math.inf) if sweep else (target[0], target[2]) if horizontal else (target[1], target[3])
    )
    lo, hi = _centres(box, long_side, *held)
    travel = min(long_side - box, most * box, hi - lo)
    middle = _clamp((target[0] + target[2]) / 2 if horizontal else (target[1] + target[3]) / 2,
                    (lo + travel / 2, hi - travel / 2))  # fmt: skip
    box_w = box if horizontal else box * aspect
    across = place(box_w, (target[0] + target[2]) / 2, (target[1] + target[3]) / 2)
    if horizontal:
        first, second = (
            View(middle + travel / 2, across.cy, box_w),
            View(middle - travel / 2, across.cy, box_w),
        )
        return (first, second) if motion == "pan_left" else (second, first)
    low, high = View(across.cx, middle + travel / 2, box_w), View(across.cx, middle - travel / 2, box_w)
    return (low, high) if motion == "pan_up" else (high, low)


def _centres(size: float, side: float, lo_edge: float, hi_edge: float) -> tuple[float, float]:
    """Where a view `size` long may centre on a `side`-long axis: inside it, and covering lo..hi if it can."""
    lo, hi = size / 2, side - size / 2
    if hi_edge - lo_edge <= size:
        lo, hi = max(lo, hi_edge - size / 2), min(hi, lo_edge + size / 2)
    return (lo, hi) if lo <= hi else (side / 2, side / 2)


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])
