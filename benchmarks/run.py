"""nemo-mcp benchmarks: seven measurements, each against a reference made in the same run.

    python benchmarks/run.py [--only NAME ...] [--json out.json] [--markdown table.md] [--quick]

NAME is one of: overhead, progress, upload, render, coldstart, scale, demo. Benchmarks are not tests:
nothing fails on a timing; the exit status is 0 whatever the figures. See docs/benchmarks.md for the last
results. Each benchmark is a module of `suite/` (`suite/harness.py` holds what they share):

1 overhead   get_credits / get_state through MCP vs the same HTTP requests made directly with httpx.
2 progress   latency of progress notifications during bursts of 100 and 1,000 SSE events a second.
3 upload     a 51.6 MB BMP through the `upload` tool vs `curl -F files=@…`; the server's peak RSS.
4 render     benchmarks/render_bench.py: a 5 s 720p zoom from a 12 MP photo vs FFmpeg's zoompan.
5 coldstart  spawn `nemo-mcp serve` / `serve --local` until tools/list is answered, and their memory then,
             vs a one-tool MCPServer on the same SDK, interleaved; `python -X importtime` of both.
6 scale      1, 4 and 16 concurrent callers on their own sessions calling get_state, vs a bare MCPServer
             making the same backend request with httpx, and vs the request made directly.
7 demo       `nemo-mcp demo` in fresh folders, each run paired with a fresh process rendering the same clip.

To measure another tree of nemo-mcp with these scripts (e.g. the code before a change), put its `src` first
on PYTHONPATH: the servers the benchmarks spawn are given it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from suite.coldstart import bench_coldstart
from suite.demo import bench_demo
from suite.harness import Report, fmt
from suite.overhead import bench_overhead
from suite.progress import bench_progress
from suite.render import bench_render
from suite.scale import bench_scale
from suite.upload import bench_upload

NAMES = ("overhead", "progress", "upload", "render", "coldstart", "scale", "demo")


def run_one(name: str, report: Report, quick: bool) -> None:
    with tempfile.TemporaryDirectory(prefix=f"nemo-bench-{name}-") as tmp:
        folder = Path(tmp)
        (folder / "home").mkdir()
        if name == "overhead":
            asyncio.run(bench_overhead(report, folder, 30 if quick else 200))
        elif name == "progress":
            asyncio.run(bench_progress(report, folder, 200 if quick else 2000))
        elif name == "upload":
            asyncio.run(bench_upload(report, folder, 1 if quick else 5))
        elif name == "render":
            bench_render(report, 1 if quick else 2)
        elif name == "coldstart":
            asyncio.run(bench_coldstart(report, folder, 2 if quick else 7))
        elif name == "scale":
            asyncio.run(bench_scale(report, folder, 64 if quick else 320, 1 if quick else 3))
        elif name == "demo":
            bench_demo(report, 2 if quick else 10)


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        ram = "unknown"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "ffmpeg_binary": shutil.which("ffmpeg") or "none",
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def print_table(report: Report) -> None:
    header = ("benchmark", "measure", "nemo-mcp", "reference", "ratio", "unit", "target", "met")
    rows = [
        (r.bench, r.measure, fmt(r.ours), fmt(r.reference), f"{r.ratio:.2f}x" if r.ratio is not None else "-",
         r.unit, r.target, {True: "yes", False: "NO", None: ""}[r.met])
        for r in report.rows
    ]  # fmt: skip
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    print()
    for line in (header, *rows):
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())


def markdown_table(report: Report) -> str:
    lines = ["| benchmark | measure | nemo-mcp | reference | ratio | unit | target | met |", "|---" * 8 + "|"]
    for r in report.rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        met = {True: "yes", False: "**no**", None: ""}[r.met]
        lines.append(f"| {r.bench} | {r.measure} | {fmt(r.ours)} | {fmt(r.reference) if r.reference is not None else ''} "
                     f"| {ratio} | {r.unit} | {r.target} | {met} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", action="append", choices=NAMES, help="run only this benchmark (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the figures and details to this file")
    parser.add_argument(
        "--markdown", type=Path, help="also write the table as Markdown (for docs/benchmarks.md)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = parser.parse_args()
    report = Report()
    info = machine()
    print(f"nemo-mcp benchmarks, {info['date']}: {info['nproc']} x {info['cpu']}, {info['ram']}, "
          f"Python {info['python']}, load average {info['load_average']}")  # fmt: skip
    started = time.perf_counter()
    for name in args.only or list(NAMES):
        print(f"\n[{name}]", flush=True)
        began = time.perf_counter()
        run_one(name, report, args.quick)
        report.details.setdefault("seconds", {})[name] = time.perf_counter() - began
    total = time.perf_counter() - started
    print_table(report)
    load_end = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nall in {total:.0f} s; load average at the end: {load_end}")
    if args.markdown:
        args.markdown.write_text(markdown_table(report))
    if args.json:
        payload = {"machine": info, "load_average_end": load_end, "seconds": total,
                   "rows": [asdict(r) | {"ratio": r.ratio} for r in report.rows], "details": report.details}  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
