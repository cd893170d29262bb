"""Files that change under the server, lie about their type, or sit where they should not (issue 13).

Each race is made deterministic with the fault plan's `hold`: the backend holds the request that comes
between the check and the use (the new session, the download), the test swaps the file or folder, then
releases it. Everything goes through real `nemo-mcp serve` processes over stdio.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult

from nemo_mcp.config import MAX_UPLOAD_BYTES
from nemo_mcp.local.runner import LocalBackend
from tests.reliability.helpers import (
    child_server_pids,
    error,
    ok,
    server_command,
    server_env,
    stdio_server,
    tool,
)

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SHORT = "animate this image into a 1-second video clip"


def _png(path: Path, colour: tuple[int, int, int]) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), colour).save(path, "PNG")
    return path


def _real_file(path: Path) -> bool:
    return path.is_file() and path.resolve() == path


def _eventually(condition: Callable[[], object], timeout: float = 30.0) -> bool:
    """For what no event announces (a file another process creates): look every 50 ms until `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored(backend: LocalBackend, sid: str) -> list[str]:
    record = backend.context.store.session(sid)
    assert record is not None
    return [upload.sha256 for upload in record.uploads]


def _to_symlink(photo: Path, target: Path) -> None:
    photo.unlink()
    photo.symlink_to(target)


def _to_fifo(photo: Path, _target: Path) -> None:
    photo.unlink()
    os.mkfifo(photo)


def _grow(photo: Path, _target: Path) -> None:
    os.truncate(photo, MAX_UPLOAD_BYTES + 10 * 1024 * 1024)  # 60 MB: past the limit after the check


async def _upload_while(
    client: Client, backend: LocalBackend, photo: Path, swap: Callable[[], None]
) -> CallToolResult:
    """upload(photo, new_session) with `swap` done after the checks, while the new session is held."""
    backend.faults.add("session", "hold")
    results: list[CallToolResult] = []
    answered = anyio.Event()
    async with anyio.create_task_group() as tg:

        async def call() -> None:
            results.append(await tool(client, "upload", {"source": str(photo), "new_session": True}))
            answered.set()

        tg.start_soon(call)
        assert await anyio.to_thread.run_sync(backend.faults.wait_held, 60)
        swap()
        backend.faults.reset()
        with anyio.fail_after(30):  # a server frozen on a blocking open() never answers
            await answered.wait()
    return results[0]


@pytest.mark.parametrize("swap", [_to_symlink, _to_fifo, _grow], ids=["symlink", "fifo", "grown"])
async def test_the_file_sent_is_the_file_checked(
    tmp_path: Path, local_backend: LocalBackend, swap: Callable[[Path, Path], None]
) -> None:
    allowed = tmp_path / "allowed"
    photo = _png(allowed / "photo.png", (200, 30, 30))
    checked = photo.read_bytes()
    secret = _png(tmp_path / "outside" / "secret.png", (30, 30, 200))  # outside the allowed folder
    env = server_env(tmp_path, local_backend.url, NEMO_MCP_ALLOWED_DIRS=str(allowed))
    async with stdio_server(env, tmp_path) as client:
        result = await _upload_while(client, local_backend, photo, lambda: swap(photo, secret))
        # What was checked is what is sent: the handle opened for the check, capped at the checked size.
        sid = ok(result)["session_id"]
        assert _stored(local_backend, sid) == [_sha(checked)]
        assert ok(result)["files"][0]["size_bytes"] == len(checked)
        # and the server is still responsive
        ok(await tool(client, "get_credits"))


async def test_an_export_folder_swapped_for_a_symlink_gets_no_video_outside(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    out = tmp_path / "out" / "clips"
    out.mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    async with stdio_server(server_env(tmp_path, local_backend.url), tmp_path) as client:
        sid = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
        ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))
        local_backend.faults.add("download", "hold")
        results: list[CallToolResult] = []
        async with anyio.create_task_group() as tg:

            async def call() -> None:
                results.append(await tool(client, "export", {"session_id": sid, "output_dir": str(out)}))

            tg.start_soon(call)
            assert await anyio.to_thread.run_sync(local_backend.faults.wait_held, 60)
            out.rename(out.with_name("clips.old"))
            out.symlink_to(outside)
            local_backend.faults.reset()
    assert list(outside.iterdir()) == []
    if not results[0].is_error:  # delivered: then where the result says, and not through the symlink
        path = Path(ok(results[0])["path"])
        assert not path.is_relative_to(outside), path
        assert _real_file(path), path


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.mp3", "\ufeffJust a UTF-16 text file, not music.\n".encode("utf-16-le")),
        ("offer.mp4", b"Get free gifts now!!! Click the link below. " * 20),
        ("fake.wav", b"RIFF\x24\x00\x00\x00WAVEjunk" + bytes(64)),
        ("fake.m4a", b"\x00\x00\x00\x18ftypM4A " + b"nothing here" * 20),
    ],
)
async def test_audio_and_video_are_decoded_before_anything_is_sent(
    tmp_path: Path, local_backend: LocalBackend, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    async with stdio_server(server_env(tmp_path, local_backend.url), tmp_path) as client:
        message = error(await tool(client, "upload", {"source": str(path)}))
    assert name in message, message
    assert "not" in message, message
    assert local_backend.stats.requests.get("upload", 0) == 0  # the bytes never left


async def test_started_in_the_root_folder_the_default_allowed_folders_are_not_the_whole_disk(
    tmp_path: Path, local_backend: LocalBackend
) -> None:
    photo = _png(tmp_path / "not-home" / "photo.png", (1, 2, 3))
    env = server_env(tmp_path, local_backend.url)
    del env["NEMO_MCP_ALLOWED_DIRS"]
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as errlog:
        async with stdio_server(env, Path("/"), errlog=errlog) as client:
            message = error(await tool(client, "upload", {"source": str(photo)}))
    assert "outside the folders" in message, message
    assert local_backend.stats.requests.get("upload", 0) == 0
    log = stderr_path.read_text()
    assert str(tmp_path / "home") in log, log  # the log says which folders are allowed


async def test_a_killed_download_leaves_no_part_file_behind(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    out = tmp_path / "out"
    env = server_env(tmp_path, local_backend.url)
    async with stdio_server(env, tmp_path) as client:
        sid = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
        ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))
        local_backend.faults.add("download", "stall")
        async with anyio.create_task_group() as tg:
            tg.start_soon(tool, client, "export", {"session_id": sid, "wait_seconds": 50})
            assert await anyio.to_thread.run_sync(local_backend.faults.wait_held, 60)
            assert await anyio.to_thread.run_sync(_eventually, lambda: list(out.glob(".*.part")))
            (pid,) = child_server_pids()
            os.kill(pid, signal.SIGKILL)
            tg.cancel_scope.cancel()
        with pytest.raises(MCPError):
            await tool(client, "get_credits")
    local_backend.faults.reset()
    assert list(out.glob(".*.part"))  # what the killed process left
    async with stdio_server(env, tmp_path) as client:
        done = ok(await tool(client, "export", {"session_id": sid, "wait_seconds": 50}))
    assert done["status"] == "done", done
    assert sorted(p.name for p in out.iterdir()) == [Path(done["path"]).name]


def test_the_cli_reads_a_relative_path_from_the_current_folder(
    tmp_path: Path, local_backend: LocalBackend
) -> None:
    folder = tmp_path / "photos"
    _png(folder / "photo.png", (90, 160, 60))
    env = server_env(tmp_path, local_backend.url)
    del env["NEMO_MCP_ALLOWED_DIRS"]
    env["PATH"] = os.environ.get("PATH", "")
    done = subprocess.run(
        [server_command(), "animate", "photo.png", SHORT],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).read_bytes()[4:8] == b"ftyp"
