"""The main flow the way an MCP client runs it: `nemo-mcp serve --local` spawned over stdio."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.types import ResourceLink

from tests.server.conftest import Progress, call_ok, probe_clip, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


def _server_command() -> str:
    script = Path(sys.executable).parent / "nemo-mcp"
    found = str(script) if script.exists() else shutil.which("nemo-mcp")
    assert found, "the nemo-mcp console script is not installed"
    return found


# "legacy" is the 2025-11-25 handshake that Claude Desktop, Cursor and the Inspector speak today.
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_upload_animate_state_export_over_stdio(tmp_path: Path, sample_png: Path, mode: str) -> None:
    home = tmp_path / "home"
    params = StdioServerParameters(
        command=_server_command(),
        args=["serve", "--local"],
        env={
            "HOME": str(home),
            "NEMO_MCP_ALLOWED_DIRS": str(tmp_path),
            "NEMO_MCP_OUTPUT_DIR": str(tmp_path / "out"),
            "NEMO_MCP_CONFIG_DIR": str(tmp_path / "config"),
            "NEMO_MCP_DATA_DIR": str(tmp_path / "data"),
        },
        cwd=str(tmp_path),
    )
    async with Client(params, read_timeout_seconds=120, mode=mode) as client:
        tools = await client.list_tools()
        assert {tool.name for tool in tools.tools} == {
            "upload",
            "animate_image",
            "get_state",
            "get_credits",
            "export",
        }

        uploaded = await call_ok(client, "upload", {"source": str(sample_png)})
        sid = uploaded["session_id"]

        progress = Progress()
        animated = await call_ok(
            client,
            "animate_image",
            {
                "instruction": "animate this image into a 1-second video clip using low VRAM mode",
                "session_id": sid,
            },
            progress=progress,
        )
        assert animated["status"] == "done", animated
        progress.assert_increasing(at_least=3)

        state = await call_ok(client, "get_state", {"session_id": sid})
        assert state["ready_to_export"] is True
        assert "Timeline" in state["timeline"]

        export_progress = Progress()
        result = await client.call_tool("export", {"session_id": sid}, progress_callback=export_progress)
        assert not result.is_error, text_of(result)
        assert result.structured_content is not None
        path = Path(result.structured_content["path"])
        assert any(isinstance(block, ResourceLink) and block.uri == path.as_uri() for block in result.content)
        export_progress.assert_increasing(at_least=1)

    assert path.parent == tmp_path / "out"
    clip = probe_clip(path)
    assert (clip.codec, clip.width, clip.height) == ("h264", 1280, 720)
    assert clip.duration_s == pytest.approx(1.0, abs=0.1)


async def test_get_state_writes_nothing_and_the_latest_session_is_kept_at_exit(
    tmp_path: Path, sample_png: Path
) -> None:
    """A read-only call leaves sessions.json as it was, even naming a session that is not the latest; the
    latest one is written when the server closes, so the next process starts from it."""
    data = tmp_path / "data"
    params = StdioServerParameters(
        command=_server_command(),
        args=["serve", "--local"],
        env={
            "HOME": str(tmp_path / "home"),
            "NEMO_MCP_ALLOWED_DIRS": str(tmp_path),
            "NEMO_MCP_CONFIG_DIR": str(tmp_path / "config"),
            "NEMO_MCP_DATA_DIR": str(data),
        },
        cwd=str(tmp_path),
    )
    sessions = data / "sessions.json"
    async with Client(params, read_timeout_seconds=120) as client:
        first = (await call_ok(client, "upload", {"source": str(sample_png), "new_session": True}))[
            "session_id"
        ]
        second = (await call_ok(client, "upload", {"source": str(sample_png), "new_session": True}))[
            "session_id"
        ]
        written = sessions.stat()
        for sid in (first, second, first):
            state = await call_ok(client, "get_state", {"session_id": sid})
            assert state["session_id"] == sid
        await call_ok(client, "get_credits", {})
        after = sessions.stat()
        assert (after.st_ino, after.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
        on_disk = json.loads(sessions.read_text())
        (entry,) = on_disk.values()
        assert entry["latest"] == second
        assert {s["session_id"] for s in entry["sessions"]} == {first, second}
    (entry,) = json.loads(sessions.read_text()).values()
    assert entry["latest"] == first
