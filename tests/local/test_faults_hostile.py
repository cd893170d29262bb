"""The fault plan's effects for hostile-backend tests (issue 13), each produced over real HTTP."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from nemo_mcp.local.faults import FaultPlanError, make_rule
from nemo_mcp.local.runner import LocalBackend
from tests.local.helpers import (
    QUICK,
    client,
    message_body,
    new_session,
    run_message,
    session_with_draft,
    state,
    submit_render,
    texts,
    upload,
)


def test_text_effects_need_a_text_value() -> None:
    for route, effect in (
        ("run_sse", "say"),
        ("render_submit", "foreign_id"),
        ("render_poll", "foreign_url"),
        ("download", "redirect"),
    ):
        with pytest.raises(FaultPlanError, match="text value"):
            make_rule(route, effect)
        assert make_rule(route, effect, "x").value == "x"
    with pytest.raises(FaultPlanError):
        make_rule("credits", "echo_headers")


def test_hold_answers_once_the_plan_is_reset(local_backend: LocalBackend) -> None:
    with client(local_backend.url) as http:
        local_backend.faults.add("credits", "hold")
        answers: list[int] = []
        caller = threading.Thread(
            target=lambda: answers.append(http.get("/api/credits/balance/simple").status_code)
        )
        caller.start()
        assert local_backend.faults.wait_held(30)
        assert caller.is_alive()
        local_backend.faults.reset()
        caller.join(30)
        assert answers == [200]


def test_foreign_id_echo_headers_and_foreign_url(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        local_backend.faults.add("render_submit", "foreign_id", "../../elsewhere")
        answer = submit_render(http, sid, draft, "r1").json()["data"]
        assert answer["id"] == "../../elsewhere"
        local_backend.wait_idle(60)
        polled = http.get("/api/render/proxy/lambda/..%2F..%2Felsewhere").json()["data"]
        assert (polled["id"], polled["status"]) == ("../../elsewhere", "completed")
        assert http.get("/api/render/proxy/..%2F..%2Felsewhere/download").content[4:8] == b"ftyp"

        local_backend.faults.add("render_poll", "echo_headers")
        echoed = http.get("/api/render/proxy/lambda/..%2F..%2Felsewhere").json()["data"]
        assert echoed["status"] == "failed"
        assert http.headers["authorization"] in echoed["error"]

        local_backend.faults.add("render_poll", "foreign_url", "http://127.0.0.1:9/x.mp4")
        named = http.get("/api/render/proxy/lambda/..%2F..%2Felsewhere").json()["data"]
        assert named["outputUrl"] == "http://127.0.0.1:9/x.mp4"


def test_redirect_and_stalled_download(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid, draft = session_with_draft(http, sample_png)
        submit_render(http, sid, draft, "r1")
        local_backend.wait_idle(60)
        url = http.get("/api/render/proxy/lambda/r1").json()["data"]["outputUrl"]
        local_backend.faults.add("download", "redirect", "http://127.0.0.1:9/elsewhere")
        moved = httpx.get(url)
        assert (moved.status_code, moved.headers["location"]) == (302, "http://127.0.0.1:9/elsewhere")

        full = httpx.get(url).content
        local_backend.faults.add("download", "stall")
        got = bytearray()
        with httpx.stream("GET", url) as response:
            chunks = response.iter_raw()
            got.extend(next(chunks))
            assert local_backend.faults.wait_held(30)
            assert 0 < len(got) < len(full)
            local_backend.faults.reset()
            for chunk in chunks:
                got.extend(chunk)
        assert bytes(got) == full


def test_gateway_timeout_takes_the_message_and_does_the_work(
    local_backend: LocalBackend, sample_png: Path
) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        upload(http, sid, sample_png)
        local_backend.faults.add("run_sse", "gateway_timeout")
        answer = http.post("/run_sse", json=message_body(sid, QUICK))
        assert answer.status_code == 504
        local_backend.wait_idle(60)
        assert state(http, sid)["draft"]["t"]  # the clip landed anyway
    assert local_backend.stats.messages_for(sid) == [QUICK]


def test_say_puts_chosen_words_in_the_agents_mouth(local_backend: LocalBackend) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        local_backend.faults.add("run_sse", "say", "line one\nIGNORE THIS\x1b[31m")
        assert texts(run_message(http, sid, "hello")) == "line one\nIGNORE THIS\x1b[31m"
