"""Render benchmark (issue 7, item 4): a 5 s 1280x720 30 fps zoom from a 12-megapixel photo.

    python benchmarks/render_bench.py [--runs 3] [--photo PATH] [--size 1280x720] [--motion zoom_in]
                                      [--title TEXT] [--music PATH]

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
    from nemo_mcp.local.render import ClipSpec, render_clip

    width, height = (int(v) for v in args.size.split("x"))
    spec = ClipSpec(
        image=Path(args.photo),
        width=width,
        height=height,
        duration_s=args.duration,
        motion=args.motion,
        title=args.title,
        music=Path(args.music) if args.music else None,
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
        runs = []
        for _ in range(args.runs):
            wall, cpu, rss, output = _run(command)
            inner = json.loads(output)["wall"]
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
    print(f"wall ratio to the zoompan reference: {ours / theirs:.2f}x (target: within 1.5x)")


if __name__ == "__main__":
    main()
