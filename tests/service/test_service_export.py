"""Export against the local backend: the happy path, every poll variant, failures, fallbacks, resume."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import pytest

from nemo_mcp.config import Settings
from nemo_mcp.errors import ApiError, ExportBlockedError, InputError, RenderFailedError
from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.service.facade import NemoService
from nemo_mcp.service.models import ProgressUpdate
from nemo_mcp.service.renders import RenderHandle, RenderHandleStore
from tests.service.conftest import FAST, Recorder

pytestmark = pytest.mark.anyio

ANIMATE = "animate this image into a 2-second video clip"
# Renders faster; for the tests whose subject is not the clip itself.
SHORT = "animate this image into a 1-second video clip"


async def _animated(service: NemoService, image: Path, instruction: str = SHORT) -> str:
    sid = (await service.uploads.upload([str(image)])).session_id
    await service.turns.send(instruction)
    return sid


def _assert_valid_mp4(path: Path, seconds: float) -> None:
    av = pytest.importorskip("av")
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert frames > 0
        assert container.duration is not None
        assert abs(container.duration / 1_000_000 - seconds) < 0.5


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_done_when_flow_token_session_upload_animate_state_export(
    service: NemoService,
    local_settings: Settings,
    local_backend: LocalBackend,
    sample_png: Path,
    progress: Recorder,
) -> None:
    sid = await _animated(service, sample_png, ANIMATE)
    state = await service.state()
    assert state.ready_to_export
    outcome = await service.exports.export(progress=progress)
    assert outcome.session_id == sid
    assert outcome.path.parent == local_settings.output_dir
    assert outcome.path.name.startswith(f"nemo-{sid}")
    assert outcome.path.stat().st_size == outcome.size_bytes
    assert (outcome.width, outcome.height) == (1280, 720)
    assert outcome.duration_s is not None
    assert abs(outcome.duration_s - 2) < 0.5
    _assert_valid_mp4(outcome.path, 2)
    assert _leftovers(local_settings.output_dir) == [outcome.path.name]
    assert _leftovers(local_settings.render_handles_dir) == []
    assert progress.fractions == sorted(progress.fractions)
    assert progress.fractions[-1] == 1.0
    assert local_backend.stats.missing_attribution_total == 0


async def test_nothing_to_export_yet(
    service: NemoService, sample_png: Path, local_backend: LocalBackend
) -> None:
    await service.uploads.upload([str(sample_png)])
    with pytest.raises(InputError, match="Nothing to export yet: animate an image first"):
        await service.exports.export()
    assert local_backend.stats.requests.get("render_submit", 0) == 0


# Every fault a render can meet on its way, each met on the same animated session (one generation, many
# exports: the tests stay fast). times: how often the fault strikes (None: until the next case).
SURVIVABLE: list[tuple[str, str, str | int | None, int | None]] = [
    ("render_poll", "poll_variant", "task_id", None),
    ("render_poll", "poll_variant", "render_id", None),
    ("render_poll", "completed_without_url", None, 2),
    ("render_poll", "http_status", 503, 2),
    ("render_poll", "http_status", 408, 2),
    ("render_poll", "rate_limit", None, 2),
    ("render_submit", "submit_fail", None, 1),
    ("render_submit", "http_status", 500, 1),
    ("render_poll", "unreachable_url", None, 1),
    ("download", "cut_download", None, 1),
    ("download", "http_status", 502, 1),
]


async def test_export_survives_every_render_fault(
    service: NemoService, local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    await _animated(service, sample_png, SHORT)
    submits = 0
    for route, effect, value, times in SURVIVABLE:
        case = f"{route}-{effect}-{value}"
        local_backend.faults.reset()
        local_backend.faults.add(route, effect, value, times=times)
        folder = local_settings.output_dir / case
        outcome = await service.exports.export(output_dir=folder)
        _assert_valid_mp4(outcome.path, 1)
        assert _leftovers(folder) == [outcome.path.name], case
        assert _leftovers(local_settings.render_handles_dir) == [], case
        submits += 2 if route == "render_submit" else 1
        assert local_backend.stats.requests["render_submit"] == submits, case


async def test_failed_render_is_a_clear_error(
    service: NemoService, local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    await _animated(service, sample_png)
    local_backend.faults.add("render_submit", "render_fail")
    with pytest.raises(RenderFailedError, match="The export failed"):
        await service.exports.export()
    assert _leftovers(local_settings.render_handles_dir) == []
    assert _leftovers(local_settings.output_dir) == []


async def test_submit_failing_twice_gives_up(
    service: NemoService, local_backend: LocalBackend, sample_png: Path
) -> None:
    await _animated(service, sample_png)
    local_backend.faults.add("render_submit", "submit_fail", times=2)
    with pytest.raises(RenderFailedError, match="tried twice"):
        await service.exports.export()
    assert local_backend.stats.requests["render_submit"] == 2


async def test_export_blocked_by_plan(
    service: NemoService, local_backend: LocalBackend, sample_png: Path
) -> None:
    await _animated(service, sample_png)
    local_backend.faults.add("render_submit", "http_status", 402)
    with pytest.raises(ExportBlockedError, match="register or upgrade"):
        await service.exports.export()
    assert local_backend.stats.requests["render_submit"] == 1


async def test_poll_stops_on_a_plain_4xx(
    service: NemoService, local_backend: LocalBackend, sample_png: Path
) -> None:
    await _animated(service, sample_png)
    local_backend.faults.add("render_poll", "http_status", 400)
    with pytest.raises(ApiError, match="HTTP 400"):
        await service.exports.export()


async def test_download_cut_off_everywhere_leaves_no_file_and_can_be_retried(
    service: NemoService, local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    await _animated(service, sample_png)
    local_backend.faults.add("download", "cut_download", times=2)
    with pytest.raises(RenderFailedError, match="could not be downloaded"):
        await service.exports.export()
    assert _leftovers(local_settings.output_dir) == []
    (handle,) = local_settings.render_handles_dir.iterdir()
    render_id = json.loads(handle.read_text())["render_id"]
    outcome = await service.exports.export()
    assert outcome.render_id == render_id
    assert local_backend.stats.requests["render_submit"] == 1
    _assert_valid_mp4(outcome.path, 1)


async def test_a_restarted_process_resumes_the_same_render(
    local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    rendering = asyncio.Event()

    async def sink(update: ProgressUpdate) -> None:
        if update.message.startswith("rendering"):
            rendering.set()

    async with NemoService.open(local_settings, tuning=FAST) as first:
        await _animated(first, sample_png)
        local_backend.faults.add("render_submit", "stall")
        task = asyncio.create_task(first.exports.export(progress=sink))
        await rendering.wait()
        task.cancel()  # the person's call goes away; then the whole process does
        with contextlib.suppress(asyncio.CancelledError):
            await task
    (handle,) = local_settings.render_handles_dir.iterdir()
    render_id = json.loads(handle.read_text())["render_id"]

    local_backend.faults.reset()  # the stalled render may now finish
    async with NemoService.open(local_settings, tuning=FAST) as second:
        outcome = await second.exports.export()
    assert outcome.render_id == render_id
    assert local_backend.stats.requests["render_submit"] == 1
    assert _leftovers(local_settings.render_handles_dir) == []
    _assert_valid_mp4(outcome.path, 1)


async def test_two_calls_share_one_render_and_cancel_stops_it(
    service: NemoService, local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    await _animated(service, sample_png)
    rendering = asyncio.Event()

    async def sink(update: ProgressUpdate) -> None:
        if update.message.startswith("rendering"):
            rendering.set()

    local_backend.faults.add("render_submit", "stall")
    first = asyncio.create_task(service.exports.export(progress=sink))
    await rendering.wait()
    second = asyncio.create_task(service.exports.export())
    assert await service.exports.cancel() is True
    for task in (first, second):
        with pytest.raises(RenderFailedError, match="cancelled"):
            await task
    assert local_backend.stats.requests["render_submit"] == 1
    assert _leftovers(local_settings.render_handles_dir) == []
    assert await service.exports.cancel() is False


async def test_output_folder_that_cannot_be_written(
    service: NemoService, local_backend: LocalBackend, sample_png: Path, tmp_path: Path
) -> None:
    await _animated(service, sample_png)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot be written"):
        await service.exports.export(output_dir=blocker / "sub")
    assert local_backend.stats.requests.get("render_submit", 0) == 0


async def test_a_stored_render_the_api_does_not_know_is_replaced(
    service: NemoService, local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    sid = await _animated(service, sample_png)
    store = RenderHandleStore(local_settings.render_handles_dir)
    await store.save(
        RenderHandle("render_gone", sid, local_settings.api_url, str(local_settings.output_dir), 1.0)
    )
    outcome = await service.exports.export()
    assert outcome.render_id != "render_gone"
    assert local_backend.stats.requests["render_submit"] == 1
    assert _leftovers(local_settings.render_handles_dir) == []
