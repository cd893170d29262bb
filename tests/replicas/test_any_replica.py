"""Any replica answers any call: work started on one is followed, refused and joined on the other.

Two real `serve --http` replicas share one real Redis; the client reaches them through a round-robin load
balancer (pinned to one replica where the test must know which one answers). The backend's own counts
prove that one instruction was sent once and one render was submitted once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import CallToolResult

from nemo_mcp.local.runner import LocalBackend
from tests.replicas.conftest import Cluster
from tests.replicas.helpers import connect
from tests.server.conftest import Progress, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SHORT = "animate this image into a 1-second video clip"


def ok(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    structured: dict[str, Any] | None = result.structured_content
    assert structured is not None
    return structured


def submits(backend: LocalBackend) -> int:
    return backend.stats.requests.get("render_submit", 0)


async def animated(client: Client, image: Path) -> str:
    """A session with a clip ready to export (the turn waited for in the same call)."""
    sid: str = ok(await client.call_tool("upload", {"source": str(image), "new_session": True}))["session_id"]
    done = ok(
        await client.call_tool("animate_image", {"instruction": SHORT, "session_id": sid, "wait_seconds": 50})
    )
    assert done["status"] == "done", done
    return sid


async def stalled_turn(client: Client, backend: LocalBackend, image: Path) -> str:
    """A session whose turn is sent and left running: the backend's stream stalls until its faults reset."""
    sid: str = ok(await client.call_tool("upload", {"source": str(image), "new_session": True}))["session_id"]
    backend.faults.add("run_sse", "stall")
    started = ok(
        await client.call_tool(
            "animate_image", {"instruction": SHORT, "session_id": sid, "wait_seconds": 0.5}
        )
    )
    assert started["status"] == "running", started
    return sid


class FirstProgress(Progress):
    """Progress that also tells the test when the first notification arrived (the call is waiting)."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = anyio.Event()

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        await super().__call__(progress, total, message)
        self.waiting.set()


async def test_a_turn_started_on_a_is_refused_again_and_collected_on_b_with_its_progress(
    start_cluster: Callable[..., Cluster], backend: LocalBackend, sample_png: Path
) -> None:
    cluster = start_cluster()
    lb = cluster.balancer
    async with connect(lb) as client:
        with lb.pin(cluster.a.port):
            sid = await stalled_turn(client, backend, sample_png)
        with lb.pin(cluster.b.port):
            again = await client.call_tool(
                "animate_image", {"instruction": "make it 2 seconds", "session_id": sid}
            )
            assert again.is_error, again
            assert "still working on the previous instruction" in text_of(again)
            export = await client.call_tool("export", {"session_id": sid})
            assert export.is_error
            assert "still working on an instruction" in text_of(export)

            progress = FirstProgress()
            collected: dict[str, Any] = {}
            async with anyio.create_task_group() as tg:

                async def collect() -> None:
                    args = {"session_id": sid, "wait_seconds": 50}
                    collected.update(
                        ok(await client.call_tool("get_state", args, progress_callback=progress))
                    )

                tg.start_soon(collect)
                with anyio.fail_after(20):
                    await progress.waiting.wait()  # B is waiting on A's turn; now let the backend finish it
                backend.faults.reset()
    state = collected
    assert state["finished_turn"] is not None, state
    assert state["finished_turn"]["ready_to_export"] is True
    progress.assert_increasing(at_least=2)
    # Beyond the state B read when it began to wait, news of A's work reached B as it happened.
    assert any(not m.startswith("still working") for m in progress.messages[1:]), progress.messages
    assert backend.stats.messages_for(sid) == [SHORT]  # sent once, never again
    assert set(lb.served) == {cluster.a.port, cluster.b.port}


async def test_an_export_started_on_a_is_joined_on_b_and_renders_once(
    start_cluster: Callable[..., Cluster], backend: LocalBackend, sample_png: Path
) -> None:
    cluster = start_cluster()
    lb = cluster.balancer
    async with connect(lb) as client:
        sid = await animated(client, sample_png)
        backend.faults.add("render_submit", "stall")
        with lb.pin(cluster.a.port):
            first = ok(await client.call_tool("export", {"session_id": sid, "wait_seconds": 0.5}))
        with lb.pin(cluster.b.port):
            second = ok(await client.call_tool("export", {"session_id": sid, "wait_seconds": 0.5}))
            state = ok(await client.call_tool("get_state", {"session_id": sid}))
        assert first["status"] == second["status"] == "running", (first, second)
        assert [job["kind"] for job in state["jobs"] if job["status"] == "running"] == ["export"]
        backend.faults.reset()
        done = ok(await client.call_tool("export", {"session_id": sid, "wait_seconds": 50}))
    assert done["status"] == "done", done
    assert await anyio.Path(done["path"]).is_file()
    assert submits(backend) == 1
    assert len(backend.context.store.renders()) == 1
