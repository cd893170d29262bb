"""How much does uploading a 50 MB file raise the client's peak memory? (Target: less than 20 MB.)

Runs the embedded local backend in a separate process (so its memory is not counted), warms the client
up (token, session, a small upload), then uploads a file just under 50 MB through `NemoService.upload`
and compares the process's peak RSS before and after.

    python benchmarks/upload_memory.py
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from nemo_mcp.config import MAX_UPLOAD_BYTES, Settings
from nemo_mcp.errors import NemoError
from nemo_mcp.service import NemoService

BACKEND = (
    "import sys; from pathlib import Path; from nemo_mcp.local.runner import serve_forever; "
    "serve_forever(Path(sys.argv[1]))"
)


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux and bytes on macOS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def make_video(path: Path, size: int) -> None:
    """An MP4-headed file of `size` bytes, written in chunks (never held in memory)."""
    box = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    chunk = bytes(range(256)) * 4096
    with path.open("wb") as fh:
        fh.write(box)
        left = size - len(box)
        while left > 0:
            fh.write(chunk[: min(len(chunk), left)])
            left -= len(chunk)


async def measure(url: str, folder: Path) -> tuple[float, float]:
    settings = Settings(
        api_url=url,
        allowed_dirs=(folder,),
        output_dir=folder / "out",
        config_dir=folder / "config",
        data_dir=folder / "data",
        rate_limit_wait_seconds=0,
    )
    small = folder / "small.mp4"
    make_video(small, 64 * 1024)
    big = folder / "big.mp4"
    make_video(big, MAX_UPLOAD_BYTES - 1024)
    async with NemoService.open(settings) as service:
        try:  # warm-up: token, session, imports, connection pool
            await service.upload([str(small)])
        except NemoError as exc:
            print(f"warm-up upload answered: {exc.message}")
        before = peak_rss_mb()
        try:
            await service.upload([str(big)])
        except NemoError as exc:  # the backend may refuse the synthetic video after receiving it all
            print(f"big upload answered: {exc.message}")
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
