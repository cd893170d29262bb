"""The server process is killed (SIGKILL) while a render runs; a new process resumes that render."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from mcp.shared.exceptions import MCPError

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import LocalBackend
from tests.reliability.helpers import child_server_pids, ok, server_env, stdio_server, tool
from tests.server.conftest import probe_clip

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SHORT = "animate this image into a 1-second video clip"


async def test_a_killed_server_is_resumed_by_the_next_process_without_a_second_render(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    env = server_env(tmp_path, local_backend.url)
    render_handles_dir = Settings.from_env(env, cwd=tmp_path).render_handles_dir

    async with stdio_server(env, tmp_path) as client:
        sid = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
        assert (
            ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))["status"]
            == "done"
        )
        local_backend.faults.add("render_submit", "stall")  # the render stays 'processing'
        running = ok(await tool(client, "export", {"session_id": sid, "wait_seconds": 1}))
        assert running["status"] == "running", running
        handles = sorted(p.stem for p in render_handles_dir.glob("*.json"))
        assert len(handles) == 1, handles  # the render's id is on disk before the process dies
        (pid,) = child_server_pids()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(MCPError, match="Connection closed"):  # the process is really gone
            await tool(client, "get_credits")

    local_backend.faults.reset()  # the stall ends; the backend finishes the render it already has
    async with stdio_server(env, tmp_path) as client:
        done = ok(await tool(client, "export", {"session_id": sid, "wait_seconds": 50}))
    assert done["status"] == "done", done
    assert probe_clip(Path(done["path"])).duration_s == pytest.approx(1.0, abs=0.1)
    assert local_backend.stats.requests["render_submit"] == 1  # resumed, never submitted again
    backend_renders = sorted(p.stem for p in (local_backend.data_dir / "renders").glob("*.json"))
    assert backend_renders == handles  # the same render id, and only that one
    assert list(render_handles_dir.glob("*.json")) == []
