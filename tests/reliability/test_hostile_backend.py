"""A backend that answers oddly or with hostile intent, met by `nemo-mcp serve` over stdio (issue 13).

The backend is the embedded LocalBackend with its fault plan: it names render ids and output URLs of its
own choosing, echoes the request's headers in an error, redirects a download, answers a message with a
gateway's 504 while doing the work, and lets a token lapse just before the download.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from nemo_mcp.local.runner import BackendOptions, LocalBackend
from tests.local.helpers import anonymous_token
from tests.reliability.helpers import error, ok, server_env, stdio_server, tool
from tests.server.conftest import Progress, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SHORT = "animate this image into a 1-second video clip"
RESEND = re.compile(r"try (it )?again|send (it |the instruction )?again|resend|re-send", re.IGNORECASE)


@pytest.fixture
def bystander(tmp_path: Path) -> Iterator[LocalBackend]:
    """Another service on loopback (another port): what a hostile output URL would make us fetch."""
    backend = LocalBackend(tmp_path / "bystander-data", options=BackendOptions(admin=True)).start()
    try:
        yield backend
    finally:
        backend.stop()


def _is_mp4(path: str) -> bool:
    return Path(path).read_bytes()[4:8] == b"ftyp"


def _everything(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if "backend-data" not in p.parts and "bystander-data" not in p.parts}


async def test_render_ids_chosen_by_the_backend_never_become_paths(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    deep = tmp_path / "deep" / "er"
    env = server_env(
        tmp_path,
        local_backend.url,
        NEMO_MCP_DATA_DIR=str(deep / "data"),
        NEMO_MCP_OUTPUT_DIR=str(deep / "out"),
    )
    victim = tmp_path / "victim.json"
    victim.write_text("precious")
    async with stdio_server(env, tmp_path) as client:
        for hostile in (str(tmp_path / "victim"), "../../../escaped"):
            sid = ok(await tool(client, "upload", {"source": str(sample_png), "new_session": True}))
            sid = sid["session_id"]
            ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))
            before = _everything(tmp_path)
            local_backend.faults.add("render_submit", "foreign_id", hostile)
            result = await tool(client, "export", {"session_id": sid})
            await anyio.to_thread.run_sync(local_backend.wait_idle, 60)
            assert victim.read_text() == "precious", hostile
            appeared = _everything(tmp_path) - before
            outside = [p for p in appeared if not p.is_relative_to(deep / "out") and "data" not in p.parts]
            assert outside == [], (hostile, outside)
            if not result.is_error:  # delivered: then inside the output folder, under our own name
                path = Path(ok(result)["path"])
                assert path.parent == deep / "out", path
            else:
                assert "render id" in error(result), error(result)


async def test_a_backend_echoing_the_token_never_puts_it_in_an_error_or_the_log(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    token = anonymous_token(local_backend.url, "echo-client")["token"]
    stderr_path = tmp_path / "server-stderr.log"
    env = server_env(tmp_path, local_backend.url, NEMO_TOKEN=token)
    with stderr_path.open("w") as errlog:
        async with stdio_server(env, tmp_path, args=("-v", "serve"), errlog=errlog) as client:
            sid = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
            ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))
            local_backend.faults.add("render_poll", "echo_headers")
            failed = error(await tool(client, "export", {"session_id": sid}))
            state = await tool(client, "get_state", {"session_id": sid})
    seen = failed + text_of(state) + stderr_path.read_text()
    assert "export failed" in failed.lower(), failed
    for secret in (token, token.removeprefix("nmv_usr_"), token[-12:]):
        assert secret not in seen


async def test_downloads_never_go_to_other_loopback_services_or_follow_redirects_there(
    tmp_path: Path, local_backend: LocalBackend, bystander: LocalBackend, sample_png: Path
) -> None:
    elsewhere = f"{bystander.url}/files/renders/anything.mp4"
    async with stdio_server(server_env(tmp_path, local_backend.url), tmp_path) as client:
        sid = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
        ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))
        for case, route, effect in (
            ("foreign", "render_poll", "foreign_url"),
            ("redirect", "download", "redirect"),
        ):
            local_backend.faults.reset()
            local_backend.faults.add(route, effect, elsewhere, times=None)
            done = ok(await tool(client, "export", {"session_id": sid, "output_dir": str(tmp_path / case)}))
            assert done["status"] == "done", (case, done)
            assert _is_mp4(done["path"]), done
    assert bystander.stats.requests.get("download", 0) == 0  # never fetched from the other service


async def test_a_token_that_lapses_before_the_download_is_renewed_and_the_download_retried(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    faults = local_backend.faults
    async with stdio_server(server_env(tmp_path, local_backend.url), tmp_path) as client:
        sid = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
        ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))
        # The output URL leads nowhere, so the API's own download endpoint (which needs the token) is used.
        faults.add("render_poll", "unreachable_url", times=None)
        faults.add("download", "hold")
        async with anyio.create_task_group() as tg:
            results: list[dict[str, object]] = []

            async def export() -> None:
                results.append(ok(await tool(client, "export", {"session_id": sid})))

            tg.start_soon(export)
            assert await anyio.to_thread.run_sync(faults.wait_held, 60)
            local_backend.expire_tokens()  # between the last poll and the download
            faults.reset()
        assert results[0]["status"] == "done", results
        assert _is_mp4(str(results[0]["path"])), results


async def test_a_message_answered_with_a_gateway_error_is_checked_in_the_state_not_resent(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    env = server_env(tmp_path, local_backend.url, NEMO_MCP_RECOVERY_DELAY="0.5")
    async with stdio_server(env, tmp_path) as client:
        sid = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
        local_backend.faults.add("run_sse", "gateway_timeout")
        progress = Progress()
        result = await client.call_tool(
            "animate_image", {"instruction": SHORT, "session_id": sid}, progress_callback=progress
        )
        landed = ok(result)
        if landed["status"] == "running":  # the budget ran out while checking: collect it
            landed = ok(await tool(client, "get_state", {"session_id": sid, "wait_seconds": 45}))
            landed = landed["finished_turn"]
        assert landed["ready_to_export"] is True, landed
        assert not RESEND.search(text_of(result) + " ".join(progress.messages))

        # A 504 for a message that really did nothing: still no advice to send it again.
        local_backend.faults.add("run_sse", "http_status", 504)
        failed = await tool(client, "animate_image", {"instruction": "make it 2 seconds", "session_id": sid})
        message = error(failed)
        assert "get_state" in message, message
        assert not RESEND.search(message), message
        state = await tool(client, "get_state", {"session_id": sid})
        assert not RESEND.search(text_of(state)), text_of(state)
    assert local_backend.stats.messages_for(sid) == [SHORT]  # taken once (the 504 came before the agent)
    assert local_backend.stats.requests["run_sse"] == 2  # and neither instruction was sent again
