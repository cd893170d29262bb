"""The fault plan: every effect produced over real HTTP, set from Python or through the admin route."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_mcp.local.faults import FaultPlanError
from nemo_mcp.local.runner import LocalBackend
from tests.local.helpers import (
    ATTRIBUTION,
    QUICK,
    client,
    credits,
    kinds,
    message_body,
    new_session,
    run_message,
    session_with_draft,
    sse_events,
    state,
    submit_render,
    upload,
)


def _ready_session(http: httpx.Client, image: Path) -> str:
    sid = new_session(http)
    upload(http, sid, image)
    return sid


# ---- generic effects ---------------------------------------------------------------------------------


def test_http_status_body_code_and_rate_limit(local_backend: LocalBackend) -> None:
    with client(local_backend.url) as http:
        local_backend.faults.add("credits", "http_status", 503, times=2)
        assert http.get("/api/credits/balance/simple").status_code == 503
        assert http.get("/api/credits/balance/simple").status_code == 503
        assert http.get("/api/credits/balance/simple").json()["code"] == 0

        local_backend.faults.add("session", "body_code", 1001)
        answer = http.post("/api/tasks/me/with-session/nemo_agent", json={})
        assert (answer.status_code, answer.json()["code"]) == (200, 1001)

        local_backend.faults.add("token", "rate_limit")
        limited = httpx.post(f"{local_backend.url}/api/auth/anonymous-token", headers={"X-Client-Id": "c"})
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "1"


def test_delay_lets_a_client_time_out(local_backend: LocalBackend) -> None:
    with client(local_backend.url) as http:
        local_backend.faults.add("credits", "delay", 1)
        with pytest.raises(httpx.ReadTimeout):
            http.get("/api/credits/balance/simple", timeout=0.2)
        assert http.get("/api/credits/balance/simple").json()["code"] == 0
    assert local_backend.stats.requests["credits"] == 2


def test_any_route_and_until_reset(local_backend: LocalBackend) -> None:
    with client(local_backend.url) as http:
        local_backend.faults.add("any", "body_code", 1002, times=None)
        for _ in range(3):
            assert http.get("/api/credits/balance/simple").json()["code"] == 1002
        local_backend.faults.reset()
        assert http.get("/api/credits/balance/simple").json()["code"] == 0


def test_admin_route_sets_the_same_plan(local_backend: LocalBackend) -> None:
    url = local_backend.url
    bad = httpx.post(f"{url}/_admin/faults", json={"rules": [{"route": "credits", "effect": "drop_after"}]})
    assert bad.status_code == 400
    rule = {"route": "credits", "effect": "body_code", "value": 2001, "times": 1}
    assert httpx.post(f"{url}/_admin/faults", json={"rules": [rule]}).status_code == 200
    assert local_backend.faults.rules()[0]["value"] == 2001
    with client(url) as http:
        assert http.get("/api/credits/balance/simple").json()["code"] == 2001
    assert httpx.get(f"{url}/_admin/faults").json()["rules"][0]["used"] == 1
    httpx.post(f"{url}/_admin/reset-faults")
    assert local_backend.faults.rules() == []


def test_rules_are_checked() -> None:
    from nemo_mcp.local.faults import make_rule

    with pytest.raises(FaultPlanError):
        make_rule("nowhere", "http_status", 500)
    with pytest.raises(FaultPlanError):
        make_rule("credits", "http_status", 200)
    with pytest.raises(FaultPlanError):
        make_rule("render_poll", "poll_variant", "xml")
    with pytest.raises(FaultPlanError):
        make_rule("upload", "cut_download")
    with pytest.raises(FaultPlanError):
        make_rule("credits", "delay", 0)
    with pytest.raises(FaultPlanError):
        make_rule("credits", "drop_after", 1)


# ---- run_sse -----------------------------------------------------------------------------------------


def test_drop_after_n_events_the_work_still_lands_once(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = _ready_session(http, sample_png)
        local_backend.faults.add("run_sse", "drop_after", 1)
        received: list[dict[str, Any]] = []
        with (
            pytest.raises(httpx.RemoteProtocolError),
            http.stream("POST", "/run_sse", json=message_body(sid, QUICK)) as response,
        ):
            received.extend(sse_events(response.iter_lines()))
        assert kinds(received) == ["text"]
        local_backend.wait_idle(60)
        assert len(state(http, sid)["generated_media"]) == 1
        assert credits(http)["available"] == 900
        assert local_backend.stats.messages_for(sid) == [QUICK]


def test_heartbeats_only_runs_nothing(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = _ready_session(http, sample_png)
        local_backend.faults.add("run_sse", "heartbeats_only")
        with http.stream("POST", "/run_sse", json=message_body(sid, QUICK)) as response:
            events = sse_events(response.iter_lines())
            assert [next(events)["type"] for _ in range(3)] == ["heartbeat"] * 3
        assert state(http, sid)["draft"] == {}
        assert credits(http) == {"available": 1000, "frozen": 0, "total": 1000}


def test_silent_completion_does_the_work_without_text(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = _ready_session(http, sample_png)
        local_backend.faults.add("run_sse", "silent")
        events = run_message(http, sid, QUICK)
        assert "text" not in kinds(events)
        assert state(http, sid)["draft"]["d"] == 1000


def test_error_event(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = _ready_session(http, sample_png)
        local_backend.faults.add("run_sse", "error_event")
        events = run_message(http, sid, QUICK)
        assert len(events) == 1
        assert "error" in events[0]
        assert credits(http)["available"] == 1000


def _raw_stream(http: httpx.Client, sid: str, text: str) -> list[bytes]:
    with http.stream("POST", "/run_sse", json=message_body(sid, text)) as response:
        return list(response.iter_raw())


def test_malformed_event(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = _ready_session(http, sample_png)
        local_backend.faults.add("run_sse", "malformed_event")
        raw = b"".join(_raw_stream(http, sid, "hello"))
    payloads = [line[5:].strip() for line in raw.split(b"\n") if line.startswith(b"data:")]
    broken = 0
    for payload in payloads:
        try:
            json.loads(payload)
        except ValueError:
            broken += 1
    assert broken == 1
    assert len(payloads) >= 2


def _http_chunks(url: str, path: str, headers: dict[str, str], body: bytes) -> list[bytes]:
    """POST over a raw socket and return the HTTP/1.1 chunks of the answer as the server framed them."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {parts.hostname}",
        "Connection: close",
        f"Content-Length: {len(body)}",
    ]
    head += [f"{name}: {value}" for name, value in headers.items()]
    request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
    received = bytearray()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(request)
        while data := sock.recv(65536):
            received.extend(data)
    _, _, rest = bytes(received).partition(b"\r\n\r\n")
    chunks = []
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        rest = rest[size + 2 :]
    return chunks


def test_split_events_are_written_in_pieces(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = _ready_session(http, sample_png)
        headers = {
            k: v for k, v in http.headers.items() if k.lower().startswith(("authorization", "x-skill"))
        }
    headers["Content-Type"] = "application/json"
    local_backend.faults.add("run_sse", "split_events")
    body = json.dumps(message_body(sid, QUICK)).encode()
    chunks = _http_chunks(local_backend.url, "/run_sse", headers, body)
    assert any(not chunk.endswith(b"\n\n") for chunk in chunks)  # cut mid-event
    assert any(chunk.startswith(b"dat") and not chunk.startswith(b"data:") for chunk in chunks)  # mid-line
    events = list(sse_events(iter(b"".join(chunks).decode().split("\n"))))
    assert kinds(events) == ["text", "tool_call", "tool_result", "text"]


def test_adk_shaped_events(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = _ready_session(http, sample_png)
        local_backend.faults.add("run_sse", "adk_events")
        events = run_message(http, sid, QUICK)
    parts = [part for event in events for part in event["content"]["parts"]]
    assert "text" in parts[0]
    assert parts[1]["functionCall"]["name"] == "animate_still_image_cpu"
    assert parts[2]["functionResponse"]["name"] == "animate_still_image_cpu"
    assert all(event["author"] for event in events)
    assert all("type" not in event for event in events)


# ---- renders -----------------------------------------------------------------------------------------


def test_submit_fail_then_a_new_id_works(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        local_backend.faults.add("render_submit", "submit_fail")
        failed = submit_render(http, sid, draft, "r1")
        assert failed.status_code == 500
        assert failed.json()["success"] is False
        assert submit_render(http, sid, draft, "r2").status_code == 200


def test_render_fail(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        local_backend.faults.add("render_submit", "render_fail")
        submit_render(http, sid, draft, "r1")
        local_backend.wait_idle(60)
        job = http.get("/api/render/proxy/lambda/r1").json()["data"]
        assert job["status"] == "failed"
        assert job["error"]


def test_poll_variants_and_completed_without_url(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        submit_render(http, sid, draft, "r1")
        local_backend.wait_idle(60)
        local_backend.faults.add("render_poll", "completed_without_url", times=2)
        for _ in range(2):
            body = http.get("/api/render/proxy/lambda/r1").json()
            assert body["data"]["status"] == "completed"
            assert "outputUrl" not in body["data"]
        assert "outputUrl" in http.get("/api/render/proxy/lambda/r1").json()["data"]

        local_backend.faults.add("render_poll", "poll_variant", "task_id")
        top = http.get("/api/render/proxy/lambda/r1").json()
        assert (top["taskId"], top["status"]) == ("r1", "completed")
        assert top["output"]["url"].endswith("/r1.mp4")
        assert top["output"]["size"] > 0

        local_backend.faults.add("render_poll", "poll_variant", "render_id")
        other = http.get("/api/render/proxy/lambda/r1").json()
        assert (other["render_id"], other["status"], other["error"]) == ("r1", "completed", None)
        assert other["output"]["url"].endswith("/r1.mp4")


def test_unreachable_url_and_cut_download(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        submit_render(http, sid, draft, "r1")
        local_backend.wait_idle(60)
        local_backend.faults.add("render_poll", "unreachable_url")
        url = http.get("/api/render/proxy/lambda/r1").json()["data"]["outputUrl"]
        with pytest.raises(httpx.ConnectError):
            httpx.get(url)
        full = http.get("/api/render/proxy/r1/download").content

        local_backend.faults.add("download", "cut_download")
        got = bytearray()
        with http.stream("GET", "/api/render/proxy/r1/download") as response:
            assert response.headers["content-length"] == str(len(full))
            with pytest.raises(httpx.RemoteProtocolError):
                _read_into(response, got)
        assert 0 < len(got) < len(full)
        assert http.get("/api/render/proxy/r1/download").content == full


def _read_into(response: httpx.Response, into: bytearray) -> None:
    for chunk in response.iter_raw():
        into.extend(chunk)


def test_stats_record_messages_and_headers(local_backend: LocalBackend) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        run_message(http, sid, "hello")
        run_message(http, sid, "hello again")
    stats = httpx.get(f"{local_backend.url}/_admin/stats").json()
    assert stats["messages"][sid] == ["hello", "hello again"]
    assert stats["requests"]["run_sse"] == 2
    assert stats["last_headers"]["x-skill-platform"] == ATTRIBUTION["X-Skill-Platform"]
