"""The backend starts, answers the basic calls with the documented shapes and errors, and stops."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import BackendOptions, LocalBackend
from tests.local.helpers import ATTRIBUTION, anonymous_token, client, data, new_session


def test_starts_on_loopback_and_stops(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "d").start()
    try:
        assert backend.url.startswith("http://127.0.0.1:")
        assert backend.port > 0
        token = anonymous_token(backend.url)
        assert token["token"].startswith("nmv_usr_")
    finally:
        backend.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{backend.url}/api/credits/balance/simple")


@pytest.mark.anyio
async def test_works_from_async_code(local_backend: LocalBackend) -> None:
    async with httpx.AsyncClient(base_url=local_backend.url) as http:
        response = await http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "a", **ATTRIBUTION})
    assert response.json()["data"]["credits"] == 1000


def test_local_settings_point_at_the_backend(local_settings: Settings, local_backend: LocalBackend) -> None:
    assert local_settings.api_url == local_backend.url
    assert local_settings.rate_limit_wait_seconds == 0


def test_sample_png_is_a_real_png(sample_png: Path) -> None:
    from PIL import Image

    with Image.open(sample_png) as image:
        assert (image.format, image.size) == ("PNG", (640, 480))


def test_token_needs_a_client_id(local_backend: LocalBackend) -> None:
    response = httpx.post(f"{local_backend.url}/api/auth/anonymous-token", headers=ATTRIBUTION)
    assert response.status_code == 400


def test_one_token_per_client_id_and_a_fresh_one_after_expiry(local_backend: LocalBackend) -> None:
    first = anonymous_token(local_backend.url, "cid-1")
    assert set(first) == {"token", "user_id", "expires_at", "credits"}
    assert first["user_id"].startswith("anon_")
    assert first["expires_at"].endswith("Z")
    assert anonymous_token(local_backend.url, "cid-1")["token"] == first["token"]
    assert anonymous_token(local_backend.url, "cid-2")["token"] != first["token"]

    local_backend.expire_tokens()
    stale = httpx.get(
        f"{local_backend.url}/api/credits/balance/simple",
        headers={"Authorization": f"Bearer {first['token']}", **ATTRIBUTION},
    )
    assert stale.status_code == 200
    assert stale.json()["code"] == 1001
    again = anonymous_token(local_backend.url, "cid-1")
    assert again["token"] != first["token"]
    assert again["user_id"] == first["user_id"]


def test_unknown_or_missing_token_answers_1001(local_backend: LocalBackend) -> None:
    for headers in ({"Authorization": "Bearer nmv_usr_nope"}, {}):
        response = httpx.get(
            f"{local_backend.url}/api/credits/balance/simple", headers={**headers, **ATTRIBUTION}
        )
        assert (response.status_code, response.json()["code"]) == (200, 1001)


def test_sessions_and_1002(local_backend: LocalBackend) -> None:
    with client(local_backend.url) as http:
        created = data(
            http.post("/api/tasks/me/with-session/nemo_agent", json={"task_name": "p", "language": "en"})
        )
        assert created["session_id"].isdigit()
        assert created["task_id"].startswith("task_")
        user_id = created["user_id"]
        sid = created["session_id"]
        for user in ("me", user_id):
            state = data(http.get(f"/api/state/nemo_agent/{user}/{sid}/latest"))
            assert state["session_id"] == sid
            assert set(state["state"]) == {
                "draft",
                "video_infos",
                "canvas_config",
                "generated_media",
                "video_analyses",
            }
        assert http.get("/api/state/nemo_agent/me/123/latest").json()["code"] == 1002
    # another user's session is not found either
    with client(local_backend.url, "someone-else") as other:
        assert other.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["code"] == 1002


def test_credits_balance(local_backend: LocalBackend) -> None:
    with client(local_backend.url) as http:
        assert data(http.get("/api/credits/balance/simple")) == {
            "available": 1000,
            "frozen": 0,
            "total": 1000,
        }


def test_initial_credits_option(tmp_path: Path) -> None:
    with LocalBackend(tmp_path / "d", options=BackendOptions(initial_credits=100)) as backend:
        assert anonymous_token(backend.url)["credits"] == 100


def test_admin_routes_only_when_enabled(tmp_path: Path, local_backend: LocalBackend) -> None:
    assert httpx.get(f"{local_backend.url}/_admin/stats").status_code == 200
    with LocalBackend(tmp_path / "d") as backend:
        assert httpx.get(f"{backend.url}/_admin/stats").status_code == 404
        assert httpx.post(f"{backend.url}/_admin/faults", json={}).status_code == 404


def test_stats_count_requests_and_missing_attribution(local_backend: LocalBackend) -> None:
    with client(local_backend.url, attribution=False) as http:
        data(http.get("/api/credits/balance/simple"))
        new_session(http)
    stats = local_backend.stats
    assert stats.requests["credits"] == 1
    assert stats.requests["session"] == 1
    assert stats.missing_attribution["credits"] == 1
    assert stats.last_headers["authorization"] == "<redacted>"
    over_http = httpx.get(f"{local_backend.url}/_admin/stats").json()
    assert over_http["missing_attribution_total"] == 2  # credits and session (the token call had them)
    assert "nmv_usr_" not in str(over_http)


def test_restart_keeps_tokens_sessions_and_credits(tmp_path: Path) -> None:
    with LocalBackend(tmp_path / "d") as first:
        token = anonymous_token(first.url)
        with client(first.url) as http:
            sid = new_session(http)
    with LocalBackend(tmp_path / "d") as second:
        assert anonymous_token(second.url)["token"] == token["token"]
        with client(second.url) as http:
            assert data(http.get(f"/api/state/nemo_agent/me/{sid}/latest"))["session_id"] == sid
    assert (tmp_path / "d" / "tokens.json").stat().st_mode & 0o077 == 0


def test_foreign_host_headers_are_refused(local_backend: LocalBackend) -> None:
    refused = httpx.post(
        f"{local_backend.url}/api/auth/anonymous-token",
        headers={"X-Client-Id": "a", "Host": "evil.example", **ATTRIBUTION},
    )
    assert refused.status_code == 400
    assert "nmv_usr_" not in refused.text


def test_serve_forever_prints_where_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from nemo_mcp.local.runner import serve_forever; "
        "serve_forever(Path(sys.argv[1]))"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "d")], stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            prefix = "nemo-mcp local backend listening on "
            assert line.startswith(prefix), line
            url = line[len(prefix) :]
            assert url.startswith("http://127.0.0.1:")
            assert anonymous_token(url)["token"].startswith("nmv_usr_")
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
    assert (tmp_path / "d" / "tokens.json").is_file()


def test_leftovers_of_a_killed_process_are_removed_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    with LocalBackend(data_dir):
        pass
    leftovers = [
        data_dir / "uploads" / "123" / ".incoming-abc",
        data_dir / "clips" / ".x.mp4.abc.part",
        data_dir / ".tokens.json.abc.tmp",
        data_dir / "sessions" / ".1.json.abc.tmp",
    ]
    kept = data_dir / "clips" / "0123.mp4"
    for path in [*leftovers, kept]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    with LocalBackend(data_dir):
        pass
    assert [p for p in leftovers if p.exists()] == []
    assert kept.exists()
