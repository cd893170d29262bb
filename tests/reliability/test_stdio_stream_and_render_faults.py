"""Stream and render faults met by `nemo-mcp serve` processes over stdio, with the backend's stats as proof.

The two waits of the product that are long by default (the first state check 30 s after a dropped stream,
and the 30 s a request may take to answer) are set short through the environment
(`NEMO_MCP_RECOVERY_DELAY`, `NEMO_MCP_REQUEST_TIMEOUT`), so no test sits out a 30 s timeout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nemo_mcp.local.runner import LocalBackend
from tests.reliability.helpers import error, ok, server_env, stdio_server, tool
from tests.server.conftest import probe_clip

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SHORT = "animate this image into a 1-second video clip"
DROPPED = "animate this image into a 2-second video clip with a slow zoom out"

# (case, route, effect, value, times): faults an export survives; times None means on every call.
SURVIVED: list[tuple[str, str, str, str | int | None, int | None]] = [
    ("variant-task-id", "render_poll", "poll_variant", "task_id", None),
    ("variant-render-id", "render_poll", "poll_variant", "render_id", None),
    ("completed-without-url", "render_poll", "completed_without_url", None, 1),
    ("poll-503", "render_poll", "http_status", 503, 1),
    ("poll-429", "render_poll", "rate_limit", None, 1),
    ("unreachable-url", "render_poll", "unreachable_url", None, 1),
    ("cut-once", "download", "cut_download", None, 1),
]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


async def test_stream_shapes_over_stdio(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    faults = local_backend.faults
    async with stdio_server(server_env(tmp_path, local_backend.url), tmp_path) as client:
        sid = ok(await tool(client, "upload", {"source": str(sample_png), "new_session": True}))["session_id"]
        faults.add("run_sse", "split_events")
        split = ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))
        assert split["status"] == "done", split
        assert split["ready_to_export"] is True, split
        assert split["reply"], split
        assert split["changes"], split

        faults.add("run_sse", "malformed_event")
        malformed = ok(
            await tool(client, "animate_image", {"instruction": "make it 2 seconds", "session_id": sid})
        )
        assert malformed["status"] == "done", malformed
        assert any("2" in change for change in malformed["changes"]), malformed

        faults.add("run_sse", "error_event")
        failed = error(
            await tool(client, "animate_image", {"instruction": "add the title 'Summer'", "session_id": sid})
        )
        assert "NemoVideo reported an error" in failed
        assert "not sent again" in failed

        faults.add("run_sse", "silent")
        silent = ok(
            await tool(client, "animate_image", {"instruction": "make it 3 seconds", "session_id": sid})
        )
        assert silent["status"] == "done", silent
        assert silent["reply"].startswith("Done. What changed:"), silent  # described from the state
        assert silent["changes"], silent
    # every message reached the backend exactly once
    assert local_backend.stats.messages_for(sid) == [
        SHORT,
        "make it 2 seconds",
        "add the title 'Summer'",
        "make it 3 seconds",
    ]
    assert local_backend.stats.missing_attribution_total == 0


async def test_render_faults_over_stdio(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    faults = local_backend.faults
    out = tmp_path / "out"

    def submits() -> int:
        return local_backend.stats.requests.get("render_submit", 0)

    async with stdio_server(server_env(tmp_path, local_backend.url), tmp_path) as client:
        sid = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
        ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))
        # Faults an export survives, each export into its own folder.
        for case, route, effect, value, times in SURVIVED:
            faults.reset()
            faults.add(route, effect, value, times=times)
            before = submits()
            folder = out / case
            done = ok(await tool(client, "export", {"session_id": sid, "output_dir": str(folder)}))
            assert done["status"] == "done", (case, done)
            path = Path(done["path"])
            assert _files(folder) == [path.name], case  # no partial or temp file beside it
            assert probe_clip(path).duration_s == pytest.approx(1.0, abs=0.1), case
            assert submits() == before + 1, case
        faults.reset()
        await _render_failures(client, local_backend, sid, out)
    assert local_backend.stats.missing_attribution_total == 0


async def _render_failures(client: Any, local_backend: LocalBackend, sid: str, out: Path) -> None:
    faults = local_backend.faults

    def submits() -> int:
        return local_backend.stats.requests.get("render_submit", 0)

    # A failed submit is retried once (the backend made no job; a second submit makes one).
    before = submits()
    faults.add("render_submit", "submit_fail")
    done = ok(await tool(client, "export", {"session_id": sid, "output_dir": str(out / "submit-fail")}))
    assert done["status"] == "done"
    assert submits() == before + 2
    # Two failed submits: a clear error, nothing written.
    faults.add("render_submit", "submit_fail", times=2)
    assert "could not be started (tried twice" in error(
        await tool(client, "export", {"session_id": sid, "output_dir": str(out / "x")})
    )
    assert submits() == before + 4
    # A render that ends 'failed': a clear error, not retried, nothing written.
    faults.add("render_submit", "render_fail")
    failed_render = error(await tool(client, "export", {"session_id": sid, "output_dir": str(out / "x")}))
    assert "fail" in failed_render.lower()
    assert submits() == before + 5
    # A download cut half way on every try: an error, and no partial file under any name.
    faults.add("download", "cut_download", times=None)
    cut = error(await tool(client, "export", {"session_id": sid, "output_dir": str(out / "x")}))
    assert cut
    assert _files(out / "x") == []
    faults.reset()


async def test_a_hanging_poll_and_a_dropped_stream_are_ridden_out_over_stdio(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    env = server_env(tmp_path, local_backend.url, NEMO_MCP_REQUEST_TIMEOUT="1", NEMO_MCP_RECOVERY_DELAY="1")
    faults = local_backend.faults
    async with stdio_server(env, tmp_path) as client:
        # A render poll that gets no answer within the request timeout: polled again, delivered, submitted once.
        slow_sid = ok(await tool(client, "upload", {"source": str(sample_png), "new_session": True}))[
            "session_id"
        ]
        ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": slow_sid}))
        faults.add("render_poll", "delay", 3)
        started = ok(await tool(client, "export", {"session_id": slow_sid, "wait_seconds": 0}))
        assert started["status"] == "running", started
        collected_export = ok(await tool(client, "export", {"session_id": slow_sid, "wait_seconds": 50}))
        assert collected_export["status"] == "done", collected_export
        assert probe_clip(Path(collected_export["path"])).duration_s == pytest.approx(1.0, abs=0.1)
        assert [rule["used"] for rule in faults.rules()] == [1]  # the one poll that hung
        assert local_backend.stats.requests["render_poll"] >= 2  # ... and the one after it
        assert local_backend.stats.requests["render_submit"] == 1
        faults.reset()

        # The stream drops mid-generation: collected from the state without sending the message again.
        dropped_sid = ok(await tool(client, "upload", {"source": str(sample_png), "new_session": True}))[
            "session_id"
        ]
        faults.add("run_sse", "drop_after", 1)  # cut after the first text event: the work goes on
        running = ok(
            await tool(
                client,
                "animate_image",
                {"instruction": DROPPED, "session_id": dropped_sid, "wait_seconds": 0},
            )
        )
        assert running["status"] == "running", running
        assert "get_state" in running["next_step"]
        collected: dict[str, Any] = ok(
            await tool(client, "get_state", {"session_id": dropped_sid, "wait_seconds": 50})
        )
        turn = collected["finished_turn"]
        assert turn is not None, collected
        assert turn["changes"], turn
        assert "connection dropped" in (turn["notice"] or ""), turn
        assert collected["ready_to_export"] is True
    assert local_backend.stats.messages_for(dropped_sid) == [DROPPED]  # received once: charged once


async def test_heartbeats_only_stream_hands_back_a_handle_over_stdio(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    # The 10-minute heartbeat limit itself is tested with a shrunk limit in
    # tests/service/test_service_turns.py::test_heartbeats_only_times_out. Over stdio: the call never
    # hangs past its budget, says how to collect, and the message went once.
    async with stdio_server(server_env(tmp_path, local_backend.url), tmp_path) as client:
        sid = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
        local_backend.faults.add("run_sse", "heartbeats_only")
        running = ok(
            await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid, "wait_seconds": 1})
        )
        assert running["status"] == "running", running
        state = ok(await tool(client, "get_state", {"session_id": sid, "wait_seconds": 0}))
        assert [job["status"] for job in state["jobs"]] == ["running"], state
        assert state["ready_to_export"] is False
    assert local_backend.stats.messages_for(sid) == [SHORT]
    assert local_backend.stats.requests["run_sse"] == 1
