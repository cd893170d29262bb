"""Integrated loudness (ITU-R BS.1770-4, the measure EBU R128 uses) and the music level a person asked for.

A linear gain is not a level people hear: "30%" of a quiet song and of a loud one sound nothing alike.
So every mix is measured and normalised: 100% puts the music at `TARGET_LUFS` integrated loudness, and
each halving of the requested level lowers it by 10 LU, because perceived loudness halves for about
every 10 dB (Stevens' sone scale): 50% is -26 LUFS, 30% -33.4 LUFS, 10% -49.2 LUFS.

The K-weighting filter is the two biquads of BS.1770 (a high shelf and a high pass), designed for any
sample rate the way libebur128 does. NumPy has no recursive filter, so each is applied as the FFT
convolution with its impulse response, truncated where it has decayed below 1e-9 (a few thousand
samples: the poles sit well inside the unit circle), which matches the recursive filter to far better
than 0.01 LU.
"""

from __future__ import annotations

import functools
import math

import numpy as np

# -16 LUFS: the level mobile and streaming platforms play at (AES TD1004, Apple, Spotify's "quiet");
# EBU R128's -23 is for broadcast next to speech, and would sound faint in a clip that is all music.
TARGET_LUFS = -16.0
# Perceived loudness halves for each 10 LU less.
LU_PER_HALVING = 10.0
# The quietest level a non-zero request maps to (anything below is inaudible next to any room noise).
FLOOR_LUFS = -70.0
# The mix may not peak above this (-1 dBFS): AAC's decoder overshoots a little past full scale.
PEAK_CEILING = 10 ** (-1.0 / 20.0)

_STEP_S = 0.1  # gating blocks are 400 ms (4 steps), overlapping by 75 %
_STEPS_PER_BLOCK = 4
_FILTER_BLOCK = 1 << 18
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_IMPULSE_LENGTH = 1 << 15


def _biquads(rate: float) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(b, a) of BS.1770's pre-filter (high shelf, +4 dB above ~1.7 kHz) and RLB high-pass, at `rate`."""
    k = math.tan(math.pi * 1681.974450955533 / rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf = (
        np.array([(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]),
        np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]),
    )
    k = math.tan(math.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1.0 + k / q + k * k
    highpass = (
        np.array([1.0, -2.0, 1.0]),
        np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]),
    )
    return shelf, highpass


@functools.cache
def _k_weighting_impulse(rate: int) -> np.ndarray:
    """The impulse response of both biquads in cascade (computed once per rate, in float64)."""
    response = np.zeros(_IMPULSE_LENGTH)
    response[0] = 1.0
    for b, a in _biquads(rate):
        x, y = response, np.zeros(_IMPULSE_LENGTH)
        x1 = x2 = y1 = y2 = 0.0
        for n in range(_IMPULSE_LENGTH):  # a few ms once per rate; the signal itself is filtered by FFT
            value = b[0] * x[n] + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
            x2, x1, y2, y1 = x1, x[n], y1, value
            y[n] = value
        response = y
    tail = np.flatnonzero(np.abs(response) > 1e-9)
    return response[: tail[-1] + 1 if tail.size else 1].copy()


def k_weighted(samples: np.ndarray, rate: int) -> np.ndarray:
    """`samples` (channels, n) through the K-weighting filter, same shape, float32.

    Overlap-add in blocks of about 5 s, so a two-minute mix needs tens of MB, not hundreds.
    """
    impulse = _k_weighting_impulse(rate)
    data = np.atleast_2d(samples)
    n, taps = data.shape[-1], impulse.size
    size = 1 << (_FILTER_BLOCK + taps - 1).bit_length()
    kernel = np.fft.rfft(impulse, size)
    out = np.zeros((data.shape[0], n + taps - 1), dtype=np.float32)
    for start in range(0, n, _FILTER_BLOCK):
        chunk = np.asarray(data[:, start : start + _FILTER_BLOCK], dtype=np.float64)
        length = chunk.shape[-1] + taps - 1
        out[:, start : start + length] += np.fft.irfft(
            np.fft.rfft(chunk, size, axis=-1) * kernel, size, axis=-1
        )[:, :length]
    result: np.ndarray = out[:, :n]
    return result


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Gated integrated loudness of `samples` (channels, n) in LUFS; -inf for silence or under 0.4 s.

    Every channel is weighted 1.0, as BS.1770 does for left, right and centre (no surround here).
    """
    data = np.atleast_2d(samples)
    step = round(_STEP_S * rate)
    steps = data.shape[-1] // step
    if steps < _STEPS_PER_BLOCK:
        return -math.inf
    filtered = k_weighted(data, rate)
    # Energy of every 100 ms step (summed in float64), then of every 400 ms block = 4 consecutive steps.
    energy = np.empty(steps)
    for first in range(0, steps, 64):
        last = min(steps, first + 64)
        part = filtered[:, first * step : last * step].astype(np.float64) ** 2
        energy[first:last] = part.reshape(part.shape[0], last - first, step).sum(axis=(0, 2))
    blocks = np.convolve(energy, np.ones(_STEPS_PER_BLOCK), mode="valid") / (_STEPS_PER_BLOCK * step)
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10.0 * np.log10(blocks)
    loud = blocks[levels > _ABSOLUTE_GATE]
    if loud.size == 0:
        return -math.inf
    relative = -0.691 + 10.0 * math.log10(float(loud.mean())) + _RELATIVE_GATE
    gated = blocks[(levels > _ABSOLUTE_GATE) & (levels > relative)]
    return -0.691 + 10.0 * math.log10(float(gated.mean()))


def target_for_volume(volume: float) -> float:
    """The integrated loudness (LUFS) that a requested perceived level (1.0 = 100 %) maps to."""
    if volume <= 0:
        return -math.inf
    return max(FLOOR_LUFS, TARGET_LUFS + LU_PER_HALVING * math.log2(volume))


def normalise(samples: np.ndarray, rate: int, volume: float) -> tuple[np.ndarray, float | None]:
    """`samples` scaled to the loudness `volume` asks for, and the loudness reached (None if silent).

    A gain that would push peaks past -1 dBFS is reduced to stop there, so a very quiet, very peaky
    track can end up below its target: the loudness returned is the one measured, not the one hoped for.
    """
    measured = integrated_loudness(samples, rate)
    target = target_for_volume(volume)
    if not math.isfinite(measured) or not math.isfinite(target):
        return np.zeros_like(samples), None
    gain = 10 ** ((target - measured) / 20.0)
    peak = float(np.abs(samples).max())
    if peak * gain > PEAK_CEILING:
        gain = PEAK_CEILING / peak
    scaled = (samples * np.float32(gain)).astype(np.float32, copy=False)
    return scaled, measured + 20.0 * math.log10(gain)
