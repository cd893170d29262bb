"""Wire models and envelopes: every variant of contract §8, and nothing but our own errors on junk."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_mcp.api.http import Failure, Who, error_for, read_answer
from nemo_mcp.api.wire import (
    Credits,
    RenderStatus,
    SessionInfo,
    TokenGrant,
    UploadAnswer,
    parse,
    parse_render,
    parse_state,
)
from nemo_mcp.errors import (
    ApiError,
    ClientIdMissingError,
    ExportBlockedError,
    FileTooLargeError,
    NemoError,
    NoCreditsError,
    RateLimitedError,
    SessionGoneError,
    TokenExpiredError,
    UnsupportedFileError,
)


def _answer(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode())


@pytest.mark.parametrize(
    "body",
    [
        {"code": 0, "data": {"available": 80}, "message": "ok"},
        {"success": True, "data": {"available": 80}},
        {"available": 80},
    ],
)
def test_three_envelopes_give_the_same_data(body: dict[str, Any]) -> None:
    data, failure = read_answer(_answer(200, body))
    assert failure is None
    assert parse(Credits, data, "credits").available == 80


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"code": 1001, "message": "expired"}, Failure(200, 1001)),
        (200, {"code": "1002"}, Failure(200, 1002)),
        (200, {"success": False, "error": "nope"}, Failure(200, None)),
        (500, {"success": False, "error": "x"}, Failure(500, None)),
        (401, None, Failure(401, None)),
        (200, "<html>", Failure(200, None)),
    ],
)
def test_failures_are_recognised(status: int, body: object, expected: Failure) -> None:
    response = (
        httpx.Response(status, content=b"<html>oops")
        if body == "<html>"
        else (_answer(status, body) if body is not None else httpx.Response(status))
    )
    assert read_answer(response) == (None, expected)


WHO = Who("https://nemovideo.com", "anon_abc", anonymous=True)


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (Failure(200, 1001), TokenExpiredError),
        (Failure(401), TokenExpiredError),
        (Failure(403), TokenExpiredError),
        (Failure(200, 1002), SessionGoneError),
        (Failure(200, 2001), NoCreditsError),
        (Failure(200, 4001), UnsupportedFileError),
        (Failure(200, 4002), FileTooLargeError),
        (Failure(402), ExportBlockedError),
        (Failure(429), RateLimitedError),
        (Failure(500), ApiError),
    ],
)
def test_one_mapping_for_every_code(failure: Failure, kind: type[NemoError]) -> None:
    error = error_for(failure, WHO)
    assert type(error) is kind
    assert error.message


def test_no_credits_gives_register_link_only_for_anonymous_users() -> None:
    anon = error_for(Failure(200, 2001), WHO)
    assert isinstance(anon, NoCreditsError)
    assert anon.register_url == "https://nemovideo.com/register?bind=anon_abc"
    assert "register?bind=anon_abc" in str(anon)
    registered = error_for(Failure(200, 2001), Who("https://nemovideo.com", "usr_1", anonymous=False))
    assert isinstance(registered, NoCreditsError)
    assert registered.register_url is None
    assert "Top up" in str(registered)


def test_400_on_token_call_is_missing_client_id() -> None:
    assert isinstance(error_for(Failure(400), WHO, token_call=True), ClientIdMissingError)
    assert type(error_for(Failure(400), WHO)) is ApiError


def test_export_blocked_is_not_about_credits() -> None:
    text = str(error_for(Failure(402), WHO)).lower()
    assert "register or upgrade" in text
    assert "not about credits" in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {
                "taskId": "r1",
                "status": "completed",
                "progress": 100,
                "output": {"url": "https://c/v.mp4", "duration": 5, "size": 9},
            },
            RenderStatus(
                render_id="r1",
                phase="completed",
                progress=100,
                output_url="https://c/v.mp4",
                duration_s=5,
                size_bytes=9,
            ),
        ),
        (
            {
                "success": True,
                "data": {
                    "id": "r2",
                    "status": "processing",
                    "progress": 40,
                    "outputUrl": None,
                    "createdAt": 1,
                },
            },
            RenderStatus(render_id="r2", phase="processing", progress=40),
        ),
        (
            {
                "success": True,
                "data": {"id": "r2", "status": "completed", "progress": 100, "outputUrl": "https://c/x.mp4"},
            },
            RenderStatus(render_id="r2", phase="completed", progress=100, output_url="https://c/x.mp4"),
        ),
        (
            {"render_id": "r3", "status": "failed", "output": {"url": None}, "error": "draft invalid"},
            RenderStatus(render_id="r3", phase="failed", error="draft invalid"),
        ),
        (
            {"render_id": "r4", "status": "done", "output": {"url": "/api/render/proxy/r4/download"}},
            RenderStatus(render_id="r4", phase="completed", output_url="/api/render/proxy/r4/download"),
        ),
        (
            {"id": "r5", "status": "QUEUED", "progress": "7"},
            RenderStatus(render_id="r5", phase="pending", progress=7),
        ),
        (
            {"id": "r6", "status": "completed", "progress": 250},
            RenderStatus(render_id="r6", phase="completed", progress=100),
        ),
        (
            {"id": "r7", "status": "canceled", "error": {"message": "by user"}},
            RenderStatus(render_id="r7", phase="cancelled", error="by user"),
        ),
    ],
)
def test_render_status_variants(body: dict[str, Any], expected: RenderStatus) -> None:
    data, failure = read_answer(_answer(200, body))
    assert failure is None
    assert parse_render(data) == expected


def test_completed_without_url_is_still_running() -> None:
    status = parse_render({"id": "r", "status": "completed", "progress": 100})
    assert not status.delivered
    assert not status.finished_badly
    assert parse_render({"id": "r", "status": "completed", "outputUrl": "javascript:x"}).output_url is None


@pytest.mark.parametrize("body", [{"id": "r"}, {"status": 5}, {"status": "exploded"}, [], "x", None])
def test_unreadable_render_status_is_our_error(body: object) -> None:
    with pytest.raises(ApiError, match="cannot read"):
        parse_render(body)


def test_token_and_session_variants() -> None:
    full = parse(
        TokenGrant,
        {
            "token": "nmv_usr_secret",
            "user_id": "anon_1",
            "expires_at": "2026-03-18T00:00:00Z",
            "credits": 100,
        },
        "token",
    )
    assert full.expires_at is not None
    assert full.expires_at.year == 2026
    assert "nmv_usr_secret" not in repr(full)
    short = parse(TokenGrant, {"token": "nmv_usr_x", "credits": 100}, "token")
    assert short.user_id is None
    assert short.expires_at is None
    assert parse(TokenGrant, {"token": "t", "expires_at": 1773792000}, "token").expires_at is not None
    with pytest.raises(ApiError):
        parse(TokenGrant, {"credits": 100}, "token")
    assert parse(SessionInfo, {"task_id": "task_1", "session_id": 5529798706024415232}, "s").session_id == (
        "5529798706024415232"
    )
    assert parse(SessionInfo, {"session_id": "5", "user_id": "anon_9"}, "s").user_id == "anon_9"


def test_state_and_upload_answers_are_lenient() -> None:
    state = parse_state(
        {
            "session_id": "5",
            "task_id": "task_1",
            "state": {
                "draft": {"t": []},
                "video_infos": {"a": {"filename": "x.png"}},
                "generated_media": "junk",
            },
        }
    )
    assert state.state.video_infos == [{"filename": "x.png"}]
    assert state.state.generated_media == []
    assert parse_state({"draft": {"t": [1]}}).state.draft == {"t": [1]}
    upload = parse(UploadAnswer, {"files": [{"filename": "a.png", "width": "4000", "duration": None}]}, "u")
    assert upload.files[0].width == 4000
    assert Credits(available=80, frozen=20).total_or_sum == 100


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda c: (
        st.lists(c, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "code",
                    "data",
                    "success",
                    "status",
                    "id",
                    "taskId",
                    "render_id",
                    "output",
                    "url",
                    "outputUrl",
                    "progress",
                    "error",
                    "token",
                    "session_id",
                    "files",
                    "state",
                    "draft",
                    "available",
                    "expires_at",
                ]
            ),
            c,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(json_values, st.sampled_from([200, 400, 401, 402, 429, 500]))
def test_fuzz_answers_only_ever_raise_our_errors(body: object, status: int) -> None:
    data, failure = read_answer(httpx.Response(status, content=json.dumps(body).encode()))
    if failure is not None:
        assert isinstance(error_for(failure, WHO), NemoError)
        return
    for model in (TokenGrant, SessionInfo, UploadAnswer, Credits):
        with contextlib.suppress(ApiError):
            parse(model, data, "x")
    for fn in (parse_state, parse_render):
        with contextlib.suppress(ApiError):
            fn(data)
