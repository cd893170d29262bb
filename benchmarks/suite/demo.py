"""7. `nemo-mcp demo`: the whole local flow (embedded backend, upload, turn, export, download) in fresh
folders, run after run, against a fresh process that only renders the same clip (the demo's plan is the
default: 5 s 1280x720 30 fps zoom_in from the bundled 1600x1200 sample), interleaved with them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from suite.harness import Report, Row, median, script

RENDER_ONLY = """\
import sys
from pathlib import Path
from nemo_mcp.local.render.clip import ClipSpec, render_clip, sample_image_path
render_clip(ClipSpec(image=sample_image_path()), Path(sys.argv[1]))
"""


def _fresh_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HOME=str(folder / "home"), NEMO_MCP_DATA_DIR=str(folder / "data"),
               NEMO_MCP_CONFIG_DIR=str(folder / "config"), NEMO_MCP_OUTPUT_DIR=str(folder / "out"))  # fmt: skip
    return env


def run_demo() -> float:
    """Wall seconds of one `nemo-mcp demo` in fresh folders (no token, no session, no cached clip)."""
    with tempfile.TemporaryDirectory(prefix="nemo-bench-demo-") as tmp:
        folder = Path(tmp)
        (folder / "home").mkdir()
        started = time.perf_counter()
        done = subprocess.run([script("nemo-mcp"), "demo", "-o", str(folder / "demo.mp4")], cwd=folder,
                              env=_fresh_env(folder), capture_output=True, text=True, timeout=120)  # fmt: skip
        took = time.perf_counter() - started
        if done.returncode != 0 or not (folder / "demo.mp4").is_file():
            raise SystemExit(f"nemo-mcp demo failed ({done.returncode}): {done.stderr[-500:]}")
    return took


def run_render_only() -> float:
    """Wall seconds of a fresh Python process that imports the renderer and renders the demo's clip."""
    with tempfile.TemporaryDirectory(prefix="nemo-bench-render-") as tmp:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", RENDER_ONLY, str(Path(tmp) / "clip.mp4")], check=True,
                       env=_fresh_env(Path(tmp)), timeout=120)  # fmt: skip
        return time.perf_counter() - started


def bench_demo(report: Report, runs: int, references: int) -> None:
    demos: list[float] = []
    renders: list[float] = []
    every = max(1, runs // max(1, references))
    for index in range(runs):
        demos.append(run_demo())
        if index % every == 0 and len(renders) < references:
            renders.append(run_render_only())
    report.details["demo"] = {"demo_s": demos, "render_only_s": renders}
    p50, worst, ref = median(demos), max(demos), median(renders)
    report.add(Row("7 demo", f"`nemo-mcp demo` wall (median of {runs} fresh runs)", p50, ref, "s", "< 3.5 s",
                   p50 < 3.5, f"reference: a fresh process rendering the same clip (median of {len(renders)}); "
                              f"runs: {', '.join(f'{d:.1f}' for d in demos)}"))  # fmt: skip
    report.add(Row("7 demo", f"`nemo-mcp demo` slowest of {runs}", worst, ref, "s", "<= 4.5 s", worst <= 4.5))
