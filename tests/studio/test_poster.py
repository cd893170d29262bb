"""The poster frame: a JPEG of the middle (or first) frame, at most 480 px wide and 100 KB, from a real MP4."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nemo_mcp.server.studio.poster import MAX_POSTER_BYTES, PosterError, make_poster


def write_clip(
    path: Path,
    colours: list[tuple[int, int, int]],
    *,
    noise: bool = False,
    size: tuple[int, int] = (1280, 720),
) -> Path:
    """An H.264 MP4 at 10 fps, one second per colour (pure grain when `noise`, a few frames only)."""
    import av

    rng = np.random.default_rng(7)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        width, height = size
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for colour in colours:
            for _ in range(3 if noise else 10):
                pixels = np.empty((height, width, 3), dtype=np.uint8)
                pixels[:] = colour
                if noise:
                    pixels = rng.integers(0, 256, size=pixels.shape, dtype=np.uint8)
                frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def mean_colour(jpeg: bytes) -> tuple[float, float, float]:
    with Image.open(io.BytesIO(jpeg)) as picture:
        pixels = np.asarray(picture.convert("RGB"), dtype=np.float64)
    red, green, blue = pixels.reshape(-1, 3).mean(axis=0)
    return red, green, blue


def test_middle_and_first_frames(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "clip.mp4", [(220, 30, 30), (30, 30, 220), (30, 30, 220)])
    middle = make_poster(clip)
    first = make_poster(clip, moment="first")
    for jpeg in (middle, first):
        assert jpeg[:2] == b"\xff\xd8"
        assert len(jpeg) <= MAX_POSTER_BYTES
        with Image.open(io.BytesIO(jpeg)) as picture:
            assert picture.size == (480, 270)
    red, _, blue = mean_colour(middle)
    assert blue > red + 100
    red, _, blue = mean_colour(first)
    assert red > blue + 100


def test_a_noisy_frame_still_fits(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "grain.mp4", [(0, 0, 0)], noise=True, size=(640, 360))
    jpeg = make_poster(clip, max_bytes=12_000)
    assert len(jpeg) <= 12_000
    with Image.open(io.BytesIO(jpeg)) as picture:
        assert picture.width < 480  # no quality was low enough at full width: it was made smaller


def test_not_a_video(tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\x00\x00\x00\x18ftypmp42 but nothing else")
    with pytest.raises(PosterError, match=r"fake\.mp4"):
        make_poster(fake)


def test_a_photo_poster(tmp_path: Path) -> None:
    from nemo_mcp.server.studio.poster import image_poster

    sample = Path(__file__).parents[2] / "src" / "nemo_mcp" / "local" / "assets" / "sample.jpg"
    jpeg = image_poster(sample.read_bytes())
    assert len(jpeg) <= MAX_POSTER_BYTES
    with Image.open(io.BytesIO(jpeg)) as picture:
        assert picture.format == "JPEG"
        assert picture.width == 480
    with pytest.raises(PosterError):
        image_poster(b"not an image")
