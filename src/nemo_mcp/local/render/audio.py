"""Background music: decoded with PyAV from mp3/m4a/aac/wav (anything FFmpeg reads), resampled to 48 kHz
stereo, trimmed to the clip, set to the requested volume, faded in and out, encoded to AAC.

Music shorter than the clip is followed by silence.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import av
import numpy as np
from av.audio.stream import AudioStream

from nemo_mcp.local.render.images import ImageRejectedError

logger = logging.getLogger(__name__)

SAMPLE_RATE = 48_000
AAC_BITRATE = 160_000
# A short fade-in keeps the encoder from overshooting on a sudden start; the fade-out ends the clip softly.
FADE_IN_S = 0.05
FADE_OUT_S = 1.0


def load_music(path: Path, duration_s: float, volume: float) -> np.ndarray:
    """Samples for exactly `duration_s` seconds, as float32 of shape (2, n), volume and fades applied."""
    wanted = round(duration_s * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    have = 0
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise ImageRejectedError.about(path, "the music file has no audio track.")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray()
                    chunks.append(chunk)
                    have += chunk.shape[1]
                if have >= wanted:
                    break
            else:
                for out in resampler.resample(None):
                    chunk = out.to_ndarray()
                    chunks.append(chunk)
                    have += chunk.shape[1]
    except av.FFmpegError as exc:
        raise ImageRejectedError.about(path, f"not a music file FFmpeg can read ({exc}).") from exc
    samples = np.zeros((2, wanted), dtype=np.float32)
    if chunks:
        decoded = np.concatenate(chunks, axis=1)[:, :wanted]
        samples[:, : decoded.shape[1]] = decoded
        if decoded.shape[1] < wanted:
            logger.info("%s lasts %.2f s; silence fills the rest", path.name, decoded.shape[1] / SAMPLE_RATE)
    samples *= np.float32(volume)
    fade(samples, have=min(have, wanted))
    np.clip(samples, -1.0, 1.0, out=samples)
    return samples


def fade(samples: np.ndarray, have: int) -> None:
    """Quarter-sine fade-in at the start and fade-out before the end of the music (or of the clip)."""
    fade_in = min(round(FADE_IN_S * SAMPLE_RATE), have // 4)
    if fade_in > 0:
        samples[:, :fade_in] *= np.sin(np.linspace(0.0, np.pi / 2, fade_in, dtype=np.float32))
    fade_out = min(round(FADE_OUT_S * SAMPLE_RATE), have // 4)
    if fade_out > 0:
        samples[:, have - fade_out : have] *= np.cos(np.linspace(0.0, np.pi / 2, fade_out, dtype=np.float32))


def encode_aac(stream: AudioStream, samples: np.ndarray) -> list[av.Packet[Any]]:
    """All the AAC packets for `samples` (small: about 20 KB a second), to be muxed alongside the video."""
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="fltp", layout="stereo")
    frame.sample_rate = SAMPLE_RATE
    frame.pts = 0
    packets = list(stream.encode(frame))
    packets.extend(stream.encode(None))
    return packets


def add_aac_stream(container: av.container.OutputContainer) -> AudioStream:
    stream = container.add_stream("aac", rate=SAMPLE_RATE)
    stream.layout = "stereo"
    stream.bit_rate = AAC_BITRATE
    return stream
