"""Offline, no result hands out a loopback URL: the embedded backend's port dies with the process."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.server.app import build_server
from tests.server.conftest import call_ok

pytestmark = pytest.mark.anyio


async def test_results_point_at_files_on_disk_not_at_the_embedded_backends_port(
    local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    offline = local_settings.with_local_backend(local_backend.url)
    async with Client(build_server(offline)) as client:
        done = await call_ok(
            client,
            "animate_image",
            {"instruction": "animate this into a 1-second clip", "image": str(sample_png)},
        )
        exported = await call_ok(client, "export", {"session_id": done["session_id"]})
        state = await call_ok(client, "get_state", {"session_id": done["session_id"]})
        credits = await call_ok(client, "get_credits")
    assert exported["download_url"] is None
    assert exported["path"].endswith(".mp4")
    assert state["web_url"] is None
    assert credits["register_url"] is None
    assert credits["metered"] is False
    assert "cost no credits" in credits["message"]
    port = local_backend.url.rsplit(":", 1)[1]
    for result in (done, exported, state, credits):
        assert f":{port}" not in str(result), result
