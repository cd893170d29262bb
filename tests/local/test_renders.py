"""Render jobs: submit, poll, download, cancel, duplicate ids, one per session, 402, restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from nemo_mcp.local.runner import LocalBackend
from tests.local.helpers import (
    client,
    session_with_draft,
    state,
    submit_render,
)


def _poll(http: httpx.Client, render_id: str) -> dict[str, Any]:
    response = http.get(f"/api/render/proxy/lambda/{render_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_submit_poll_download(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        submitted = submit_render(http, sid, draft, "render_one")
        assert submitted.json() == {
            "success": True,
            "data": {"id": "render_one", "status": "pending", "progress": 5},
        }
        local_backend.wait_idle(60)
        body = _poll(http, "render_one")
        assert body["success"] is True
        job = body["data"]
        assert (job["id"], job["status"], job["progress"]) == ("render_one", "completed", 100)
        assert job["createdAt"].endswith("Z")
        assert job["completedAt"].endswith("Z")
        from_url = httpx.get(job["outputUrl"])
        assert from_url.status_code == 200
        assert from_url.content[4:8] == b"ftyp"
        fallback = http.get("/api/render/proxy/render_one/download")
        assert fallback.content == from_url.content
        # the generated clip showed exactly this: the export reused it
        (media,) = state(http, sid)["generated_media"]
        assert httpx.get(media["url"]).content == from_url.content


def test_duplicate_id_and_one_active_render_per_session(
    local_backend: LocalBackend, sample_png: Path
) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        local_backend.faults.add("render_submit", "stall")
        assert submit_render(http, sid, draft, "render_a").status_code == 200
        busy = submit_render(http, sid, draft, "render_b")
        assert busy.status_code == 409
        assert "already running" in busy.json()["error"]
        local_backend.faults.reset()
        local_backend.wait_idle(60)
        duplicate = submit_render(http, sid, draft, "render_a")
        assert duplicate.status_code == 409
        assert duplicate.json()["success"] is False
        assert submit_render(http, sid, draft, "render_b").status_code == 200


def test_cancel(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        local_backend.faults.add("render_submit", "stall")
        submit_render(http, sid, draft, "render_c")
        cancelled = http.post("/api/render/proxy/lambda/render_c/cancel")
        assert cancelled.status_code == 200
        assert cancelled.json()["data"]["status"] == "failed"
        assert _poll(http, "render_c")["data"]["status"] == "failed"
        assert http.post("/api/render/proxy/lambda/render_c/cancel").status_code == 409
        assert http.get("/api/render/proxy/render_c/download").status_code == 409


def test_export_without_attribution_headers_is_402(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        token = http.headers["Authorization"]
    bare = httpx.post(
        f"{local_backend.url}/api/render/proxy/lambda",
        json={"id": "render_x", "sessionId": sid, "draft": draft},
        headers={"Authorization": token},
    )
    assert bare.status_code == 402
    assert local_backend.stats.missing_attribution["render_submit"] == 1


def test_bad_drafts_and_unknown_ids(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        assert submit_render(http, sid, {"t": []}, "render_empty").status_code == 400
        assert submit_render(http, sid, draft, "bad id with spaces").status_code == 400
        assert submit_render(http, "123", draft, "render_nosession").status_code == 404
        assert http.get("/api/render/proxy/lambda/render_nope").status_code == 404
        # unknown keys in the draft are kept by clients and ignored here
        draft["t"][0]["sg"][0]["extra"] = {"anything": 1}
        draft["x"] = True
        assert submit_render(http, sid, draft, "render_extra").status_code == 200
        local_backend.wait_idle(60)
        assert _poll(http, "render_extra")["data"]["status"] == "completed"


def test_someone_elses_render_is_not_found(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        submit_render(http, sid, draft, "render_mine")
    with client(local_backend.url, "another-client") as other:
        assert other.get("/api/render/proxy/lambda/render_mine").status_code == 404
        assert submit_render(other, sid, draft, "render_theirs").status_code == 404


def test_a_render_running_at_stop_is_finished_after_restart(tmp_path: Path, sample_png: Path) -> None:
    with LocalBackend(tmp_path / "d") as first, client(first.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        draft["d"] = 2000  # not the cached clip: a real render
        first.faults.add("render_submit", "stall")
        submit_render(http, sid, draft, "render_r")
        token = http.headers["Authorization"]
    # `first` has stopped: the job was processing and stays so on disk
    with LocalBackend(tmp_path / "d") as second:
        second.wait_idle(60)
        with httpx.Client(base_url=second.url, headers={"Authorization": token}) as http:
            job = _poll(http, "render_r")["data"]
            assert job["status"] == "completed"
            assert httpx.get(job["outputUrl"]).content[4:8] == b"ftyp"
