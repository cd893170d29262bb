"""Measures of what a person sees go wrong, used by the tests and the render benchmark.

- Shimmer: the frame-to-frame swing of fine-detail energy (mean squared Laplacian of luma) over a slow
  pan, around its moving average. Steady detail keeps it constant; resampling at 1:1 makes it pulse with
  the sub-pixel phase.
- Pulsing: PSNR of each decoded frame against the frame that was encoded; the jump at a keyframe is the
  mean of its first three frames minus the mean of the three before (a mean, so that the small
  alternation between P and B frames does not count as a jump).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import av
import numpy as np


def decoded_luma(path: Path) -> tuple[list[np.ndarray], list[int]]:
    """Every frame's luma plane (float64) and the indices of the keyframes."""
    frames: list[np.ndarray] = []
    keys: list[int] = []
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            plane = frame.planes[0]
            rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
            frames.append(rows[:, : plane.width].astype(np.float64))
            if frame.key_frame:
                keys.append(index)
    return frames, keys


def detail_energy(luma: np.ndarray) -> float:
    """Mean squared Laplacian: how much fine detail a frame holds."""
    centre = luma[1:-1, 1:-1]
    laplacian = 4 * centre - luma[:-2, 1:-1] - luma[2:, 1:-1] - luma[1:-1, :-2] - luma[1:-1, 2:]
    return float((laplacian**2).mean())


def detail_swing(frames: Iterable[np.ndarray], window: int = 9) -> float:
    """How much the detail energy swings from frame to frame, as a fraction of its mean.

    The standard deviation of the energy less its moving average over `window` frames: a pan reveals
    new content, whose detail changes slowly; shimmer swings from one frame to the next.
    """
    energy = np.array([detail_energy(frame) for frame in frames])
    trend = np.convolve(energy, np.ones(window) / window, mode="valid")
    middle = energy[window // 2 : window // 2 + trend.size]
    return float((middle - trend).std() / energy.mean())


def psnr(decoded: np.ndarray, original: np.ndarray) -> float:
    mse = float(((decoded.astype(np.float64) - original.astype(np.float64)) ** 2).mean())
    return 10.0 * math.log10(255.0**2 / max(mse, 1e-10))


def keyframe_jumps(psnrs: list[float], keys: list[int], span: int = 3) -> list[float]:
    """PSNR (dB) of the frames starting at each keyframe (but the first) minus that of the frames before."""
    values = np.array(psnrs)
    return [
        float(values[k : k + span].mean() - values[k - span : k].mean())
        for k in keys
        if span <= k <= len(values) - span
    ]
