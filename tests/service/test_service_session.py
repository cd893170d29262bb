"""NemoService against the local backend over real HTTP: auth, sessions, uploads and the errors of §6."""

from __future__ import annotations

import json
import logging
import re
import socket
import stat
import time
from pathlib import Path

import pytest

from nemo_mcp.config import Settings
from nemo_mcp.errors import (
    ApiError,
    ClientIdMissingError,
    ConnectionFailedError,
    FileTooLargeError,
    InputError,
    NemoError,
    NoCreditsError,
    PathNotAllowedError,
    RateLimitedError,
    SessionGoneError,
    TokenExpiredError,
    UnknownSessionError,
    UnsupportedFileError,
)
from nemo_mcp.local.runner import BackendOptions, LocalBackend
from nemo_mcp.service.facade import NemoService
from tests.service.conftest import FAST, Recorder

pytestmark = pytest.mark.anyio


def _size(path: Path) -> int:
    return path.stat().st_size


def _token(settings: Settings) -> str:
    entries = json.loads(settings.token_cache_file.read_text())
    token: str = entries[settings.api_url]["token"]
    return token


async def test_first_use_creates_client_id_token_cache_and_session(
    service: NemoService,
    local_settings: Settings,
    local_backend: LocalBackend,
    sample_png: Path,
    progress: Recorder,
) -> None:
    assert not (await service.workspace.latest_id())
    outcome = await service.uploads.upload([str(sample_png)], progress=progress)
    assert outcome.session_id == (await service.workspace.latest_id())
    (uploaded,) = outcome.files
    assert (uploaded.file_type, uploaded.width, uploaded.height) == ("image", 640, 480)
    assert uploaded.size_bytes == _size(sample_png)
    assert outcome.notice is None
    assert progress.messages[0].startswith("uploading 'sample.png'")  # a file's name, quoted
    assert progress.fractions == sorted(progress.fractions)

    assert local_settings.client_id_file.read_text().strip()
    assert stat.S_IMODE(local_settings.token_cache_file.stat().st_mode) == 0o600
    assert not stat.S_IMODE(local_settings.config_dir.stat().st_mode) & 0o022
    stats = local_backend.stats
    assert stats.requests["token"] == 1
    assert stats.requests["session"] == 1
    assert stats.missing_attribution_total == 0
    assert stats.last_headers["x-skill-source"] == "image-to-video-low-vram"


async def test_cached_token_survives_a_restart(local_settings: Settings, local_backend: LocalBackend) -> None:
    async with NemoService.open(local_settings, tuning=FAST) as first:
        await first.credits()
    client_id = local_settings.client_id_file.read_text()
    async with NemoService.open(local_settings, tuning=FAST) as second:
        credits = await second.credits()
    assert credits.available > 0
    assert local_backend.stats.requests["token"] == 1
    assert local_settings.client_id_file.read_text() == client_id


async def test_sessions_survive_a_restart_and_unknown_ids_are_refused(
    local_settings: Settings, sample_png: Path
) -> None:
    async with NemoService.open(local_settings, tuning=FAST) as first:
        sid = (await first.uploads.upload([str(sample_png)])).session_id
    async with NemoService.open(local_settings, tuning=FAST) as second:
        assert (await second.workspace.latest_id()) == sid
        assert (await second.state(sid)).session_id == sid
        with pytest.raises(UnknownSessionError, match="Unknown session id '999'"):
            await second.state("999")
    other = local_settings.with_api_url("http://127.0.0.1:9")
    async with NemoService.open(other, tuning=FAST) as elsewhere:
        with pytest.raises(UnknownSessionError):
            await elsewhere.state(sid)


async def test_state_before_any_session_is_a_clear_error(service: NemoService) -> None:
    with pytest.raises(UnknownSessionError, match="no session yet"):
        await service.state()


async def test_expired_token_mid_session_is_renewed_with_the_same_client_id(
    service: NemoService, local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    await service.uploads.upload([str(sample_png)])
    old = _token(local_settings)
    client_id = local_settings.client_id_file.read_text()
    local_backend.expire_tokens()
    state = await service.state()
    assert state.session_id == (await service.workspace.latest_id())
    assert local_backend.stats.requests["token"] == 2
    assert _token(local_settings) != old
    assert local_settings.client_id_file.read_text() == client_id


@pytest.mark.parametrize("status", [401, 403])
async def test_http_401_403_renew_the_token_once(
    service: NemoService, local_backend: LocalBackend, status: int
) -> None:
    await service.credits()
    local_backend.faults.add("credits", "http_status", status)
    assert (await service.credits()).available > 0
    assert local_backend.stats.requests["token"] == 2


async def test_a_token_refused_twice_is_a_clear_error(
    service: NemoService, local_backend: LocalBackend
) -> None:
    await service.credits()
    local_backend.faults.add("credits", "body_code", 1001, times=2)
    with pytest.raises(TokenExpiredError):
        await service.credits()


async def test_given_token_is_never_replaced(local_settings: Settings, local_backend: LocalBackend) -> None:
    settings = Settings(**{**local_settings.__dict__, "token": "nmv_usr_not_valid_anywhere"})
    async with NemoService.open(settings, tuning=FAST) as svc:
        with pytest.raises(TokenExpiredError, match="NEMO_TOKEN") as caught:
            await svc.credits()
    assert "nmv_usr_not_valid_anywhere" not in str(caught.value)
    assert local_backend.stats.requests.get("token", 0) == 0


async def test_session_gone_on_upload_moves_to_a_new_session_with_a_notice(
    service: NemoService, local_backend: LocalBackend, sample_png: Path
) -> None:
    old = (await service.uploads.upload([str(sample_png)])).session_id
    local_backend.faults.add("upload", "body_code", 1002)
    outcome = await service.uploads.upload([str(sample_png)])
    assert outcome.session_id != old
    assert outcome.notice is not None
    assert "upload them again" in outcome.notice
    assert (await service.workspace.latest_id()) == outcome.session_id
    # the old id still leads somewhere useful: the session that replaced it
    assert (await service.state(old)).session_id == outcome.session_id


async def test_session_gone_on_state_says_uploads_are_gone(
    service: NemoService, local_backend: LocalBackend, sample_png: Path
) -> None:
    old = (await service.uploads.upload([str(sample_png)])).session_id
    local_backend.faults.add("state", "body_code", 1002)
    with pytest.raises(SessionGoneError, match="new session") as caught:
        await service.state()
    assert "upload your files again" in str(caught.value)
    assert (await service.workspace.latest_id()) not in (None, old)


@pytest.mark.parametrize(
    ("code", "error"), [(4001, UnsupportedFileError), (4002, FileTooLargeError), (2001, NoCreditsError)]
)
async def test_upload_refusals_map_to_their_errors(
    service: NemoService, local_backend: LocalBackend, sample_png: Path, code: int, error: type[Exception]
) -> None:
    local_backend.faults.add("upload", "body_code", code)
    with pytest.raises(error):
        await service.uploads.upload([str(sample_png)])


async def test_no_credits_gives_the_registration_link(
    service: NemoService, local_backend: LocalBackend, sample_png: Path
) -> None:
    await service.uploads.upload([str(sample_png)])
    local_backend.faults.add("run_sse", "body_code", 2001)
    with pytest.raises(NoCreditsError) as caught:
        await service.turns.send("animate this image")
    assert caught.value.register_url is not None
    assert "/register?bind=anon_" in caught.value.register_url
    credits = await service.credits()
    assert credits.anonymous
    assert credits.register_url == caught.value.register_url


async def test_rate_limit_waits_and_retries_reads_once(
    service: NemoService, local_backend: LocalBackend
) -> None:
    local_backend.faults.add("credits", "rate_limit")
    assert (await service.credits()).total > 0
    local_backend.faults.add("credits", "rate_limit", times=2)
    with pytest.raises(RateLimitedError, match="rate limiting"):
        await service.credits()


async def test_rate_limit_on_the_token_call_is_retried_once(
    service: NemoService, local_backend: LocalBackend
) -> None:
    local_backend.faults.add("token", "rate_limit", times=2)
    with pytest.raises(RateLimitedError):
        await service.credits()
    assert local_backend.stats.requests["token"] == 2
    local_backend.faults.add("token", "rate_limit")
    assert (await service.credits()).available > 0
    assert local_backend.stats.requests["token"] == 4


async def test_a_message_is_never_retried_after_429(
    service: NemoService, local_backend: LocalBackend, sample_png: Path
) -> None:
    sid = (await service.uploads.upload([str(sample_png)])).session_id
    local_backend.faults.add("run_sse", "rate_limit")
    with pytest.raises(RateLimitedError):
        await service.turns.send("animate this image")
    assert local_backend.stats.requests["run_sse"] == 1
    assert local_backend.stats.messages_for(sid) == []


async def test_missing_client_id_answer(service: NemoService, local_backend: LocalBackend) -> None:
    local_backend.faults.add("token", "http_status", 400)
    with pytest.raises(ClientIdMissingError, match="client id"):
        await service.credits()


async def test_unknown_host_fails_fast_and_clearly(local_settings: Settings) -> None:
    settings = local_settings.with_api_url("http://nemo-mcp-test.invalid")
    started = time.monotonic()
    async with NemoService.open(settings, tuning=FAST) as svc:
        with pytest.raises(
            ConnectionFailedError,
            match=re.escape("Cannot reach the NemoVideo API at http://nemo-mcp-test.invalid"),
        ):
            await svc.credits()
    assert time.monotonic() - started < 10


async def test_unreachable_api_fails_fast_and_clearly(local_settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = local_settings.with_api_url(f"http://127.0.0.1:{port}")
    started = time.monotonic()
    async with NemoService.open(settings, tuning=FAST) as svc:
        with pytest.raises(
            ConnectionFailedError, match=f"Cannot reach the NemoVideo API at http://127.0.0.1:{port}"
        ):
            await svc.credits()
    assert time.monotonic() - started < 5


async def test_bad_input_is_refused_before_anything_is_sent(
    service: NemoService, local_backend: LocalBackend, tmp_path: Path
) -> None:
    fake = tmp_path / "fake.png"
    fake.write_text("not an image")
    with pytest.raises(UnsupportedFileError):
        await service.uploads.upload([str(fake)])
    with pytest.raises(PathNotAllowedError):
        await service.uploads.upload(["/etc/hostname"])
    with pytest.raises(InputError, match="http"):
        await service.uploads.upload(["ftp://example.com/a.png"])
    with pytest.raises(InputError):
        await service.uploads.upload([])
    with pytest.raises(InputError):
        await service.turns.send("   ")
    assert local_backend.stats.requests == {}


async def test_token_never_in_logs_or_errors(
    service: NemoService,
    local_settings: Settings,
    local_backend: LocalBackend,
    sample_png: Path,
    caplog: pytest.LogCaptureFixture,
    progress: Recorder,
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    await service.uploads.upload([str(sample_png)], progress=progress)
    tokens = [_token(local_settings)]
    local_backend.expire_tokens()
    texts.append(repr(await service.state()))
    texts.append(repr(await service.credits()))
    local_backend.faults.add("run_sse", "error_event")
    for fault in [("credits", "http_status", 500), ("credits", "rate_limit")]:
        local_backend.faults.add(*fault, times=2)  # type: ignore[arg-type]
        with pytest.raises(NemoError) as caught:
            await service.credits()
        texts += [str(caught.value), repr(caught.value)]
    with pytest.raises(NemoError) as caught:
        await service.turns.send("hello")
    texts += [
        str(caught.value),
        repr(caught.value),
        repr(service),
        repr(service.workspace.client),
        repr(local_settings),
    ]
    turn = await service.turns.send("animate this image into a 1-second video clip", progress=progress)
    exported = await service.exports.export(progress=progress)
    texts += [repr(turn), repr(exported)]
    tokens.append(_token(local_settings))
    assert tokens[0] != tokens[1]
    everything = "\n".join([*texts, caplog.text, *progress.messages])
    assert "Bearer" not in caplog.text
    for token in tokens:
        assert token not in everything
        assert token[-12:] not in everything


async def test_new_session_on_request_becomes_the_latest(
    service: NemoService, local_backend: LocalBackend
) -> None:
    first = await service.workspace.new_session()
    second = await service.workspace.new_session()
    assert first != second
    assert (await service.workspace.latest_id()) == second
    assert (await service.state(first)).session_id == first
    assert (await service.workspace.latest_id()) == first  # naming a session makes it the latest again
    assert local_backend.stats.requests["session"] == 2


async def test_url_uploads(local_settings: Settings, sample_png: Path, tmp_path: Path) -> None:
    options = BackendOptions(admin=True, allow_private_urls=True)
    with LocalBackend(tmp_path / "url-backend", options=options) as backend:
        settings = local_settings.with_api_url(backend.url)
        async with NemoService.open(settings, tuning=FAST) as svc:
            first = await svc.uploads.upload([str(sample_png)])
            url = first.files[0].url
            assert url is not None
            outcome = await svc.uploads.upload([url, str(sample_png)])
    fetched, local = outcome.files
    assert (fetched.file_type, fetched.width, fetched.height) == ("image", 640, 480)
    assert fetched.url is not None
    assert (local.filename, local.size_bytes) == ("sample.png", _size(sample_png))


async def test_url_the_backend_will_not_fetch(service: NemoService, local_backend: LocalBackend) -> None:
    with pytest.raises(ApiError, match="could not fetch that URL"):
        await service.uploads.upload([f"{local_backend.url}/files/uploads/1/x.png"])


async def test_a_token_whose_expiry_looks_past_is_used_until_refused(
    local_settings: Settings, tmp_path: Path
) -> None:
    options = BackendOptions(admin=True, token_ttl_s=30)  # inside our 5-minute safety margin
    with LocalBackend(tmp_path / "short-ttl", options=options) as backend:
        async with NemoService.open(local_settings.with_api_url(backend.url), tuning=FAST) as svc:
            for _ in range(3):
                await svc.credits()
        assert backend.stats.requests["token"] == 1
