"""Camera paths: one crop box per frame, in source pixels, always inside the image.

A path runs between two views (centre and width; the height follows from the output aspect). The width
is interpolated geometrically (a zoom looks steady when the scale changes by the same factor each frame)
and the centre linearly, both on an eased clock. Both end views lie inside the image, and "inside" is a
convex condition that the geometric width only makes easier, so every box in between is inside too: no
border ever shows, and nothing needs clamping except float rounding.

The clock is a blend of linear time and smoothstep: it starts and ends gently, but never stops, so no
frame repeats the one before (a stall) and the motion never turns back (a reversal).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Motion = Literal["zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down", "ken_burns"]
Box = tuple[float, float, float, float]

# How far zooms go: the crop box shrinks (or grows) by this factor over the clip.
ZOOM_FACTOR = 1.2
# Pans: at least this much room to travel (zooming in a little when the image has no spare side),
# and at most this far, both as a fraction of the frame width (or height for vertical pans).
PAN_MIN_TRAVEL = 0.15
PAN_MAX_TRAVEL = 0.5
# ... and no faster than this many frame widths a second on average, so short clips do not whip past.
PAN_MAX_SPEED = 0.1
# Ken Burns: zoom from KB_START to KB_END while drifting across part of the room this leaves.
KB_START_ZOOM = 1.05
KB_END_ZOOM = 1.25
KB_DRIFT = 0.8
# Share of smoothstep in the clock; the rest is linear time, which keeps the ends moving:
# the speed at the ends is (1 - EASE) of the mean speed, and (1 + EASE / 2) of it mid-clip.
EASE = 0.6


def ease(t: float) -> float:
    """Eased clock on [0, 1]: strictly increasing, gentle at both ends, never at rest."""
    t = min(1.0, max(0.0, t))
    return (1.0 - EASE) * t + EASE * t * t * (3.0 - 2.0 * t)


@dataclass(frozen=True)
class View:
    cx: float
    cy: float
    width: float  # crop width in source pixels; height = width / aspect


def _end_views(
    motion: Motion, width: float, height: float, aspect: float, seconds: float
) -> tuple[View, View]:
    cover_w = min(width, height * aspect)  # the largest box of the output aspect that fits
    cover_h = cover_w / aspect
    cx, cy = width / 2.0, height / 2.0
    max_travel = max(PAN_MIN_TRAVEL, min(PAN_MAX_TRAVEL, PAN_MAX_SPEED * seconds))
    if motion in ("zoom_in", "zoom_out"):
        wide, tight = View(cx, cy, cover_w), View(cx, cy, cover_w / ZOOM_FACTOR)
        return (wide, tight) if motion == "zoom_in" else (tight, wide)
    if motion in ("pan_left", "pan_right"):
        box_w = min(cover_w, width / (1.0 + PAN_MIN_TRAVEL))
        travel = min(width - box_w, max_travel * box_w)
        right, left = View(cx + travel / 2, cy, box_w), View(cx - travel / 2, cy, box_w)
        # The camera turns left: the view slides from the right part of the picture to the left part.
        return (right, left) if motion == "pan_left" else (left, right)
    if motion in ("pan_up", "pan_down"):
        box_h = min(cover_h, height / (1.0 + PAN_MIN_TRAVEL))
        travel = min(height - box_h, max_travel * box_h)
        low, high = View(cx, cy + travel / 2, box_h * aspect), View(cx, cy - travel / 2, box_h * aspect)
        return (low, high) if motion == "pan_up" else (high, low)
    if motion == "ken_burns":
        w0, w1 = cover_w / KB_START_ZOOM, cover_w / KB_END_ZOOM
        room_x0, room_x1 = width - w0, width - w1
        room_y1 = height - w1 / aspect
        start = View(cx - KB_DRIFT * room_x0 / 2, cy, w0)
        end = View(cx + KB_DRIFT * room_x1 / 2, cy - 0.5 * KB_DRIFT * room_y1 / 2, w1)
        return start, end
    raise ValueError(f"unknown motion {motion!r}")


def plan(
    motion: Motion, width: float, height: float, out_w: int, out_h: int, frames: int, fps: float = 30.0
) -> list[Box]:
    """One crop box (x0, y0, x1, y1) per frame, in the coordinates of a `width` x `height` image."""
    aspect = out_w / out_h
    start, end = _end_views(motion, width, height, aspect, frames / fps)
    boxes: list[Box] = []
    ratio = end.width / start.width
    for i in range(frames):
        s = ease(i / (frames - 1)) if frames > 1 else 0.0
        box_w = start.width * ratio**s
        box_h = box_w / aspect
        cx = start.cx + (end.cx - start.cx) * s
        cy = start.cy + (end.cy - start.cy) * s
        boxes.append(_inside(cx - box_w / 2, cy - box_h / 2, box_w, box_h, width, height))
    return boxes


def _inside(x0: float, y0: float, box_w: float, box_h: float, width: float, height: float) -> Box:
    """Clamp against float rounding only: Pillow refuses a box that pokes past the edge."""
    box_w, box_h = min(box_w, width), min(box_h, height)
    x0 = min(max(x0, 0.0), width - box_w)
    y0 = min(max(y0, 0.0), height - box_h)
    return (x0, y0, min(x0 + box_w, width), min(y0 + box_h, height))


def smallest_width(boxes: list[Box]) -> float:
    return min(b[2] - b[0] for b in boxes)


def union(boxes: list[Box]) -> tuple[int, int, int, int]:
    """The integer box that covers every crop box."""
    return (
        math.floor(min(b[0] for b in boxes)),
        math.floor(min(b[1] for b in boxes)),
        math.ceil(max(b[2] for b in boxes)),
        math.ceil(max(b[3] for b in boxes)),
    )
