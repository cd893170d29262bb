"""One turn against the local backend: both event shapes, split events, junk, silence, errors, drops."""

from __future__ import annotations

from pathlib import Path

import pytest

from nemo_mcp.config import Settings
from nemo_mcp.errors import ApiError, StreamLostError
from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.service.facade import NemoService
from nemo_mcp.service.renders import PollPolicy
from nemo_mcp.service.sessions import Tuning
from tests.service.conftest import FAST, Recorder

pytestmark = pytest.mark.anyio

ANIMATE = "animate this image into a 1-second video clip"


@pytest.mark.parametrize("effect", [None, "adk_events", "split_events", "malformed_event"])
async def test_text_answer_in_every_shape(
    service: NemoService, local_backend: LocalBackend, progress: Recorder, effect: str | None
) -> None:
    if effect:
        local_backend.faults.add("run_sse", effect)
    outcome = await service.turns.send("hello there", progress=progress)
    assert "Upload an image first" in outcome.reply
    assert outcome.changes == []
    assert not outcome.ready_to_export
    assert outcome.timeline.startswith("Timeline is empty")
    assert any("Upload an image first" in m for m in progress.messages)
    assert local_backend.stats.messages_for(outcome.session_id) == ["hello there"]


async def test_error_event_is_a_clear_failure_and_not_resent(
    service: NemoService, local_backend: LocalBackend
) -> None:
    local_backend.faults.add("run_sse", "error_event")
    with pytest.raises(ApiError, match="NemoVideo reported an error: 'The agent hit a temporary error"):
        await service.turns.send("hello")
    assert local_backend.stats.requests["run_sse"] == 1


async def test_silent_answer_says_nothing_changed(service: NemoService, local_backend: LocalBackend) -> None:
    local_backend.faults.add("run_sse", "silent")
    outcome = await service.turns.send("hello")
    assert outcome.reply == "NemoVideo finished without a reply, and the timeline did not change."


async def test_heartbeats_only_times_out(local_settings: Settings, local_backend: LocalBackend) -> None:
    tuning = Tuning(heartbeat_limit_s=1.0, still_working_every_s=0.3)
    progress = Recorder()
    async with NemoService.open(local_settings, tuning=tuning) as svc:
        local_backend.faults.add("run_sse", "heartbeats_only")
        with pytest.raises(StreamLostError, match="only 'still working' signals"):
            await svc.turns.send("hello", progress=progress)
    assert any(m.startswith("still working (") for m in progress.messages)
    assert local_backend.stats.requests["run_sse"] == 1


async def test_dropped_stream_without_change_is_reported_not_resent(
    service: NemoService, local_backend: LocalBackend, progress: Recorder
) -> None:
    local_backend.faults.add("run_sse", "drop_after", 0)
    with pytest.raises(StreamLostError, match="did not change in 3 checks") as caught:
        await service.turns.send("hello", progress=progress)
    assert "not sent again" in str(caught.value)
    assert local_backend.stats.requests["run_sse"] == 1
    assert any("instead of sending again" in m for m in progress.messages)


# --- turns that generate a clip: need the local renderer ---------------------------------------------


async def test_generation_turn_reports_progress_and_the_new_timeline(
    service: NemoService, local_backend: LocalBackend, sample_png: Path, progress: Recorder
) -> None:
    sid = (await service.uploads.upload([str(sample_png)])).session_id
    outcome = await service.turns.send(ANIMATE, progress=progress)
    assert outcome.session_id == sid
    assert outcome.ready_to_export
    assert outcome.timeline.startswith("Timeline (1 track): 1. Video: sample.png (0-1s)")
    assert any(c.startswith("a new clip of sample.png: 1 s") for c in outcome.changes)
    assert "generating video…" in progress.messages
    assert progress.fractions == sorted(progress.fractions)
    assert local_backend.stats.messages_for(sid) == [ANIMATE]


async def test_silent_generation_describes_the_change(
    service: NemoService, local_backend: LocalBackend, sample_png: Path
) -> None:
    await service.uploads.upload([str(sample_png)])
    local_backend.faults.add("run_sse", "silent")
    outcome = await service.turns.send(ANIMATE)
    assert outcome.reply.startswith("Done. What changed: a new clip of sample.png: 1 s, 16:9 1280x720")
    assert outcome.ready_to_export


@pytest.mark.parametrize("after", [1, 2])
async def test_dropped_generation_is_recovered_from_the_state_without_resending(
    local_settings: Settings, local_backend: LocalBackend, sample_png: Path, after: int
) -> None:
    tuning = Tuning(
        poll=PollPolicy(first_s=0.05), recovery_first_s=0.2, recovery_every_s=0.5, recovery_max_unchanged=60
    )
    async with NemoService.open(local_settings, tuning=tuning) as svc:
        sid = (await svc.uploads.upload([str(sample_png)])).session_id
        local_backend.faults.add("run_sse", "drop_after", after)
        outcome = await svc.turns.send(ANIMATE)
    assert outcome.notice is not None
    assert "connection dropped" in outcome.notice
    assert outcome.ready_to_export
    assert local_backend.stats.messages_for(sid) == [ANIMATE]


async def test_state_after_generation(service: NemoService, sample_png: Path) -> None:
    await service.uploads.upload([str(sample_png)])
    await service.turns.send(ANIMATE)
    state = await service.state()
    assert state.ready_to_export
    assert [t.kind for t in state.tracks] == ["video"]
    assert [m.kind for m in state.media] == ["image", "video"]
    assert state.web_url is not None
    assert state.web_url.startswith("https://nemovideo.com/workspace/claim?ct=clm_")


_ = FAST


async def test_twenty_concurrent_calls_across_five_sessions_stay_apart(
    service: NemoService, local_backend: LocalBackend, sample_png: Path
) -> None:
    import asyncio

    await asyncio.gather(*(service.credits() for _ in range(5)))  # five first calls, one token
    sessions = [await service.workspace.new_session() for _ in range(5)]

    async def one(i: int) -> tuple[str, str]:
        sid = sessions[i % 5]
        kind = i % 4
        if kind == 0:
            return sid, (await service.uploads.upload([str(sample_png)], sid)).session_id
        if kind == 1:
            return sid, (await service.turns.send(f"hello {i}", sid)).session_id
        if kind == 2:
            return sid, (await service.state(sid)).session_id
        await service.credits()
        return sid, sid

    results = await asyncio.gather(*(one(i) for i in range(20)))
    assert all(asked == answered for asked, answered in results)
    for i in range(20):
        if i % 4 == 1:
            assert local_backend.stats.messages_for(sessions[i % 5]).count(f"hello {i}") == 1
    assert local_backend.stats.requests["token"] == 1


async def test_injected_client_is_used_and_left_open_and_a_failed_claim_is_not_retried(
    local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    import httpx

    local_backend.faults.add("claim", "http_status", 500)

    paths: list[str] = []

    async def seen(request: httpx.Request) -> None:
        paths.append(request.url.path)

    async with httpx.AsyncClient(event_hooks={"request": [seen]}) as http:
        async with NemoService.open(local_settings, http=http, tuning=FAST) as svc:
            await svc.uploads.upload([str(sample_png)])
            first = await svc.state()
            second = await svc.state()
        assert not http.is_closed
    assert first.web_url == second.web_url == "https://nemovideo.com/workspace"
    assert paths.count("/api/auth/claim-token") == 1
