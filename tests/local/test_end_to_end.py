"""The whole contract over HTTP against the local backend, with the real renderer, checked with PyAV."""

from __future__ import annotations

from pathlib import Path

import av
import httpx
import pytest

from nemo_mcp.local.runner import LocalBackend
from tests.local.helpers import ATTRIBUTION, credits, data, kinds, run_message, state, texts, upload


@pytest.mark.slow
def test_token_session_upload_generate_state_render_download(
    local_backend: LocalBackend, sample_png: Path, tmp_path: Path
) -> None:
    url = local_backend.url
    token = data(httpx.post(f"{url}/api/auth/anonymous-token", headers={"X-Client-Id": "e2e", **ATTRIBUTION}))
    headers = {"Authorization": f"Bearer {token['token']}", **ATTRIBUTION}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
        created = data(
            http.post(
                "/api/tasks/me/with-session/nemo_agent", json={"task_name": "project", "language": "en"}
            )
        )
        sid = created["session_id"]
        (image,) = upload(http, sid, sample_png)
        assert image["file_type"] == "image"

        events = run_message(http, sid, "animate this image into a 5-second video clip")
        assert kinds(events) == ["text", "tool_call", "tool_result", "text"]
        assert "5-second" in texts(events)
        assert credits(http) == {"available": 900, "frozen": 0, "total": 900}

        draft = state(http, sid)["draft"]
        assert any(track["sg"] for track in draft["t"])  # ready for export
        submitted = http.post(
            "/api/render/proxy/lambda",
            json={"id": "render_e2e", "sessionId": sid, "draft": draft, "output": {"format": "mp4"}},
        ).json()
        assert submitted["data"]["status"] == "pending"
        local_backend.wait_idle(120)
        job = http.get("/api/render/proxy/lambda/render_e2e").json()["data"]
        assert job["status"] == "completed"
        out = tmp_path / "clip.mp4"
        out.write_bytes(httpx.get(job["outputUrl"]).content)

    with av.open(str(out)) as container:
        (stream,) = container.streams.video
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (1280, 720)
        assert stream.average_rate == 30
        assert container.duration is not None
        assert abs(container.duration / 1_000_000 - 5.0) <= 0.1
        frames = sum(1 for _ in container.decode(stream))
        assert abs(frames - 150) <= 3
