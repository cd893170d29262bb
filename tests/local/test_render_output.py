"""The renderer's output, checked by decoding it with PyAV: codec, profile, pixel format, size, rate,
duration, frame count, colour tags and values, audio only with music, atomic writes, progress, cancel."""

from __future__ import annotations

import itertools
import math
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from av.audio.stream import AudioStream
from PIL import Image

from nemo_mcp.local.render.clip import (
    ClipSpec,
    RenderCancelledError,
    render_clip,
    sample_image_path,
)
from nemo_mcp.local.render.loudness import integrated_loudness


def _photo(path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 255, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
    Image.fromarray(pixels).resize(size, Image.Resampling.BICUBIC).save(path, quality=90)
    return path


def _wav(path: Path, seconds: float = 2.0, rate: int = 44_100, amplitude: float = 0.5) -> Path:
    t = np.arange(round(seconds * rate)) / rate
    tone = (amplitude * 32767 * np.sin(2 * math.pi * 440 * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:  # stereo: FFmpeg spreads mono over two channels at -3 dB
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(tone, 2).tobytes())
    return path


def _luma(frame: av.VideoFrame) -> np.ndarray:
    plane = frame.planes[0]
    rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]


def _chroma(frame: av.VideoFrame, index: int) -> np.ndarray:
    plane = frame.planes[index]
    rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding only what each test puts there (tmp_path also holds the test's home)."""
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.mark.slow
def test_sample_photo_renders_the_documented_clip(folder: Path) -> None:
    out = folder / "clip.mp4"
    result = render_clip(ClipSpec(image=sample_image_path(), title="A quiet evening"), out)

    assert result.path == out
    assert out.stat().st_size == result.size_bytes
    assert (result.width, result.height, result.fps, result.has_audio) == (1280, 720, 30, False)
    with av.open(str(out)) as container:
        assert len(container.streams.audio) == 0
        stream = container.streams.video[0]
        codec = stream.codec_context
        assert codec.name == "h264"
        assert codec.profile == "High"
        assert codec.pix_fmt == "yuv420p"
        assert (codec.width, codec.height) == (1280, 720)
        assert stream.average_rate == 30
        assert container.duration is not None
        assert abs(container.duration / av.time_base - 5.0) < 0.1
        decoded = sum(1 for _ in container.decode(stream))
        assert decoded == 150
    head = out.read_bytes()[:200_000]
    assert 0 <= head.find(b"moov") < head.find(b"mdat"), "+faststart puts the index before the media"


def test_sample_image_ships_with_the_package() -> None:
    path = sample_image_path()
    assert path.is_file()
    with Image.open(path) as img:
        assert img.format == "JPEG"
        assert img.size == (1600, 1200)
    assert 20_000 < path.stat().st_size < 600_000


@pytest.mark.parametrize(
    ("width", "height", "duration", "frames"),
    [
        (720, 1280, 0.5, 15),
        (720, 720, 1.0, 30),
        (1080, 1920, 0.2, 6),
        (320, 180, 2.5, 75),
        (320, 180, 1.01, 30),
    ],
)
def test_sizes_and_exact_frame_counts(
    folder: Path, width: int, height: int, duration: float, frames: int
) -> None:
    out = folder / "clip.mp4"
    result = render_clip(
        ClipSpec(
            image=sample_image_path(), width=width, height=height, duration_s=duration, motion="ken_burns"
        ),
        out,
    )
    assert result.duration_s == pytest.approx(frames / 30)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (width, height)
        assert sum(1 for _ in container.decode(stream)) == frames


def test_colours_are_bt709_limited_range_and_tagged(folder: Path) -> None:
    image = folder / "red.png"
    Image.new("RGB", (320, 180), (255, 0, 0)).save(image)
    out = folder / "red.mp4"
    render_clip(ClipSpec(image=image, width=160, height=90, duration_s=0.2), out)
    with av.open(str(out)) as container:
        codec = container.streams.video[0].codec_context
        assert (int(codec.colorspace), int(codec.color_primaries), int(codec.color_trc)) == (
            1,
            1,
            1,
        )  # BT.709
        assert int(codec.color_range) == 1  # MPEG, limited
        frame = next(container.decode(video=0))
    # Pure red in BT.709 limited range: Y' 63, Cb 102, Cr 240 (BT.601 would give Y' 81).
    assert abs(float(np.median(_luma(frame))) - 63) <= 2
    assert abs(float(np.median(_chroma(frame, 1))) - 102) <= 2
    assert abs(float(np.median(_chroma(frame, 2))) - 240) <= 2


def test_music_adds_an_aac_track_at_the_requested_loudness_with_fades(folder: Path) -> None:
    music = _wav(folder / "tone.wav", seconds=3.0)
    out = folder / "music.mp4"
    result = render_clip(
        ClipSpec(
            image=sample_image_path(), width=320, height=180, duration_s=2.0, music=music, music_volume=0.5
        ),
        out,
    )
    assert result.has_audio
    with av.open(str(out)) as container:
        assert container.duration is not None
        assert abs(container.duration / av.time_base - 2.0) < 0.1
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        assert audio.codec_context.sample_rate == 48_000
        stereo = np.concatenate([f.to_ndarray() for f in container.decode(audio)], axis=1)
    samples = stereo[0]
    assert abs(len(samples) / 48_000 - 2.0) < 0.1
    # 50 % is half as loud as 100 % (-16 LUFS): 10 LU less, whatever the file's own level.
    assert result.loudness_lufs == pytest.approx(-26.0, abs=0.05)
    assert integrated_loudness(stereo, 48_000) == pytest.approx(-26.0, abs=1.0)
    assert result.music_track == "tone.wav"
    middle = samples[len(samples) // 2 - 4800 : len(samples) // 2 + 4800]
    rms = float(np.sqrt(np.mean(middle**2)))
    tail = samples[-2400:]  # the last 50 ms are inside the fade-out
    assert float(np.sqrt(np.mean(tail**2))) < 0.2 * rms


def test_music_shorter_than_the_clip_is_followed_by_silence(folder: Path) -> None:
    music = _wav(folder / "short.wav", seconds=0.5)
    out = folder / "clip.mp4"
    render_clip(ClipSpec(image=sample_image_path(), width=160, height=90, duration_s=1.5, music=music), out)
    with av.open(str(out)) as container:
        samples = np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)])
    assert float(np.abs(samples[-24_000:]).max()) < 0.01
    assert float(np.abs(samples[: 24_000 // 2]).max()) > 0.02  # the default 35 % level: -31 LUFS


def test_no_music_no_audio_track(folder: Path) -> None:
    out = folder / "clip.mp4"
    result = render_clip(ClipSpec(image=sample_image_path(), width=160, height=90, duration_s=0.2), out)
    assert not result.has_audio
    with av.open(str(out)) as container:
        assert len(container.streams.audio) == 0


def test_unreadable_music_is_refused_and_leaves_nothing(folder: Path) -> None:
    from nemo_mcp.local.render.clip import ImageRejectedError

    music = folder / "song.mp3"
    music.write_text("not music at all")
    out = folder / "clip.mp4"
    with pytest.raises(ImageRejectedError, match=r"song\.mp3"):
        render_clip(
            ClipSpec(image=sample_image_path(), width=160, height=90, duration_s=0.2, music=music), out
        )
    assert list(folder.iterdir()) == [music]


def test_progress_increases_to_one_and_out_appears_only_at_the_end(folder: Path) -> None:
    out = folder / "clip.mp4"
    out.write_bytes(b"previous clip")
    seen: list[float] = []

    def progress(fraction: float) -> None:
        seen.append(fraction)
        if fraction < 1.0:
            assert out.read_bytes() == b"previous clip", "out must not change before the render is complete"

    render_clip(
        ClipSpec(image=sample_image_path(), width=160, height=90, duration_s=0.5), out, on_progress=progress
    )
    assert len(seen) >= 10
    assert all(a < b for a, b in itertools.pairwise(seen))
    assert seen[0] > 0
    assert seen[-1] == 1.0
    assert out.read_bytes()[4:8] == b"ftyp"
    assert [p.name for p in folder.iterdir()] == ["clip.mp4"]


def test_cancel_stops_the_render_and_leaves_no_file(folder: Path) -> None:
    out = folder / "clip.mp4"
    polls = 0

    def cancel() -> bool:
        nonlocal polls
        polls += 1
        return polls > 5

    with pytest.raises(RenderCancelledError):
        render_clip(
            ClipSpec(image=sample_image_path(), width=320, height=180, duration_s=3.0),
            out,
            should_cancel=cancel,
        )
    assert polls == 6
    assert list(folder.iterdir()) == []


def test_cancel_keeps_a_previous_file_intact(folder: Path) -> None:
    out = folder / "clip.mp4"
    out.write_bytes(b"previous clip")
    with pytest.raises(RenderCancelledError):
        render_clip(
            ClipSpec(image=sample_image_path(), width=160, height=90), out, should_cancel=lambda: True
        )
    assert out.read_bytes() == b"previous clip"
    assert [p.name for p in folder.iterdir()] == ["clip.mp4"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"width": 1281}, "width"),
        ({"height": 2160}, "height"),
        ({"width": 0}, "width"),
        ({"duration_s": 0.0}, "duration_s"),
        ({"duration_s": -1.0}, "duration_s"),
        ({"fps": 0}, "fps"),
        ({"motion": "spin"}, "motion"),
        ({"music_volume": 5.0}, "music_volume"),
    ],
)
def test_impossible_specs_are_refused_before_any_work(
    folder: Path, changes: dict[str, object], message: str
) -> None:
    spec = ClipSpec(image=folder / "missing.jpg", **changes)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        render_clip(spec, folder / "clip.mp4")
    assert list(folder.iterdir()) == []


def test_large_photo_is_decoded_at_reduced_size(folder: Path) -> None:
    from nemo_mcp.local.render.images import load_image

    photo = _photo(folder / "big.jpg", size=(4000, 3000))
    img = load_image(photo, lambda w, h: (w // 3, h // 3))
    assert img.size == (2000, 1500)  # JPEG draft at 1/2: the smallest scale still large enough
    full = load_image(photo)
    assert full.size == (4000, 3000)


def _encoded_tone(path: Path, codec: str, container_format: str, seconds: float = 2.0) -> Path:
    """A stereo 440 Hz tone at amplitude 0.5, encoded with PyAV (as a phone or an editor would)."""
    rate = 44_100
    with av.open(str(path), "w", format=container_format) as out:
        stream = out.add_stream(codec, rate=rate)
        assert isinstance(stream, AudioStream)
        stream.layout = "stereo"
        t = np.arange(round(seconds * rate)) / rate
        tone = (0.5 * np.sin(2 * math.pi * 440 * t)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return path


@pytest.mark.parametrize(
    ("name", "codec", "container_format"),
    [("song.mp3", "libmp3lame", "mp3"), ("song.m4a", "aac", "ipod"), ("song.aac", "aac", "adts")],
)
def test_compressed_music_formats_are_decoded(
    folder: Path, name: str, codec: str, container_format: str
) -> None:
    music = _encoded_tone(folder / name, codec, container_format)
    out = folder / "clip.mp4"
    render_clip(
        ClipSpec(
            image=sample_image_path(), width=160, height=90, duration_s=1.0, music=music, music_volume=1.0
        ),
        out,
    )
    with av.open(str(out)) as container:
        stereo = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
    # Decoded, then normalised: 100 % is the loudness target, whatever the file's own level.
    assert integrated_loudness(stereo, 48_000) == pytest.approx(-16.0, abs=1.0)


def test_renders_can_run_in_parallel_threads(folder: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    specs = [
        ClipSpec(
            image=sample_image_path(), width=320, height=180, duration_s=1.0, motion="pan_left", title="One"
        ),
        ClipSpec(image=sample_image_path(), width=180, height=320, duration_s=0.5, motion="zoom_out"),
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda i: render_clip(specs[i], folder / f"clip{i}.mp4"), range(2)))
    for spec, result in zip(specs, results, strict=True):
        with av.open(str(result.path)) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.width, stream.codec_context.height) == (spec.width, spec.height)
            assert sum(1 for _ in container.decode(stream)) == round(spec.duration_s * 30)
    assert sorted(p.name for p in folder.iterdir()) == ["clip0.mp4", "clip1.mp4"]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
def test_memory_stays_bounded_for_a_large_photo(folder: Path) -> None:
    """A 48 MP JPEG (about 140 MB decoded) renders in a fresh process with a small peak: it is decoded at
    reduced size and only as many pixels as the zoom needs are kept."""
    import subprocess
    import sys

    photo = folder / "large.jpg"
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 255, (150, 200, 3), dtype=np.uint8)).resize(
        (8000, 6000), Image.Resampling.BILINEAR
    ).save(photo, quality=80)
    script = (
        "import sys; from pathlib import Path\n"
        "from nemo_mcp.local.render.clip import ClipSpec, render_clip\n"
        "render_clip(ClipSpec(image=Path(sys.argv[1]), duration_s=1.0), Path(sys.argv[2]))\n"
        "peak = [line for line in open('/proc/self/status') if line.startswith('VmHWM')][0]\n"
        "print(int(peak.split()[1]) // 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(photo), str(folder / "clip.mp4")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    peak_mb = int(done.stdout.strip())
    assert peak_mb < 300, f"peak {peak_mb} MB"
    assert (folder / "clip.mp4").stat().st_size > 0
