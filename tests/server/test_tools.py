"""The five tools through an in-memory MCP client, over a real local backend."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.types import ResourceLink

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.server.app import build_server
from tests.server.conftest import Progress, call_error, call_ok, probe_clip

pytestmark = pytest.mark.anyio

ANIMATE = "animate this image into a 1-second video clip using low VRAM mode"


async def test_the_five_tools_have_titles_schemas_and_honest_annotations(client: Client) -> None:
    listed = await client.list_tools()
    tools = {tool.name: tool for tool in listed.tools}
    assert set(tools) == {"upload", "animate_image", "get_state", "get_credits", "export"}
    for tool in tools.values():
        assert tool.title
        assert tool.description
        assert tool.output_schema is not None
        assert tool.annotations is not None
        assert tool.annotations.open_world_hint is True

    animate = tools["animate_image"]
    assert animate.annotations is not None
    assert animate.annotations.read_only_hint is False
    assert animate.annotations.idempotent_hint is False
    assert "credits" in (animate.description or "").lower()
    # Settings may stand alone, so nothing is required; each is described for the model that fills it.
    assert "required" not in animate.input_schema
    settings = (
        "duration_s aspect_ratio motion motion_speed title title_position music music_volume resolution"
    )
    for name in settings.split():
        assert animate.input_schema["properties"][name]["description"], name
    wait = animate.input_schema["properties"]["wait_seconds"]
    assert wait["maximum"] == 55
    assert wait["description"]

    for name in ("get_state", "get_credits"):
        hints = tools[name].annotations
        assert hints is not None
        assert hints.read_only_hint is True
    export = tools["export"].annotations
    assert export is not None
    assert export.read_only_hint is False
    assert export.idempotent_hint is True
    assert "free" in (tools["export"].description or "").lower()
    assert "cancel" in tools["export"].input_schema["properties"]
    assert set(tools["upload"].input_schema["required"]) == {"source"}


async def test_upload_returns_the_session_and_what_the_backend_made_of_the_file(
    client: Client, sample_png: Path
) -> None:
    result = await call_ok(client, "upload", {"source": str(sample_png)})
    assert result["session_id"]
    (uploaded,) = result["files"]
    assert uploaded["file_type"] == "image"
    assert (uploaded["width"], uploaded["height"]) == (640, 480)
    assert "animate_image" in result["next_step"]


async def test_upload_outside_the_allowed_folders_says_what_to_do(client: Client) -> None:
    message = await call_error(client, "upload", {"source": "/etc/passwd"})
    assert "NEMO_MCP_ALLOWED_DIRS" in message


async def test_animate_image_uploads_generates_and_streams_progress(client: Client, sample_png: Path) -> None:
    earlier = await call_ok(client, "upload", {"source": str(sample_png)})
    progress = Progress()
    result = await call_ok(
        client, "animate_image", {"instruction": ANIMATE, "image": str(sample_png)}, progress=progress
    )
    assert result["status"] == "done"
    assert result["session_id"] != earlier["session_id"]  # a new image, a new session
    assert result["ready_to_export"] is True
    assert result["reply"]
    assert "Timeline" in result["timeline"]
    assert result["next_step"] == f'export(session_id="{result["session_id"]}")'
    progress.assert_increasing(at_least=3)


async def test_animate_without_an_image_or_a_session_asks_for_an_image(client: Client) -> None:
    message = await call_error(client, "animate_image", {"instruction": ANIMATE})
    assert "image=" in message
    assert "upload" in message


@pytest.mark.parametrize("wait", [-1, 600, 1e12])
async def test_absurd_wait_budgets_are_refused_with_the_range(client: Client, wait: float) -> None:
    message = await call_error(client, "get_state", {"session_id": "123", "wait_seconds": wait})
    assert "55" in message


async def test_an_unknown_session_is_an_error_that_says_what_to_do(client: Client) -> None:
    message = await call_error(client, "get_state", {"session_id": "999999"})
    assert "999999" in message or "session" in message.lower()
    assert "upload" in message.lower()


async def test_get_credits_shows_the_balance(client: Client) -> None:
    result = await call_ok(client, "get_credits")
    assert result["available"] > 0
    assert result["total"] == result["available"] + result["frozen"]
    assert "credits available" in result["message"]


async def test_get_credits_failure_reaches_the_client_as_a_readable_error(
    client: Client, local_backend: LocalBackend
) -> None:
    local_backend.faults.add("credits", "rate_limit", times=None)
    message = await call_error(client, "get_credits")
    assert "rate" in message.lower()
    assert "Bearer" not in message


async def test_a_budget_that_expires_hands_back_a_handle_and_get_state_collects_the_result(
    client: Client, local_backend: LocalBackend, sample_png: Path
) -> None:
    uploaded = await call_ok(client, "upload", {"source": str(sample_png)})
    sid = uploaded["session_id"]
    local_backend.faults.add("run_sse", "stall")
    running = await call_ok(client, "animate_image", {"instruction": ANIMATE, "wait_seconds": 0.5})
    assert running["status"] == "running"
    assert running["session_id"] == sid
    assert running["next_step"] == f'get_state(session_id="{sid}", wait_seconds=45)'

    busy = await call_error(client, "animate_image", {"instruction": ANIMATE, "session_id": sid})
    assert "still working on the previous instruction" in busy

    still = await call_ok(client, "get_state", {"session_id": sid})
    assert [job["status"] for job in still["jobs"]] == ["running"]

    local_backend.faults.reset()
    done = await call_ok(client, "get_state", {"session_id": sid, "wait_seconds": 30})
    assert done["finished_turn"] is not None
    assert done["ready_to_export"] is True
    assert done["next_step"] == f'export(session_id="{sid}")'
    assert local_backend.stats.messages_for(sid) == [ANIMATE]  # sent once, never again


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_cancelled_call_leaves_the_job_running(
    local_settings: Settings, local_backend: LocalBackend, sample_png: Path, mode: str
) -> None:
    async with Client(build_server(local_settings), mode=mode) as client:
        uploaded = await call_ok(client, "upload", {"source": str(sample_png)})
        sid = uploaded["session_id"]
        local_backend.faults.add("run_sse", "stall")
        working = anyio.Event()

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            working.set()

        async with anyio.create_task_group() as tg:

            async def animate() -> None:
                await client.call_tool(
                    "animate_image",
                    {"instruction": ANIMATE, "wait_seconds": 30},
                    progress_callback=on_progress,
                )

            tg.start_soon(animate)
            await working.wait()  # the call is inside the server, waiting on its job
            tg.cancel_scope.cancel()

        state = await call_ok(client, "get_state", {"session_id": sid})
        assert [job["status"] for job in state["jobs"]] == ["running"]
        local_backend.faults.reset()
        done = await call_ok(client, "get_state", {"session_id": sid, "wait_seconds": 30})
        assert done["finished_turn"] is not None
        assert local_backend.stats.messages_for(sid) == [ANIMATE]


async def test_export_writes_the_mp4_and_links_to_it(
    client: Client, sample_png: Path, tmp_path: Path
) -> None:
    animated = await call_ok(client, "animate_image", {"instruction": ANIMATE, "image": str(sample_png)})
    progress = Progress()
    result = await client.call_tool(
        "export", {"session_id": animated["session_id"]}, progress_callback=progress
    )
    assert not result.is_error
    data = result.structured_content
    assert data is not None
    assert data["status"] == "done"
    path = Path(data["path"])
    assert path.parent == tmp_path / "out"
    clip = probe_clip(path)
    assert (clip.codec, clip.width, clip.height) == ("h264", 1280, 720)
    assert data["size_bytes"] == clip.size_bytes
    assert data["resolution"] == "1280x720"
    assert data["duration_s"] == pytest.approx(1.0, abs=0.1)
    (link,) = [block for block in result.content if isinstance(block, ResourceLink)]
    assert link.uri == path.as_uri()
    assert link.mime_type == "video/mp4"
    progress.assert_increasing(at_least=2)

    exports = await client.read_resource("nemo://exports")
    assert str(path) in str(exports.contents[0])


async def test_a_second_export_resumes_the_running_render_and_a_later_one_collects_it(
    client: Client, local_backend: LocalBackend, sample_png: Path
) -> None:
    animated = await call_ok(client, "animate_image", {"instruction": ANIMATE, "image": str(sample_png)})
    sid = animated["session_id"]
    local_backend.faults.add("render_submit", "stall", times=None)
    first = await call_ok(client, "export", {"session_id": sid, "wait_seconds": 0.5})
    assert first["status"] == "running"
    assert first["next_step"] == f'export(session_id="{sid}")'
    second = await call_ok(client, "export", {"session_id": sid, "wait_seconds": 0.5})
    assert second["status"] == "running"
    assert local_backend.stats.requests.get("render_submit") == 1

    local_backend.faults.reset()
    done = await call_ok(client, "export", {"session_id": sid, "wait_seconds": 30})
    assert done["status"] == "done"
    assert Path(done["path"]).name.endswith(".mp4")
    assert local_backend.stats.requests.get("render_submit") == 1  # the same render, never a duplicate


async def test_export_cancel_stops_the_running_render(
    client: Client, local_backend: LocalBackend, sample_png: Path
) -> None:
    animated = await call_ok(client, "animate_image", {"instruction": ANIMATE, "image": str(sample_png)})
    sid = animated["session_id"]
    local_backend.faults.add("render_submit", "stall", times=None)
    running = await call_ok(client, "export", {"session_id": sid, "wait_seconds": 0.2})
    assert running["status"] == "running"

    cancelled = await call_ok(client, "export", {"session_id": sid, "cancel": True})
    assert cancelled["status"] == "cancelled"
    assert "was cancelled" in cancelled["message"]
    state = await call_ok(client, "get_state", {"session_id": sid})
    assert [job["status"] for job in state["jobs"] if job["kind"] == "export"] == ["cancelled"]
    nothing = await call_ok(client, "export", {"session_id": sid, "cancel": True})
    assert "nothing to cancel" in nothing["message"]


async def test_two_sessions_side_by_side_keep_their_own_results(client: Client, tmp_path: Path) -> None:
    from PIL import Image

    images = []
    for name, colour in (("red.png", (200, 30, 30)), ("blue.png", (30, 30, 200))):
        path = tmp_path / name
        Image.new("RGB", (320, 240), colour).save(path)
        images.append(path)
    first = await call_ok(client, "upload", {"source": str(images[0])})
    second = await call_ok(client, "upload", {"source": str(images[1]), "new_session": True})
    assert first["session_id"] != second["session_id"]

    results: dict[str, dict[str, object]] = {}

    async def animate(sid: str, text: str) -> None:
        results[sid] = await call_ok(client, "animate_image", {"instruction": text, "session_id": sid})

    async with anyio.create_task_group() as tg:
        tg.start_soon(animate, first["session_id"], ANIMATE)
        tg.start_soon(animate, second["session_id"], "animate this image into a 2-second video clip")
    assert results[first["session_id"]]["session_id"] == first["session_id"]
    assert results[second["session_id"]]["session_id"] == second["session_id"]
    one = await call_ok(client, "get_state", {"session_id": first["session_id"]})
    two = await call_ok(client, "get_state", {"session_id": second["session_id"]})
    assert "red.png" in one["timeline"] or any(m["name"] == "red.png" for m in one["media"])
    assert "blue.png" in two["timeline"] or any(m["name"] == "blue.png" for m in two["media"])
    assert "(0-1s)" in one["timeline"]
    assert "(0-2s)" in two["timeline"]


async def test_the_prompt_and_the_session_resource(client: Client, sample_png: Path) -> None:
    prompt = await client.get_prompt("animate-photo", {"image": "/photos/cat.jpg"})
    assert "/photos/cat.jpg" in str(prompt.messages[0].content)
    uploaded = await call_ok(client, "upload", {"source": str(sample_png)})
    state = await client.read_resource(f"nemo://sessions/{uploaded['session_id']}/state")
    assert uploaded["session_id"] in str(state.contents[0])


async def test_the_clients_name_becomes_the_platform_header(
    local_settings: Settings, local_backend: LocalBackend
) -> None:
    from mcp.types import Implementation

    info = Implementation(name="claude-ai", version="0.14.0")
    for mode in ("legacy", "auto"):
        async with Client(build_server(local_settings), mode=mode, client_info=info) as client:
            await call_ok(client, "get_credits")
        assert local_backend.stats.last_headers["x-skill-platform"] == "claude-desktop", mode


async def test_the_token_never_reaches_a_result_an_error_or_a_log(
    local_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    import dataclasses
    import logging

    secret = "nmv_usr_0123456789secret"
    settings = dataclasses.replace(local_settings, token=secret)
    caplog.set_level(logging.DEBUG)
    async with Client(build_server(settings)) as client:
        message = await call_error(client, "get_credits")
    assert "NEMO_TOKEN" in message
    assert secret not in message
    assert secret not in caplog.text


async def test_export_refuses_an_output_folder_outside_the_allowed_ones(
    client: Client, sample_png: Path, tmp_path: Path
) -> None:
    await call_ok(client, "upload", {"source": str(sample_png)})
    message = await call_error(client, "export", {"output_dir": "/etc"})
    assert "outside the folders" in message
    assert "omit output_dir" in message
    hidden = await call_error(client, "export", {"output_dir": str(tmp_path / ".config" / "autostart")})
    assert "outside the folders" in hidden


async def test_closing_the_server_while_work_runs_stops_cleanly(
    local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    local_backend.faults.add("run_sse", "stall")
    generating = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if message and message.startswith("generating"):
            generating.set()

    with anyio.fail_after(20):
        async with Client(build_server(local_settings)) as client:
            async with anyio.create_task_group() as tg:
                tg.start_soon(
                    partial(
                        client.call_tool,
                        "animate_image",
                        {"instruction": ANIMATE, "image": str(sample_png), "wait_seconds": 30},
                        progress_callback=on_progress,
                    )
                )
                await generating.wait()  # the backend has the message and is working on it
                tg.cancel_scope.cancel()
            sid = (await call_ok(client, "get_state"))["session_id"]
    # The lifespan cancelled the job and closed the service without hanging; the message went once.
    assert local_backend.stats.messages_for(sid) == [ANIMATE]
