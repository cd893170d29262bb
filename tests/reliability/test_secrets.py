"""A full session over stdio with a known token at DEBUG logging: the token shows up nowhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp.types import CallToolResult, TextResourceContents

from nemo_mcp.local.runner import LocalBackend
from tests.local.helpers import anonymous_token
from tests.reliability.helpers import error, ok, server_env, stdio_server
from tests.server.conftest import Progress, probe_clip, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SHORT = "animate this image into a 1-second video clip"


async def test_the_token_never_reaches_a_result_a_progress_message_a_log_line_or_an_error(
    tmp_path: Path, local_backend: LocalBackend, sample_png: Path
) -> None:
    # A real token of the backend (the server must be able to work with it), known to the test.
    token = anonymous_token(local_backend.url, "canary-client")["token"]
    assert token.startswith("nmv_usr_")
    assert len(token) > 20
    env = server_env(tmp_path, local_backend.url, NEMO_TOKEN=token)
    faults = local_backend.faults
    seen: list[str] = []
    progress = Progress()
    stderr_path = tmp_path / "server-stderr.log"

    def keep(result: CallToolResult) -> CallToolResult:
        seen.append(text_of(result))
        seen.append(json.dumps(result.structured_content))
        return result

    with stderr_path.open("w") as errlog:
        async with stdio_server(env, tmp_path, args=("-v", "serve"), errlog=errlog) as client:

            async def call(name: str, arguments: dict[str, Any]) -> CallToolResult:
                return keep(await client.call_tool(name, arguments, progress_callback=progress))

            sid = ok(await call("upload", {"source": str(sample_png)}))["session_id"]
            assert ok(await call("animate_image", {"instruction": SHORT}))["status"] == "done"
            ok(await call("get_state", {"session_id": sid}))
            ok(await call("get_credits", {}))
            exported = ok(await call("export", {"session_id": sid}))
            exported_path = exported["path"]
            for uri in (f"nemo://sessions/{sid}/state", "nemo://exports"):
                for content in (await client.read_resource(uri)).contents:
                    assert isinstance(content, TextResourceContents)
                    seen.append(content.text)

            # Failures of every kind, each with its message text.
            for route, effect, value, tool_name, arguments, expected in (
                (
                    "run_sse",
                    "error_event",
                    None,
                    "animate_image",
                    {"instruction": "make it 2 s"},
                    "reported an error",
                ),
                ("credits", "http_status", 500, "get_credits", {}, "HTTP 500"),
                ("credits", "rate_limit", None, "get_credits", {}, "rate limiting"),
                ("render_submit", "http_status", 402, "export", {"session_id": sid}, "register or upgrade"),
                ("state", "body_code", 1002, "get_state", {"session_id": sid}, "new session"),
            ):
                faults.reset()
                faults.add(route, effect, value, times=None)
                assert expected in error(await call(tool_name, arguments))
            faults.reset()
            # The given token expires: it cannot be renewed, and the error names NEMO_TOKEN, not its value.
            local_backend.expire_tokens()
            expired = error(await call("get_credits", {}))
            assert "NEMO_TOKEN" in expired
            error(await call("upload", {"source": "/etc/hostname"}))

    assert probe_clip(Path(exported_path)).size_bytes > 0
    log = stderr_path.read_text()
    assert " DEBUG " in log  # the server really logged at every level
    assert " INFO " in log
    everything = "\n".join([*seen, *progress.messages, log])
    assert len(progress.messages) >= 5
    for piece in (token, token[len("nmv_usr_") :], token[-12:]):
        assert piece not in everything
    # the server worked with the given token and never asked for another one
    assert local_backend.stats.requests.get("token", 0) == 1  # only the test's own call above
