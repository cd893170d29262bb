"""4. Render: benchmarks/render_bench.py (its child processes, its zoompan reference through PyAV's
libavfilter when no ffmpeg binary is installed).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from suite.harness import BENCHMARKS, Report, Row


def bench_render(report: Report, runs: int) -> None:
    command = [sys.executable, str(BENCHMARKS / "render_bench.py"), "--runs", str(runs)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    table = re.compile(r"^(nemo-mcp .*?|zoompan .*?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", re.MULTILINE)
    found = {m[1].split()[0]: (float(m[2]), float(m[3]), float(m[4])) for m in table.finditer(output)}
    if "nemo-mcp" not in found or "zoompan" not in found:
        raise SystemExit(f"render_bench.py printed no table:\n{output}")
    (wall, cpu, peak), (ref_wall, ref_cpu, ref_peak) = found["nemo-mcp"], found["zoompan"]
    how = (
        "ffmpeg command"
        if shutil.which("ffmpeg")
        else "zoompan through PyAV's libavfilter (no ffmpeg binary)"
    )
    report.details["render"] = {"ours": found["nemo-mcp"], "reference": found["zoompan"], "reference_is": how}
    report.add(Row("4 render", f"5 s 1280x720 30 fps from 12 MP, wall (median of {runs})", wall, ref_wall, "s",
                   "< 5 s and <= 1.3x", wall < 5 and wall / ref_wall <= 1.3, how))  # fmt: skip
    report.add(Row("4 render", "CPU time (user + sys)", cpu, ref_cpu, "s"))
    report.add(Row("4 render", "peak RSS", peak, ref_peak, "MB", "< 500 MB", peak < 500))
