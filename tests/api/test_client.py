"""NemoClient: headers, the token path, run_sse refusals (over the local backend), and malformed
answers no real backend would send (httpx.MockTransport, one answer each)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from nemo_mcp import __version__
from nemo_mcp.api.client import NemoClient
from nemo_mcp.api.events import TextEvent
from nemo_mcp.api.headers import platform_for
from nemo_mcp.api.http import LazyHttpClient
from nemo_mcp.config import Settings
from nemo_mcp.errors import ApiError
from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.service.facade import NemoService

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("source", "client", "expected"),
    [
        ("ClawHub", "cursor", "clawhub"),
        (None, "claude-ai", "claude-desktop"),
        (None, "Claude Desktop", "claude-desktop"),
        (None, "claude-code", "claude-code"),
        (None, "Cursor IDE", "cursor"),
        (None, "some-new-client", "unknown"),
        (None, None, "unknown"),
        ("  ", None, "unknown"),
        ("weird value ✓", None, "weird-value"),
    ],
)
def test_platform(source: str | None, client: str | None, expected: str) -> None:
    assert platform_for(source, client) == expected


async def test_attribution_headers_on_every_call(
    local_settings: Settings, local_backend: LocalBackend
) -> None:
    async with httpx.AsyncClient() as http:
        client = NemoClient(http, local_settings, client_name="claude-ai")
        session = await client.create_session()
        await client.state(session.session_id)
        await client.credits()
    stats = local_backend.stats
    assert stats.missing_attribution_total == 0
    assert stats.last_headers["x-skill-platform"] == "claude-desktop"
    assert stats.last_headers["x-skill-version"] == __version__
    assert "nmv" not in json.dumps(stats.as_dict())


async def test_the_http_client_is_made_on_the_first_request_and_closed_by_aclose(
    local_settings: Settings,
) -> None:
    http = LazyHttpClient()
    client = NemoClient(http, local_settings)
    before = http.made
    await client.credits()
    made = http.made
    assert before is None, "building the client must not make the httpx client (33-44 ms)"
    assert made is not None
    assert not made.is_closed
    await client.credits()
    assert http.made is made, "one httpx client for every request"
    await http.aclose()
    assert made.is_closed


async def test_the_service_closes_the_http_client_it_made(local_settings: Settings) -> None:
    async with NemoService.open(local_settings) as service:
        await service.credits()
        made = service.workspace.client.http.made
        assert made is not None
    assert made.is_closed


async def test_a_given_http_client_is_used_and_never_closed(
    local_settings: Settings, local_backend: LocalBackend
) -> None:
    async with httpx.AsyncClient() as http:
        async with NemoService.open(local_settings, http=http) as service:
            await service.credits()
        assert not http.is_closed
        assert local_backend.stats.requests["credits"] == 1


async def test_run_sse_refused_for_the_token_is_sent_again_once(
    local_settings: Settings, local_backend: LocalBackend
) -> None:
    async with httpx.AsyncClient() as http:
        client = NemoClient(http, local_settings)
        session = await client.create_session()
        local_backend.faults.add("run_sse", "body_code", 1001)
        async with client.run_sse(session.session_id, "hello") as events:
            texts = [e.text async for e in events if isinstance(e, TextEvent)]
    assert texts
    assert local_backend.stats.requests["run_sse"] == 2
    assert local_backend.stats.requests["token"] == 2
    assert local_backend.stats.messages_for(session.session_id) == ["hello"]


async def test_token_answer_without_a_token(isolated_env: Path) -> None:
    settings = Settings(api_url="http://api.test", config_dir=isolated_env / "cfg")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "data": {"credits": 100}})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(ApiError, match="token answer nemo-mcp cannot read"):
            await NemoClient(http, settings).ensure_token()


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b"<html>maintenance</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"code": 0, "data": "nope"}),
    ],
)
async def test_unreadable_credit_answers(answer: httpx.Response) -> None:
    settings = Settings(api_url="http://api.test", token="nmv_usr_given")
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda _r: answer)) as http:
        with pytest.raises(ApiError):
            await NemoClient(http, settings).credits()


async def test_odd_numbers_in_credits_read_as_zero() -> None:
    settings = Settings(api_url="http://api.test", token="nmv_usr_given")
    answer = httpx.Response(200, json={"code": 0, "data": {"available": {"nested": True}, "frozen": "7"}})
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda _r: answer)) as http:
        credits = await NemoClient(http, settings).credits()
    assert (credits.available, credits.frozen, credits.total_or_sum) == (0.0, 7.0, 7.0)


async def test_unreadable_render_status() -> None:
    settings = Settings(api_url="http://api.test", token="nmv_usr_given")
    answer = httpx.Response(200, json={"success": True, "data": {"id": "r", "status": "teleported"}})
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda _r: answer)) as http:
        with pytest.raises(ApiError, match="render status nemo-mcp cannot read"):
            await NemoClient(http, settings).render_status("r")


async def test_sse_body_of_garbage_bytes_yields_nothing_and_ends() -> None:
    settings = Settings(api_url="http://api.test", token="nmv_usr_given")
    body = b'data: \xff\xfe{not json\n\ndata: {"type":"text","content":"ok"}\n\n\x00\x01garbage'
    answer = httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(lambda _r: answer)) as http,
        NemoClient(http, settings).run_sse("1", "hi") as events,
    ):
        got = [e async for e in events]
    assert got == [TextEvent("ok")]


async def test_the_token_goes_only_to_the_api_host() -> None:
    settings = Settings(api_url="http://api.test", token="nmv_usr_given")
    seen: dict[str, str | None] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request.headers.get("authorization")
        return httpx.Response(200, content=b"\x00\x00\x00\x18ftypisom")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = NemoClient(http, settings)
        # A CDN on a public address (a literal: a name would need DNS, and private ones are refused).
        for url in ("https://93.184.215.14/v.mp4", "/api/render/proxy/r/download"):
            async with client.download(url) as response:
                await response.aread()
    assert seen == {"93.184.215.14": None, "api.test": "Bearer nmv_usr_given"}


async def test_a_message_whose_connection_breaks_before_any_answer_counts_as_dropped() -> None:
    """A server that reads the request and hangs up: the message may have arrived, so it is never re-sent."""
    import asyncio

    from nemo_mcp.errors import ConnectionFailedError, StreamDroppedError

    requests = 0

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal requests
        requests += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = Settings(api_url=f"http://127.0.0.1:{port}", token="nmv_usr_given")
    async with server, httpx.AsyncClient() as http:
        client = NemoClient(http, settings)
        with pytest.raises(StreamDroppedError, match="dropped while sending the message"):
            async with client.run_sse("1", "hi") as events:
                _ = [e async for e in events]
        assert requests == 1
        with pytest.raises(ConnectionFailedError, match="failed"):
            await client.credits()
        assert requests == 3  # a read is tried once more


def test_redact_removes_the_token_and_anything_shaped_like_a_credential() -> None:
    from nemo_mcp.api.http import redact

    echoed = "authorization: Bearer nmv_usr_SECRETsecret123\nx-other: nmv_usr_OTHERother456 and 'Bearer abc'"
    clean = redact(echoed, "nmv_usr_SECRETsecret123")
    assert "SECRET" not in clean
    assert "OTHER" not in clean
    assert "abc" not in clean
    assert "Bearer ***" in clean
