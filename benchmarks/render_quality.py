"""What a person sees, measured on synthetic photos with known content (issue 12): the subject in every
frame, transparency, CJK titles, music loudness, shimmer and keyframe pulsing. One line per figure.

    python benchmarks/render_quality.py                                # the installed nemo_mcp
    PYTHONPATH=/path/to/old/src python benchmarks/render_quality.py    # an older tree, for "before"

The measures (quality.py, loudness.py) are loaded from this checkout by path, so an older tree that lacks
them is measured the same way. About 2 minutes on 2 cores.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import av
import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))

from tests.local import synthetic  # noqa: E402

from nemo_mcp.local.render import clip as render_module  # noqa: E402
from nemo_mcp.local.render.clip import ClipSpec, Motion, render_clip  # noqa: E402

Mask = Callable[[np.ndarray], np.ndarray]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "src" / "nemo_mcp" / "local" / "render" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


Q = _load("quality")
L = _load("loudness")


def _rgb(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def _red(frame: np.ndarray) -> np.ndarray:
    mask: np.ndarray = (frame[..., 0] > 150) & (frame[..., 1] < 90) & (frame[..., 2] < 90)
    return mask


def _skin(frame: np.ndarray) -> np.ndarray:
    r, g, b = (frame[..., i] for i in range(3))
    mask: np.ndarray = (r > 190) & (g > 150) & (g < 205) & (b > 120) & (b < 185)
    return mask


def _whole(frames: list[np.ndarray], mask: Mask) -> str:
    """How many frames show the masked subject whole (off every edge, at least half its largest area)."""
    largest = max(int(mask(f).sum()) for f in frames)
    whole = 0
    for frame in frames:
        ys, xs = np.nonzero(mask(frame))
        if (
            xs.size
            and xs.min() > 1
            and ys.min() > 1
            and xs.max() < frame.shape[1] - 2
            and ys.max() < frame.shape[0] - 2
        ):
            whole += int(xs.size > 0.5 * largest)
    return f"{whole}/{len(frames)}"


def _maker(spec: ClipSpec, frames: int) -> Any:
    made = render_module._frame_maker(spec, frames)
    return made[0] if isinstance(made, tuple) else made


def framing(folder: Path) -> None:
    photo, _ = synthetic.ladybird(3000, 2000, 2500, 500, 170)
    photo.save(folder / "ladybird.jpg", quality=92)
    render_clip(
        ClipSpec(image=folder / "ladybird.jpg", width=360, height=640, duration_s=3), folder / "a.mp4"
    )
    print("ladybird 3:2 made 9:16, frames with the subject whole:", _whole(_rgb(folder / "a.mp4"), _red))
    portrait, _ = synthetic.face(2000, 2000, 1000, 1350, 330)
    portrait.save(folder / "face.jpg", quality=92)
    render_clip(ClipSpec(image=folder / "face.jpg", width=640, height=360, duration_s=3), folder / "b.mp4")
    print("square portrait made 16:9, frames with the face whole:", _whole(_rgb(folder / "b.mp4"), _skin))
    vertical = synthetic.foliage(1200, 1800, 4)
    draw = ImageDraw.Draw(vertical)
    draw.rectangle((0, 0, 120, 120), fill=(255, 0, 0))
    draw.rectangle((1080, 1680, 1200, 1800), fill=(255, 0, 0))
    vertical.save(folder / "vertical.png")
    spec = ClipSpec(image=folder / "vertical.png", width=640, height=360, duration_s=1, motion="ken_burns")
    render_clip(spec, folder / "c.mp4")
    both = all(_red(f)[:, :320].sum() > 20 and _red(f)[:, 320:].sum() > 20 for f in _rgb(folder / "c.mp4"))
    print("vertical 2:3 made 16:9, both opposite corners in every frame:", both)
    synthetic.panorama(4000, 1000).save(folder / "panorama.jpg", quality=92)
    spec = ClipSpec(image=folder / "panorama.jpg", width=320, height=180, duration_s=10, motion="pan_right")
    render_clip(spec, folder / "d.mp4")
    frames = _rgb(folder / "d.mp4")
    blue = (frames[-1][..., 2] > 150) & (frames[-1][..., 0] < 90)
    print(
        f"4:1 panorama panned 10 s, left end first {_red(frames[0]).sum() > 50}, right end last {blue.sum() > 50}"
    )
    synthetic.white_logo().save(folder / "logo.png")
    render_clip(ClipSpec(image=folder / "logo.png", width=320, height=180, duration_s=1), folder / "e.mp4")
    frames = _rgb(folder / "e.mp4")
    print(f"white logo on transparency, blank frames: {sum(f.std() < 5 for f in frames)}/{len(frames)}")


def title_and_music(folder: Path) -> None:
    Image.new("RGB", (640, 360), (60, 60, 60)).save(folder / "grey.png")
    drawn: dict[str, np.ndarray] = {}
    for title in ("東京の夜", "????"):
        out = folder / f"title{len(drawn)}.mp4"
        render_clip(
            ClipSpec(image=folder / "grey.png", width=640, height=360, duration_s=0.2, title=title), out
        )
        drawn[title] = _rgb(out)[0].astype(np.float64)
    print(
        f"CJK title against '????', mean difference {np.abs(drawn['東京の夜'] - drawn['????']).mean():.2f} (0: drawn as ?)"
    )
    rate = 44_100
    t = np.arange(6 * rate) / rate
    tone = np.sin(2 * np.pi * 330 * t) * (1 + 0.3 * np.sin(2 * np.pi * 2 * t))
    tone *= 10 ** ((-25 - L.integrated_loudness(np.stack([tone, tone]), rate)) / 20)
    with wave.open(str(folder / "song.wav"), "wb") as song:
        song.setnchannels(2)
        song.setsampwidth(2)
        song.setframerate(rate)
        song.writeframes(np.repeat((tone * 32767).astype("<i2"), 2).tobytes())
    spec = ClipSpec(
        image=folder / "grey.png",
        width=160,
        height=90,
        duration_s=5,
        music=folder / "song.wav",
        music_volume=0.3,
    )
    render_clip(spec, folder / "g.mp4")
    with av.open(str(folder / "g.mp4")) as container:
        audio = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
    measured = L.integrated_loudness(audio, 48_000)
    print(f"30 % of a -25 LUFS song: {measured:.2f} LUFS (-33.37 asked: {measured + 33.37:+.2f} LU)")


def shimmer_and_pulsing(folder: Path) -> None:
    synthetic.fine_detail().save(folder / "stripes.png")
    pans: tuple[Motion, ...] = ("pan_right", "pan_up")
    for motion in pans:
        spec = ClipSpec(image=folder / "stripes.png", width=640, height=360, duration_s=3, motion=motion)
        maker = _maker(spec, 90)
        handed = Q.detail_swing(np.asarray(maker.frame(i)[0], dtype=np.float64) for i in range(90))
        render_clip(spec, folder / "h.mp4")
        decoded, _ = Q.decoded_luma(folder / "h.mp4")
        print(
            f"shimmer, stripes {motion}: {100 * handed:.2f} % handed to the encoder, {100 * Q.detail_swing(decoded):.2f} % decoded"
        )
    photo = Path(render_module.__file__).parent.parent / "assets" / "sample.jpg"
    photo_moves: tuple[Motion, ...] = ("pan_right", "pan_up", "zoom_in")
    for motion in photo_moves:
        spec = ClipSpec(image=photo, width=640, height=360, duration_s=3, motion=motion)
        render_clip(spec, folder / "p.mp4")
        decoded, _ = Q.decoded_luma(folder / "p.mp4")
        kbits = (folder / "p.mp4").stat().st_size * 8 / 3 / 1000
        print(
            f"flicker, sample photo {motion}: {100 * Q.detail_swing(decoded):.2f} % decoded, {kbits:.0f} kbit/s"
        )
    synthetic.natural_texture().save(folder / "texture.jpg", quality=92)
    for width, height, seconds in ((640, 360, 4.5), (1280, 720, 5.0)):
        moves: tuple[Motion, ...] = ("zoom_in", "pan_right")
        for motion in moves:
            spec = ClipSpec(
                image=folder / "texture.jpg", width=width, height=height, duration_s=seconds, motion=motion
            )
            render_clip(spec, folder / "i.mp4")
            decoded, keys = Q.decoded_luma(folder / "i.mp4")
            maker = _maker(spec, len(decoded))
            psnrs = [Q.psnr(f, np.asarray(maker.frame(i)[0])) for i, f in enumerate(decoded)]
            jumps = ", ".join(f"{j:+.2f}" for j in Q.keyframe_jumps(psnrs, keys))
            kbits = (folder / "i.mp4").stat().st_size * 8 / seconds / 1000
            print(
                f"keyframes, texture {width}x{height} {motion}: jumps {jumps} dB, mean PSNR {np.mean(psnrs):.1f} dB, {kbits:.0f} kbit/s"
            )


def main() -> None:
    print(f"measuring {render_module.__file__}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        framing(folder)
        title_and_music(folder)
        shimmer_and_pulsing(folder)


if __name__ == "__main__":
    main()
