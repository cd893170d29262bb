"""5. Cold start and idle memory: spawn `nemo-mcp serve` (and `serve --local`) until `tools/list` is
answered, against a one-tool MCPServer on the same SDK (`bench_minimal_server.py`), interleaved run by
run; the resident memory of each server right after its answer; `python -X importtime` of both commands.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from mcp import StdioServerParameters

from suite.harness import (
    Report,
    Row,
    backend_process,
    children,
    cpu_seconds,
    mcp_client,
    median,
    proc_status_mb,
    python_params,
    server_env,
    server_params,
    server_pid,
)

# The renderer's packages: `serve --local` must answer tools/list without them.
RENDERER = ("PIL", "av", "numpy")
WATCH = ("PIL", "av", "numpy", "uvicorn", "starlette", "nemo_mcp.local", "nemo_mcp.local.runner",
         "httpx", "httpcore", "h11", "certifi", "ssl", "httpx2", "pydantic", "mcp.server", "mcp.client")  # fmt: skip


async def spawn_and_list(params: StdioServerParameters, needle: bytes) -> tuple[float, float, float]:
    """Seconds from spawn to the answer of tools/list; the server's resident MB and CPU seconds then.

    CPU time (user + system, from /proc) is what the start costs whatever else the machine is doing; wall
    time on a shared machine also holds the time the server waited for a core.
    """
    before = children()
    started = time.perf_counter()
    async with mcp_client(params) as client:
        await client.list_tools()
        took = time.perf_counter() - started
        pid = server_pid(before, needle)
        rss = proc_status_mb(pid, "VmRSS") if pid else math.nan
        cpu = cpu_seconds(pid) if pid else math.nan
    return took, rss, cpu


def import_profile(url: str, folder: Path, *args: str) -> dict[str, Any]:
    """`python -X importtime` of `nemo-mcp serve ARGS` started with stdin closed (it starts, then exits)."""
    code = f"import sys; from nemo_mcp.cli.main import main; sys.exit(main(['serve', *{list(args)!r}]))"
    env = {**os.environ, **server_env(url, folder)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    line = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")
    modules: list[tuple[str, int, int]] = []
    for raw in done.stderr.splitlines():
        m = line.match(raw)
        if m:
            modules.append((m[4], int(m[1]), int(m[2])))
    packages: dict[str, int] = {}
    for name, self_us, _ in modules:
        packages[name.split(".")[0]] = packages.get(name.split(".")[0], 0) + self_us
    cumulative = {name: cum for name, _, cum in modules}
    return {
        "total_ms": sum(self_us for _, self_us, _ in modules) / 1000,
        "modules": len(modules),
        "by_package_ms": dict(sorted(((k, v / 1000) for k, v in packages.items()), key=lambda kv: -kv[1])[:15]),
        "watched_ms": {name: cumulative[name] / 1000 for name in WATCH if name in cumulative},
        "renderer_loaded": [name for name in RENDERER if name in cumulative],
    }  # fmt: skip


async def bench_coldstart(report: Report, folder: Path, runs: int) -> None:
    with backend_process(folder) as url:
        servers = {
            "bare": (python_params("bench_minimal_server.py"), b"bench_minimal_server"),
            "serve": (server_params(url, folder), b" serve"),
            "serve --local": (server_params(url, folder, "--local"), b" serve --local"),
        }
        seconds: dict[str, list[float]] = {kind: [] for kind in servers}
        rss: dict[str, list[float]] = {kind: [] for kind in servers}
        cpu: dict[str, list[float]] = {kind: [] for kind in servers}
        for _ in range(runs):  # interleaved, so that a busy moment of the machine hits all three alike
            for kind, (params, needle) in servers.items():
                took, resident, spent = await spawn_and_list(params, needle)
                seconds[kind].append(took)
                rss[kind].append(resident)
                cpu[kind].append(spent)
        profiles = {
            "serve": await asyncio.to_thread(import_profile, url, folder),
            "serve --local": await asyncio.to_thread(import_profile, url, folder, "--local"),
        }
    report.details["coldstart"] = {"seconds": seconds, "rss_mb": rss, "cpu_s": cpu, "importtime": profiles}
    _rows(report, runs, seconds, rss, profiles)
    bare_cpu = median(cpu["bare"])
    for kind in ("serve", "serve --local"):
        report.add(Row("5 cold start", f"`{kind}`: CPU time of the server until tools/list (median of {runs})",
                       median(cpu[kind]) * 1000, bare_cpu * 1000, "ms",
                       note="user + system, from /proc: what the start costs whatever the load"))  # fmt: skip


def _rows(
    report: Report,
    runs: int,
    seconds: dict[str, list[float]],
    rss: dict[str, list[float]],
    profiles: dict[str, dict[str, Any]],
) -> None:
    bare_s, bare_mb = median(seconds["bare"]), median(rss["bare"])
    for kind, goal in (("serve", 1.10), ("serve --local", 1.25)):
        ours = median(seconds[kind])
        report.add(Row("5 cold start", f"`{kind}`: spawn -> tools/list answered (median of {runs})", ours * 1000,
                       bare_s * 1000, "ms", f"<= {goal:.2f}x", ours / bare_s <= goal,
                       "reference: a one-tool MCPServer, interleaved run by run"))  # fmt: skip
    for kind, goal_mb in (("serve", 1.10), ("serve --local", None)):
        ours_mb = median(rss[kind])
        report.add(Row("5 cold start", f"`{kind}`: resident memory after tools/list", ours_mb, bare_mb, "MB",
                       f"<= {goal_mb:.2f}x" if goal_mb else "", ours_mb / bare_mb <= goal_mb if goal_mb else None,
                       "VmRSS; reference: the one-tool MCPServer"))  # fmt: skip
    for kind, profile in profiles.items():
        loaded = profile["renderer_loaded"]
        report.add(Row("5 cold start", f"imports of `{kind}` (sum of -X importtime self)", profile["total_ms"],
                       None, "ms", note=f"{profile['modules']} modules; renderer packages loaded: {loaded or 'none'}"))  # fmt: skip
    local = profiles["serve --local"]["renderer_loaded"]
    report.add(Row("5 cold start", "renderer packages (PIL, av, numpy) loaded by `serve --local`", float(len(local)),
                   None, "", "0", not local, ", ".join(local) or "none"))  # fmt: skip
    for kind, profile in profiles.items():
        print(f"  `{kind}` import time by top-level package (ms, self):")
        for name, value in profile["by_package_ms"].items():
            print(f"    {name:28} {value:8.1f}")
        print(f"  `{kind}` watched modules (ms, cumulative when first imported):")
        for name, value in profile["watched_ms"].items():
            print(f"    {name:28} {value:8.1f}")
