"""How much does uploading a 50 MB file raise the client's peak memory? (Target: less than 20 MB.)

Runs the embedded local backend in a separate process (so its memory is not counted), warms the client
up (token, session, a small upload), then uploads a real BMP just under 50 MB through `NemoService.upload`
and compares the process's peak RSS before and after.

    python benchmarks/upload_memory.py
"""

from __future__ import annotations

import asyncio
import resource
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nemo_mcp.config import MAX_UPLOAD_BYTES, Settings
from nemo_mcp.errors import NemoError
from nemo_mcp.service.facade import NemoService

BACKEND = (
    "import sys; from pathlib import Path; from nemo_mcp.local.runner import serve_forever; "
    "serve_forever(Path(sys.argv[1]))"
)


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux and bytes on macOS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def make_bmp(path: Path, width: int, height: int) -> None:
    """A real 24-bit BMP written row by row (never held in memory)."""
    row = width * 3
    assert row % 4 == 0, "rows must need no padding"
    pixels = row * height
    header = b"BM" + struct.pack("<IHHI", 54 + pixels, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, pixels, 2835, 2835, 0, 0)
    line = bytes((x * 7) % 256 for x in range(row))
    with path.open("wb") as fh:
        fh.write(header + info)
        for _ in range(height):
            fh.write(line)


async def measure(url: str, folder: Path) -> tuple[float, float]:
    settings = Settings(
        api_url=url,
        allowed_dirs=(folder,),
        output_dir=folder / "out",
        config_dir=folder / "config",
        data_dir=folder / "data",
        rate_limit_wait_seconds=0,
    )
    small = folder / "small.bmp"
    make_bmp(small, 64, 64)
    big = folder / "big.bmp"
    make_bmp(big, 4096, 4200)  # 51.6 MB on disk: just under the 50 MiB limit
    assert big.stat().st_size <= MAX_UPLOAD_BYTES
    async with NemoService.open(settings) as service:
        try:  # warm-up: token, session, imports, connection pool
            await service.uploads.upload([str(small)])
        except NemoError as exc:
            print(f"warm-up upload answered: {exc.message}")
        before = peak_rss_mb()
        # The high-water mark hides growth below it: show that the current RSS is close to it.
        print(f"current RSS before the big upload: {current_rss_mb():.1f} MB")
        started = time.perf_counter()
        try:
            outcome = await service.uploads.upload([str(big)])
            print(f"uploaded {outcome.files[0].filename}: {outcome.files[0].size_bytes} bytes", end=" ")
        except NemoError as exc:  # the backend refused it, after receiving it all
            print(f"big upload answered: {exc.message}", end=" ")
        print(f"in {time.perf_counter() - started:.1f} s")
        after = peak_rss_mb()
    return before, after


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        backend = subprocess.Popen(
            [sys.executable, "-c", BACKEND, str(folder / "backend")],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert backend.stdout is not None
            line = backend.stdout.readline()
            url = line.strip().rsplit(" ", 1)[-1]
            if not url.startswith("http"):
                print(f"the local backend did not start: {line!r}")
                return 1
            before, after = asyncio.run(measure(url, folder))
        finally:
            backend.terminate()
            backend.wait(10)
    rise = after - before
    print(f"peak RSS before the 50 MB upload: {before:.1f} MB; after: {after:.1f} MB; rise: {rise:.1f} MB")
    print("OK: under 20 MB" if rise < 20 else "TOO MUCH: 20 MB or more")
    return 0 if rise < 20 else 1


if __name__ == "__main__":
    raise SystemExit(main())
