"""Render benchmark (issue 7, item 4): a 5 s 1280x720 30 fps zoom from a 12-megapixel photo.

    python benchmarks/render_bench.py [--runs 3] [--photo PATH] [--size 1280x720] [--motion zoom_in]
                                      [--title TEXT] [--music PATH]

Each run renders in a fresh child process, so its peak memory (max RSS, from the OS via wait4) is the
renderer's own. Reports wall time, CPU time (user + sys; less sensitive to other load on the machine)
and peak RSS, median over the runs. Targets: under 5 s of wall clock on 2 cores, under 500 MB.

If an `ffmpeg` binary is on PATH, the same zoom made by ffmpeg's `zoompan` filter is timed too, as the
reference (it is faster but visibly jitters; see the render notes). Without one, that row is skipped:
the renderer itself needs only PyAV's bundled libraries.

The 12 MP photo is generated (benchmarks/make_sample_image.py at 4000x3000) into a cache folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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


def _ffmpeg_zoompan(ffmpeg: str, photo: Path, out: Path, size: str, duration: float) -> list[str]:
    frames = round(duration * 30)
    zoom = (
        f"zoompan=z='1+0.2*on/{frames}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d={frames}:s={size}:fps=30"
    )
    return [ffmpeg, "-v", "error", "-y", "-i", str(photo), "-vf", zoom, "-c:v", "libx264", "-preset", "veryfast",
            "-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)]  # fmt: skip


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
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
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
        if ffmpeg:
            reference = []
            for _ in range(args.runs):
                wall, cpu, rss, _output = _run(
                    _ffmpeg_zoompan(ffmpeg, photo, Path(folder) / "ref.mp4", args.size, args.duration)
                )
                reference.append((wall, cpu, rss))
            rows.append(("ffmpeg zoompan (reference, jitters)", reference))

    print(
        f"\n{args.duration:g} s {args.size} 30 fps {args.motion} from {photo.name}, {os.cpu_count()} CPUs, median of {args.runs}"
    )
    print(f"{'pipeline':40} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}")
    for name, runs in rows:
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        print(f"{name:40} {wall:8.2f} {cpu:8.2f} {rss:8.0f}")
    if len(rows) == 2:
        ratio = statistics.median(r[0] for r in rows[0][1]) / statistics.median(r[0] for r in rows[1][1])
        print(f"ratio to ffmpeg: {ratio:.2f}x (target within 1.5x)")
    else:
        print("no ffmpeg binary on PATH: reference skipped")


if __name__ == "__main__":
    main()
