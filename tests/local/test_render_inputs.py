"""Input images and probe_media: formats by content, EXIF orientation, transparency, GIF first frame,
pixel bombs, truncated and fake files."""

from __future__ import annotations

import math
import struct
import time
import wave
import zlib
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from nemo_mcp.local.render.clip import ClipSpec, ImageRejectedError, probe_media, render_clip
from nemo_mcp.local.render.images import MAX_IMAGE_PIXELS, load_image


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


def _first_frame_rgb(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return frame.to_ndarray(format="rgb24")


def _render_small(image: Path, out: Path, width: int = 160, height: int = 120) -> np.ndarray:
    render_clip(ClipSpec(image=image, width=width, height=height, duration_s=0.1, motion="zoom_in"), out)
    return _first_frame_rgb(out)


def _png_claiming(path: Path, width: int, height: int) -> Path:
    """A few hundred bytes of valid PNG structure whose header claims `width` x `height` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 256)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def _noise_jpeg(path: Path, size: tuple[int, int] = (400, 300)) -> Path:
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(path, quality=90)
    return path


def test_exif_orientation_is_respected(folder: Path) -> None:
    raw = Image.new("RGB", (200, 100), (220, 20, 20))
    raw.paste((20, 20, 220), (100, 0, 200, 100))  # stored: red left, blue right
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise: red on top, blue below, 100x200
    photo = folder / "phone.jpg"
    raw.save(photo, exif=exif.tobytes(), quality=95)

    info = probe_media(photo)
    assert (info.file_type, info.width, info.height) == ("image", 100, 200)
    rgb = _render_small(photo, folder / "clip.mp4", width=100, height=200)
    top, bottom = rgb[20:60].reshape(-1, 3).mean(axis=0), rgb[140:180].reshape(-1, 3).mean(axis=0)
    assert top[0] > 150 > top[2], f"top should be red, got {top}"
    assert bottom[2] > 150 > bottom[0], f"bottom should be blue, got {bottom}"


def test_png_transparency_is_flattened_onto_white(folder: Path) -> None:
    logo = Image.new("RGBA", (320, 240), (0, 0, 0, 0))
    logo.paste((0, 0, 0, 255), (120, 80, 200, 160))
    path = folder / "logo.png"
    logo.save(path)
    rgb = _render_small(path, folder / "clip.mp4")
    assert rgb[5:20, 5:20].min() > 230, "transparent corners become white, not black"
    assert rgb[55:65, 75:85].max() < 30, "the opaque square stays black"


def test_palette_png_with_transparent_index_is_flattened(folder: Path) -> None:
    img = Image.new("P", (64, 48), 0)
    img.putpalette([0, 0, 0, 200, 0, 0] + [0] * 762)
    img.paste(1, (16, 12, 48, 36))
    path = folder / "palette.png"
    img.save(path, transparency=0)
    flat = load_image(path)
    assert flat.mode == "RGB"
    assert flat.getpixel((0, 0)) == (255, 255, 255)
    assert flat.getpixel((32, 24)) == (200, 0, 0)


def test_gif_uses_the_first_frame(folder: Path) -> None:
    frames = [Image.new("RGB", (160, 120), colour) for colour in ((230, 10, 10), (10, 230, 10))]
    path = folder / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    rgb = _render_small(path, folder / "clip.mp4")
    mean = rgb.reshape(-1, 3).mean(axis=0)
    assert mean[0] > 180, f"expected the red first frame, got {mean}"
    assert mean[1] < 60, f"expected the red first frame, got {mean}"


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "PNG", "JPEG"])
def test_common_formats_render(folder: Path, fmt: str) -> None:
    path = folder / f"picture.{fmt.lower()}"
    Image.new("RGB", (160, 120), (30, 120, 200)).save(path, format=fmt)
    rgb = _render_small(path, folder / "clip.mp4")
    assert np.abs(rgb.reshape(-1, 3).mean(axis=0) - (30, 120, 200)).max() < 12


def test_cmyk_and_sixteen_bit_images_convert_sensibly(folder: Path) -> None:
    cmyk = folder / "print.jpg"
    Image.new("CMYK", (64, 48), (0, 255, 255, 0)).save(cmyk)  # red ink
    red = load_image(cmyk).getpixel((10, 10))
    assert isinstance(red, tuple)
    assert red[0] > 200
    assert red[1] < 60
    deep = folder / "deep.png"
    Image.fromarray(np.full((48, 64), 32768, dtype=np.uint16)).save(deep)
    grey = load_image(deep).getpixel((10, 10))
    assert isinstance(grey, tuple)
    assert 120 < grey[0] < 136, "half of 16-bit range is mid-grey, not white"


@pytest.mark.parametrize(("width", "height"), [(30_000, 30_000), (11_000, 11_000), (300_000, 500)])
def test_pixel_bombs_are_refused_from_the_header(folder: Path, width: int, height: int) -> None:
    assert width * height > MAX_IMAGE_PIXELS
    bomb = _png_claiming(folder / "bomb.png", width, height)
    assert bomb.stat().st_size < 1000
    started = time.perf_counter()
    with pytest.raises(ImageRejectedError, match="MP"):
        probe_media(bomb)
    with pytest.raises(ImageRejectedError, match="MP"):
        render_clip(ClipSpec(image=bomb), folder / "clip.mp4")
    assert time.perf_counter() - started < 1.0, "nothing may be decoded"
    assert not (folder / "clip.mp4").exists()


def test_truncated_jpeg_is_refused(folder: Path) -> None:
    whole = _noise_jpeg(folder / "whole.jpg")
    cut = folder / "cut.jpg"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ImageRejectedError, match="truncated"):
        probe_media(cut)
    with pytest.raises(ImageRejectedError, match="truncated"):
        render_clip(ClipSpec(image=cut, width=160, height=120, duration_s=0.1), folder / "clip.mp4")
    assert not (folder / "clip.mp4").exists()


def test_truncated_png_is_refused(folder: Path) -> None:
    whole = folder / "whole.png"
    Image.fromarray(np.random.default_rng(5).integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(whole)
    cut = folder / "cut.png"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    with pytest.raises(ImageRejectedError):
        probe_media(cut)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.png", b"just some text pretending to be a picture\n" * 20),
        ("empty.jpg", b""),
        ("program.jpg", b"\x7fELF\x02\x01\x01" + b"\0" * 2000),
        ("story.mp4", b"Once upon a time\n" * 200),
        ("page.gif", b"<html><body>hello</body></html>"),
    ],
)
def test_files_that_are_not_media_are_refused(folder: Path, name: str, content: bytes) -> None:
    path = folder / name
    path.write_bytes(content)
    with pytest.raises(ImageRejectedError, match=name.replace(".", r"\.")) as caught:
        probe_media(path)
    assert name not in caught.value.reason, "reason is the message without the file's name"
    assert caught.value.reason in str(caught.value)
    with pytest.raises(ImageRejectedError):
        render_clip(ClipSpec(image=path, width=160, height=120, duration_s=0.1), folder / "clip.mp4")


def test_missing_file_is_refused(folder: Path) -> None:
    with pytest.raises(ImageRejectedError, match="cannot read"):
        probe_media(folder / "nowhere.jpg")


def test_probe_reports_images_audio_and_video(folder: Path) -> None:
    photo = _noise_jpeg(folder / "photo.jpg", (400, 300))
    assert probe_media(photo) == probe_media(photo)
    info = probe_media(photo)
    assert (info.file_type, info.width, info.height, info.duration_s) == ("image", 400, 300, 0.0)

    tone = folder / "tone.wav"
    rate = 22_050
    samples = (8000 * np.sin(2 * math.pi * 330 * np.arange(rate * 3) / rate)).astype("<i2")
    with wave.open(str(tone), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    audio = probe_media(tone)
    assert audio.file_type == "audio"
    assert audio.duration_s == pytest.approx(3.0, abs=0.05)

    clip = folder / "clip.mp4"
    render_clip(ClipSpec(image=photo, width=160, height=120, duration_s=1.0), clip)
    video = probe_media(clip)
    assert (video.file_type, video.width, video.height) == ("video", 160, 120)
    assert video.duration_s == pytest.approx(1.0, abs=0.1)
    assert video.fps == pytest.approx(30.0)


def _icc_swapping_red_and_blue() -> bytes:
    """A minimal ICC v2 RGB display profile whose red primary is sRGB's blue and whose blue is sRGB's red."""

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(2.2 * 256)) + b"\0\0"
    tags = [
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.1431, 0.0606, 0.7141)),  # sRGB's blue (D50)
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.4361, 0.2225, 0.0139)),  # sRGB's red (D50)
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body + b"\0" * (-len(body) % 4)
    size = offset + len(data)
    header = (
        struct.pack(">I", size) + b"\0\0\0\0" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
        + b"\0" * 12 + b"acsp" + b"\0" * 24 + struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249)
    )  # fmt: skip
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + data


def test_embedded_colour_profiles_are_converted_to_srgb(folder: Path) -> None:
    path = folder / "profiled.png"
    Image.new("RGB", (64, 48), (255, 0, 0)).save(path, icc_profile=_icc_swapping_red_and_blue())
    pixel = load_image(path).getpixel((10, 10))
    assert isinstance(pixel, tuple)
    assert pixel[2] > 230, f"stored red is this profile's blue, got {pixel}"
    assert pixel[0] < 25, f"stored red is this profile's blue, got {pixel}"


def test_broken_colour_profiles_are_ignored(folder: Path) -> None:
    path = folder / "broken.png"
    Image.new("RGB", (64, 48), (255, 0, 0)).save(path, icc_profile=b"\0" * 200)
    assert load_image(path).getpixel((10, 10)) == (255, 0, 0)


def test_large_non_jpeg_images_are_reduced_before_conversion(folder: Path) -> None:
    path = folder / "wide.png"
    Image.new("RGBA", (2400, 1800), (10, 200, 30, 255)).save(path)
    img = load_image(path, lambda w, h: (w // 4, h // 4))
    assert img.size == (600, 450)
    assert img.getpixel((5, 5)) == (10, 200, 30)
