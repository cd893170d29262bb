"""3. Upload: a 51.6 MB BMP through the `upload` tool vs `curl -F files=@…` to the same route; peak RSS
(VmHWM from /proc) of the server process before and after.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from nemo_mcp.api.headers import attribution_headers
from suite.harness import (
    CACHE,
    Report,
    Row,
    backend_process,
    call,
    children,
    direct_http,
    mcp_client,
    median,
    new_session,
    proc_status_mb,
    server_params,
    server_pid,
    small_image,
    timed,
)
from upload_memory import make_bmp


def big_bmp() -> Path:
    path = CACHE / "upload-51.6MB.bmp"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        make_bmp(path, 4096, 4200)  # 51.6 MB: just under the 50 MiB limit
    return path


def curl_upload(url: str, token: str, sid: str, path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `curl -F files=@…` upload."""
    # `Expect:` turns off curl's "Expect: 100-continue" wait (up to 1 s before sending a large body).
    command = ["curl", "-sS", "--fail", "-o", "-", "-H", "Expect:", "-H", f"Authorization: Bearer {token}"]
    for name, value in attribution_headers("unknown").items():
        command += ["-H", f"{name}: {value}"]
    command += ["-F", f"files=@{path}", f"{url}/api/upload-video/nemo_agent/me/{sid}"]
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0 or json.loads(out).get("code") != 0:
        raise SystemExit(f"curl upload failed ({process.returncode}): {out.decode()[:200]}")
    return wall, usage.ru_maxrss / 1024


async def bench_upload(report: Report, folder: Path, runs: int) -> None:
    if not shutil.which("curl"):
        print("  curl is not installed: upload benchmark skipped")
        return
    big = big_bmp()
    shutil.copy(big, folder / big.name)  # inside the allowed folder
    big = folder / big.name
    with backend_process(folder) as url:
        existing = children()
        async with mcp_client(server_params(url, folder)) as client, direct_http(url) as http:
            pid = server_pid(existing)
            sid = await new_session(client, folder)
            await call(client, "upload", {"source": str(small_image(folder)), "session_id": sid})
            token = str(http.headers["Authorization"]).split()[1]
            curl_upload(url, token, sid, small_image(folder))
            hwm_before = proc_status_mb(pid, "VmHWM") if pid else float("nan")
            rss_before = proc_status_mb(pid, "VmRSS") if pid else float("nan")
            ours: list[float] = []
            theirs: list[float] = []
            curl_peak = 0.0
            for _ in range(runs):
                ours.append(await timed(call(client, "upload", {"source": str(big), "session_id": sid})))
                wall, peak = curl_upload(url, token, sid, big)
                theirs.append(wall)
                curl_peak = max(curl_peak, peak)
            hwm_after = proc_status_mb(pid, "VmHWM") if pid else float("nan")
    size_mb = big.stat().st_size / 1e6
    mcp_s, curl_s = median(ours), median(theirs)
    growth = hwm_after - hwm_before
    report.details["upload"] = {
        "size_mb": size_mb,
        "mcp_s": ours,
        "curl_s": theirs,
        "server_rss_before_mb": rss_before,
        "server_peak_before_mb": hwm_before,
        "server_peak_after_mb": hwm_after,
        "curl_peak_mb": curl_peak,
    }
    report.add(Row("3 upload", f"{size_mb:.1f} MB upload time (median of {runs})", mcp_s, curl_s, "s",
                   "<= 1.2x curl", mcp_s / curl_s <= 1.2))  # fmt: skip
    report.add(Row("3 upload", "server peak RSS growth", growth, None, "MB", "< 20 MB", growth < 20,
                   f"server peak {hwm_before:.0f} -> {hwm_after:.0f} MB; curl's own peak {curl_peak:.0f} MB"))  # fmt: skip
