"""Twenty concurrent tool calls across five sessions through one MCP server: nothing crossed, nothing lost,
and get_credits answers promptly the whole time."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from PIL import Image

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.server.app import build_server
from tests.reliability.helpers import ok

pytestmark = pytest.mark.anyio

GENERATE = "animate this image into a 1-second video clip"


async def test_twenty_concurrent_calls_in_five_sessions_stay_apart_and_credits_stay_responsive(
    local_settings: Settings, local_backend: LocalBackend, tmp_path: Path
) -> None:
    photos = []
    for i in range(5):
        photo = tmp_path / f"photo-{i}.png"
        Image.new("RGB", (320, 240), (40 * i, 90, 200 - 30 * i)).save(photo)
        photos.append(photo)

    async with Client(build_server(local_settings)) as client:
        sessions = [
            ok(await client.call_tool("upload", {"source": str(p), "new_session": True}))["session_id"]
            for p in photos
        ]
        assert len(set(sessions)) == 5
        results: dict[int, dict[str, Any]] = {}
        credit_latencies: list[float] = []
        load_done = anyio.Event()

        async def one(i: int) -> None:
            s = i % 5
            sid = sessions[s]
            kind = i // 5
            if kind == 0:
                args: tuple[str, dict[str, Any]] = (
                    "animate_image",
                    {"instruction": GENERATE, "session_id": sid, "wait_seconds": 50},
                )
            elif kind == 1:
                args = ("get_state", {"session_id": sid, "wait_seconds": 50})  # waits for the turn
            elif kind == 2:
                args = ("upload", {"source": str(photos[s]), "session_id": sid})
            else:
                args = ("get_state", {"session_id": sid, "wait_seconds": 0})
            results[i] = ok(await client.call_tool(*args))

        async def credits_meanwhile() -> None:
            while not load_done.is_set():
                started = time.monotonic()
                assert ok(await client.call_tool("get_credits", {}))["available"] >= 0
                credit_latencies.append(time.monotonic() - started)

        with anyio.fail_after(60):
            async with anyio.create_task_group() as tg:
                tg.start_soon(credits_meanwhile)
                async with anyio.create_task_group() as load:
                    for i in range(20):
                        load.start_soon(one, i)
                load_done.set()

        # nothing lost, nothing crossed: every call answered for the session it named
        assert sorted(results) == list(range(20))
        for i, result in results.items():
            assert result["session_id"] == sessions[i % 5], (i, result)
        # each message reached the backend exactly once, in its own session
        for s, sid in enumerate(sessions):
            assert local_backend.stats.messages_for(sid) == [GENERATE]
            assert results[s]["status"] == "done", results[s]
            state = ok(await client.call_tool("get_state", {"session_id": sid, "wait_seconds": 30}))
            assert state["ready_to_export"] is True
            names = {m["name"] for m in state["media"] if m["kind"] == "image"}
            assert names == {f"photo-{s}.png"}, (s, state["media"])
        # the server stayed responsive: credits answered many times, each quickly
        assert len(credit_latencies) >= 5
        assert max(credit_latencies) < 2.0, credit_latencies
    assert local_backend.stats.requests["token"] == 1
