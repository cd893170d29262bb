"""Render benchmark (issue 7, item 4): a 5 s 1280x720 30 fps zoom from a 12-megapixel photo.

    python benchmarks/render_bench.py [--runs 3] [--photo PATH] [--size 1280x720] [--motion zoom_in]
                                      [--title TEXT] [--music PATH] [--music-mood MOOD] [--jitter]

Each run renders in a fresh child process, so its peak memory (max RSS, from the OS via wait4) is the
renderer's own. Reports wall time, CPU time (user + sys; less sensitive to other load on the machine)
and peak RSS, median over the runs. Targets: under 5 s of wall clock on 2 cores, under 500 MB.

The reference is the same zoom made the way an `ffmpeg` command would: FFmpeg's `zoompan` filter on the
decoded photo (cropped to the output's aspect), encoded by libx264 veryfast crf 20. It is fast but visibly
jitters (see the render notes). With an `ffmpeg` binary on PATH the command itself runs; without one, the
same filter graph runs through PyAV's bundled FFmpeg libraries, so a ratio is always reported.

The 12 MP photo is generated (benchmarks/make_sample_image.py at 4000x3000) into a cache folder.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = Path(tempfile.gettempdir()) / "nemo-mcp-bench"


def _photo() -> Path:
    path = CACHE / "photo-4000x3000.jpg"
    if not path.exists():
        # In a child process: generating takes about 1.5 GB, which would otherwise stay in this process's
        # footprint and be counted in the forked children's peak memory.
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, str(HERE / "make_sample_image.py"), str(path), "--width", "4000", "--height", "3000",
             "--quality", "92"],
            check=True,
        )  # fmt: skip
    return path


def _child(args: argparse.Namespace) -> None:
    """Render once in this process and print the timing as JSON."""
    from nemo_mcp.local.render.clip import ClipSpec, render_clip

    width, height = (int(v) for v in args.size.split("x"))
    spec = ClipSpec(
        image=Path(args.photo),
        width=width,
        height=height,
        duration_s=args.duration,
        motion=args.motion,
        title=args.title,
        music=Path(args.music) if args.music else None,
        **({"music_mood": args.music_mood} if args.music_mood else {}),
    )
    started = time.perf_counter()
    clip = render_clip(spec, Path(args.out))
    print(json.dumps({"wall": time.perf_counter() - started, "bytes": clip.size_bytes}))


def _zoompan(frames: int, size: str) -> str:
    return f"z='1+0.2*on/{frames}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d={frames}:s={size}:fps=30"


def _reference_child(args: argparse.Namespace) -> None:
    """The zoompan reference through PyAV's libavfilter: decode, crop to the aspect, zoompan, libx264."""
    import av
    import av.filter

    width, height = (int(v) for v in args.size.split("x"))
    frames = round(args.duration * 30)
    started = time.perf_counter()
    with av.open(args.photo) as source:
        picture = next(source.decode(video=0))
    graph = av.filter.Graph()
    chain = [
        graph.add_buffer(width=picture.width, height=picture.height, format=picture.format,
                         time_base=Fraction(1, 30)),
        graph.add("crop", f"iw:iw*{height}/{width}"),
        graph.add("zoompan", _zoompan(frames, args.size)),
        graph.add("format", "yuv420p"),
        graph.add("buffersink"),
    ]  # fmt: skip
    for upstream, downstream in itertools.pairwise(chain):
        upstream.link_to(downstream)
    graph.configure()
    made = 0
    with av.open(args.out, "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "20"}
        picture.pts = 0
        graph.push(picture)
        graph.push(None)
        while True:
            try:
                frame = graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                break
            assert isinstance(frame, av.VideoFrame)
            frame.pts = made
            made += 1
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    print(json.dumps({"wall": time.perf_counter() - started, "frames": made}))


def _ffmpeg_zoompan(ffmpeg: str, photo: Path, out: Path, size: str, duration: float) -> list[str]:
    width, height = size.split("x")
    graph = f"crop=iw:iw*{height}/{width},zoompan={_zoompan(round(duration * 30), size)}"
    return [ffmpeg, "-v", "error", "-y", "-i", str(photo), "-vf", graph, "-c:v", "libx264", "-preset", "veryfast",
            "-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)]  # fmt: skip


def _run(command: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process, plus its stdout."""
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        assert process.stdout is not None
        output = process.stdout.read().decode()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({process.returncode})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output


# --- smoothness: how far each frame strays from the ideal path, measured on tracked dots ------------------

DOTS_SIZE, DOTS_SPACING, DOTS_SIGMA = (4000, 3000), 160, 10.0


def _dot_centres() -> tuple[Any, Any]:
    import numpy as np

    xs = np.arange(DOTS_SPACING / 2, DOTS_SIZE[0], DOTS_SPACING) + 0.3
    ys = np.arange(DOTS_SPACING / 2, DOTS_SIZE[1], DOTS_SPACING) + 0.7
    grid_x, grid_y = np.meshgrid(xs, ys)
    return grid_x.ravel(), grid_y.ravel()


def _dots_photo() -> Path:
    """A 12 MP photo of soft bright dots whose centres are known to sub-pixel precision."""
    import numpy as np
    from PIL import Image

    path = CACHE / "dots-4000x3000.png"
    if path.exists():
        return path
    pixels = np.full((DOTS_SIZE[1], DOTS_SIZE[0]), 20.0, dtype=np.float32)
    reach = np.arange(-40, 41)
    for cx, cy in zip(*_dot_centres(), strict=True):
        ix, iy = int(cx), int(cy)
        gx = np.exp(-((ix + reach + 0.5 - cx) ** 2) / (2 * DOTS_SIGMA**2))
        gy = np.exp(-((iy + reach + 0.5 - cy) ** 2) / (2 * DOTS_SIGMA**2))
        window = np.s_[max(0, iy - 40) : iy + 41, max(0, ix - 40) : ix + 41]
        patch = np.outer(gy, gx)[: pixels[window].shape[0], : pixels[window].shape[1]]
        pixels[window] = np.maximum(pixels[window], 20 + 215 * patch)
    CACHE.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.round().astype(np.uint8)).save(path)
    return path


def _zoompan_boxes(frames: int, width: int, height: int) -> list[tuple[float, float, float, float]]:
    """The path zoompan is asked for (after the crop to the output aspect), without its rounding."""
    src_w, src_h = DOTS_SIZE
    crop_h = src_w * height / width
    top = (src_h - crop_h) / 2
    boxes = []
    for i in range(frames):
        zoom = 1 + 0.2 * i / frames
        box_w, box_h = src_w / zoom, crop_h / zoom
        x0, y0 = src_w / 2 - box_w / 2, top + crop_h / 2 - box_h / 2
        boxes.append((x0, y0, x0 + box_w, y0 + box_h))
    return boxes


def _path_errors(video: Path, boxes: list[tuple[float, float, float, float]]) -> tuple[float, float]:
    """RMS and max of the frame-to-frame change in how far the picture is from its ideal place (px).

    Each dot's centroid is measured near where the ideal path puts it; a fit of screen = scale * source
    + offset per frame gives the actual view, and its displacement from the ideal view is evaluated at
    the frame's corners. A smooth render changes that displacement by encoder noise only; rounding to
    whole pixels (zoompan) shows up as jumps.
    """
    import av
    import numpy as np

    dot_x, dot_y = _dot_centres()
    radius = 7
    offsets = np.arange(-radius, radius + 1)
    errors = []
    with av.open(str(video)) as container:
        for frame, (x0, y0, x1, y1) in zip(container.decode(video=0), boxes, strict=False):
            plane = frame.planes[0]
            rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
            luma = rows[:, : plane.width].astype(np.float64)
            out_w, out_h = plane.width, plane.height
            sx, sy = out_w / (x1 - x0), out_h / (y1 - y0)
            u, v = (dot_x - x0) * sx - 0.5, (dot_y - y0) * sy - 0.5
            inside = (u > radius + 2) & (u < out_w - radius - 3) & (v > radius + 2) & (v < out_h - radius - 3)
            equations, measured = [], []
            for source_x, source_y, eu, ev in zip(
                dot_x[inside], dot_y[inside], u[inside], v[inside], strict=True
            ):
                ju, jv = round(eu), round(ev)
                window = np.maximum(
                    luma[jv - radius : jv + radius + 1, ju - radius : ju + radius + 1] - 40, 0
                )
                mass = window.sum()
                equations += [[source_x, 1.0, 0.0], [source_y, 0.0, 1.0]]
                measured += [(window.sum(axis=0) * (ju + offsets)).sum() / mass + 0.5,
                             (window.sum(axis=1) * (jv + offsets)).sum() / mass + 0.5]  # fmt: skip
            (scale, off_x, off_y), *_ = np.linalg.lstsq(np.array(equations), np.array(measured), rcond=None)
            corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]
            errors.append([(scale * cx + off_x - (cx - x0) * sx, scale * cy + off_y - (cy - y0) * sy)
                           for cx, cy in corners])  # fmt: skip
    steps = np.linalg.norm(np.diff(np.array(errors), axis=0), axis=2).max(axis=1)
    return float(np.sqrt(np.mean(steps**2))), float(steps.max())


def _jitter(args: argparse.Namespace, folder: Path) -> None:
    from nemo_mcp.local.render import motion as render_motion

    width, height = (int(v) for v in args.size.split("x"))
    frames = round(args.duration * 30)
    dots = _dots_photo()
    ours, theirs = folder / "dots.mp4", folder / "dots-ref.mp4"
    base = [sys.executable, __file__, "--child", "--photo", str(dots), "--size", args.size,
            "--duration", str(args.duration), "--motion", "zoom_in"]  # fmt: skip
    _run([*base, "--out", str(ours)])
    _run([*base, "--out", str(theirs), "--reference"])
    plan = render_motion.plan("zoom_in", *DOTS_SIZE, width, height, frames)
    print(f"\nsmoothness of a {args.duration:g} s {args.size} zoom (dots tracked; frame-to-frame path error)")
    print(f"{'pipeline':40} {'rms px':>8} {'max px':>8}")
    for name, video, boxes in (
        ("nemo-mcp", ours, plan),
        ("zoompan", theirs, _zoompan_boxes(frames, width, height)),
    ):
        rms, worst = _path_errors(video, boxes)
        print(f"{name:40} {rms:8.3f} {worst:8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--photo", default=None)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--motion", default="zoom_in")
    parser.add_argument("--title", default=None)
    parser.add_argument("--music", default=None)
    parser.add_argument("--music-mood", default=None, help="a synthesised piece: calm, upbeat, cinematic")
    parser.add_argument("--jitter", action="store_true", help="also measure smoothness on a dots photo")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reference", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        (_reference_child if args.reference else _child)(args)
        return

    photo = Path(args.photo) if args.photo else _photo()
    rows: list[tuple[str, list[tuple[float, float, float]]]] = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "clip.mp4"
        command = [sys.executable, __file__, "--child", "--photo", str(photo), "--out", str(out),
                   "--size", args.size, "--duration", str(args.duration), "--motion", args.motion]  # fmt: skip
        if args.title:
            command += ["--title", args.title]
        if args.music:
            command += ["--music", args.music]
        if args.music_mood:
            command += ["--music-mood", args.music_mood]
        runs = []
        sizes = []
        for _ in range(args.runs):
            wall, cpu, rss, output = _run(command)
            inner = json.loads(output)["wall"]
            sizes.append(json.loads(output)["bytes"])
            runs.append((inner, cpu, rss))
            print(
                f"  nemo-mcp render: {inner:.2f} s (process {wall:.2f} s), cpu {cpu:.2f} s, peak {rss:.0f} MB"
            )
        rows.append(("nemo-mcp (Pillow + PyAV libx264)", runs))

        ffmpeg = shutil.which("ffmpeg")
        reference = []
        for _ in range(args.runs):
            if ffmpeg:
                wall, cpu, rss, _ = _run(_ffmpeg_zoompan(ffmpeg, photo, out, args.size, args.duration))
            else:
                wall, cpu, rss, output = _run([*command, "--reference"])
                wall = json.loads(output)["wall"]
            reference.append((wall, cpu, rss))
            print(f"  zoompan reference: {wall:.2f} s, cpu {cpu:.2f} s, peak {rss:.0f} MB")
        how = "ffmpeg command" if ffmpeg else "PyAV's FFmpeg"
        rows.append((f"zoompan ({how}; jitters)", reference))

    print(
        f"\n{args.duration:g} s {args.size} 30 fps {args.motion} from {photo.name}, {os.cpu_count()} CPUs, median of {args.runs}"
    )
    print(f"{'pipeline':40} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}")
    for name, runs in rows:
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        print(f"{name:40} {wall:8.2f} {cpu:8.2f} {rss:8.0f}")
    ours, theirs = (statistics.median(r[0] for r in runs) for _, runs in rows)
    print(f"wall ratio to the zoompan reference: {ours / theirs:.2f}x (target: within 1.3x, issue 16)")
    kbits = statistics.median(sizes) * 8 / 1000 / args.duration
    print(f"nemo-mcp bitrate: {kbits:.0f} kbit/s ({kbits * 60 / 8 / 1000:.1f} MB a minute)")
    if args.jitter:
        with tempfile.TemporaryDirectory() as folder:
            _jitter(args, Path(folder))


if __name__ == "__main__":
    main()
