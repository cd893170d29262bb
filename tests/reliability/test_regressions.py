"""Product bugs the reliability work found, each fixed; these tests keep them fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.server.app import build_server
from tests.reliability.helpers import error, ok

pytestmark = pytest.mark.anyio


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if "backend-data" not in p.parts}


async def test_animate_image_with_a_bad_image_sends_nothing_and_writes_nothing(
    local_settings: Settings, local_backend: LocalBackend, tmp_path: Path
) -> None:
    fake = tmp_path / "notes.png"
    fake.write_text("just words")
    async with Client(build_server(local_settings)) as client:
        before = _files(tmp_path)
        for source in (str(fake), "/etc/hostname", "ftp://example.com/a.png"):
            error(await client.call_tool("animate_image", {"instruction": "animate it", "image": source}))
            error(await client.call_tool("upload", {"source": source, "new_session": True}))
        assert local_backend.stats.requests == {}
        assert _files(tmp_path) == before


async def test_a_windows_unc_path_is_called_a_windows_path(local_settings: Settings) -> None:
    async with Client(build_server(local_settings)) as client:
        for source in (r"\\server\share\photo.png", r"\Users\me\photo.png"):
            message = error(await client.call_tool("upload", {"source": source}))
            assert "Windows path" in message, message


async def test_a_silent_edit_of_the_canvas_is_described_from_the_state(
    local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    async with Client(build_server(local_settings)) as client:
        sid = ok(await client.call_tool("upload", {"source": str(sample_png)}))["session_id"]
        ok(
            await client.call_tool(
                "animate_image", {"instruction": "animate this image into a 1-second video clip"}
            )
        )
        local_backend.faults.add("run_sse", "silent")
        edited = ok(
            await client.call_tool("animate_image", {"instruction": "make it square", "session_id": sid})
        )
        exported = ok(await client.call_tool("export", {"session_id": sid}))
    assert exported["resolution"] == "720x720"  # the edit did land
    assert edited["changes"], edited
    assert "did not change" not in edited["reply"]


async def test_a_file_name_with_a_double_quote_comes_back_unchanged(
    local_settings: Settings, tmp_path: Path
) -> None:
    from PIL import Image

    photo = tmp_path / 'say "cheese".png'
    Image.new("RGB", (64, 48)).save(photo, "PNG")
    async with Client(build_server(local_settings)) as client:
        uploaded = ok(await client.call_tool("upload", {"source": str(photo)}))
    assert [f["filename"] for f in uploaded["files"]] == ['say "cheese".png']
