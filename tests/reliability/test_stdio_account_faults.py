"""Auth, session, rate-limit, credit and plan faults, met by one `nemo-mcp serve` process over stdio.

The backend is a LocalBackend in this test process: its fault plan is set here and its stats are read here,
while the server runs in its own process and talks real HTTP to it.
"""

from __future__ import annotations

import re
import socket
import stat
import time
from pathlib import Path

import pytest

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import LocalBackend
from tests.reliability.helpers import error, ok, server_env, stdio_server, tool

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SHORT = "animate this image into a 1-second video clip"


async def test_token_session_rate_limit_credit_and_plan_faults_over_stdio(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    env = server_env(tmp_path, local_backend.url)
    faults = local_backend.faults

    def requests(route: str) -> int:
        return local_backend.stats.requests.get(route, 0)

    async with stdio_server(env, tmp_path) as client:
        assert ok(await tool(client, "get_credits"))["available"] > 0
        assert requests("token") == 1

        # Token expired mid-session, as body code 1001 with a real expired token, then as HTTP 401:
        # renewed once, the call answers normally, nothing of it reaches the person.
        local_backend.expire_tokens()
        renewed = await tool(client, "get_credits")
        assert ok(renewed)["available"] > 0
        assert requests("token") == 2
        faults.add("credits", "http_status", 401)
        assert ok(await tool(client, "get_credits"))["available"] > 0
        assert requests("token") == 3

        # 429 on a normal call: one retry after the (configured) wait; twice in a row: a clear error.
        faults.add("credits", "rate_limit")
        before = requests("credits")
        assert ok(await tool(client, "get_credits"))["available"] > 0
        assert requests("credits") == before + 2
        faults.add("credits", "rate_limit", times=2)
        assert "rate limiting" in error(await tool(client, "get_credits"))
        assert requests("credits") == before + 4

        # 429 on the token call: the same.
        local_backend.expire_tokens()
        faults.add("token", "rate_limit")
        assert ok(await tool(client, "get_credits"))["available"] > 0
        assert requests("token") == 5
        local_backend.expire_tokens()
        faults.add("token", "rate_limit", times=2)
        assert "rate limiting" in error(await tool(client, "get_credits"))
        assert requests("token") == 7
        # Session gone (1002) on upload: a new session, and the person is told to upload again.
        first = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
        faults.add("upload", "body_code", 1002)
        moved = ok(await tool(client, "upload", {"source": str(sample_png), "session_id": first}))
        assert moved["session_id"] != first
        assert moved["notice"] is not None
        assert "upload them again" in moved["notice"]
        sid = moved["session_id"]
        # ...and on a read: a clear error that names the new session and the lost uploads.
        faults.add("state", "body_code", 1002)
        gone = error(await tool(client, "get_state", {"session_id": sid}))
        assert "new session" in gone
        assert "upload your files again" in gone

        # No credits (2001): the registration link, and the message is not sent again.
        sid = ok(await tool(client, "upload", {"source": str(sample_png)}))["session_id"]
        faults.add("run_sse", "body_code", 2001)
        before = requests("run_sse")
        broke = error(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))
        assert re.search(r"/register\?bind=anon_\w+", broke), broke
        assert requests("run_sse") == before + 1

        # Export blocked by plan (402): "register or upgrade", not a word about credits being short.
        assert ok(await tool(client, "animate_image", {"instruction": SHORT, "session_id": sid}))[
            "status"
        ] == ("done")
        faults.add("render_submit", "http_status", 402)
        blocked = error(await tool(client, "export", {"session_id": sid}))
        assert "register or upgrade" in blocked
        assert "not enough credits" not in blocked.lower()
        assert requests("render_submit") == 1
        assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []

    # The token cache the server wrote is private; the config folder is not open to others.
    settings = Settings.from_env(env, cwd=tmp_path)
    assert stat.S_IMODE(settings.token_cache_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.config_dir.stat().st_mode) & 0o022 == 0
    assert local_backend.stats.missing_attribution_total == 0


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize("failure", ["connection-refused", "dns-failure"])
async def test_an_unreachable_api_is_a_clear_error_within_seconds_over_stdio(
    tmp_path: Path, failure: str
) -> None:
    # A loopback port nobody listens on; a name that never resolves (.invalid is reserved, RFC 6761).
    url = (
        f"http://127.0.0.1:{_dead_port()}"
        if failure == "connection-refused"
        else "http://nemo-mcp-test.invalid"
    )
    async with stdio_server(server_env(tmp_path, url), tmp_path) as client:
        started = time.monotonic()
        message = error(await tool(client, "get_credits"))
        assert time.monotonic() - started < 5
        assert f"Cannot reach the NemoVideo API at {url}" in message
