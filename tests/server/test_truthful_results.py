"""Results say exactly what was done (issue 11), through a real MCP client on the local backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.service.intent import SETTINGS_PREFIX
from tests.server.conftest import call_ok

pytestmark = pytest.mark.anyio

FIRST = "animate this image into a 1-second video clip"


async def _first_clip(client: Client, sample_png: Path) -> str:
    done = await call_ok(client, "animate_image", {"instruction": FIRST, "image": str(sample_png)})
    assert done["status"] == "done", done
    return str(done["session_id"])


async def test_a_turn_that_changed_nothing_says_so_and_does_not_suggest_exporting(
    client: Client, sample_png: Path
) -> None:
    sid = await _first_clip(client, sample_png)
    same = await call_ok(client, "animate_image", {"instruction": "hello, how are you?", "session_id": sid})
    assert same["status"] == "unchanged", same
    assert same["changes"] == []
    assert same["not_done"] == []
    assert "Nothing in the clip changed" in same["message"]
    assert "export(" not in same["next_step"]
    assert same["reply"]  # the agent's own words come back
    assert "reply holds the video agent's own words" in same["message"]  # outside words stay in reply
    state = await call_ok(client, "get_state", {"session_id": sid})
    assert state["status"] == "ready"
    assert state["finished_turn"] is None  # collected by the call that waited for it


async def test_a_first_clip_lists_what_it_is_and_claims_no_title(client: Client, sample_png: Path) -> None:
    done = await call_ok(client, "animate_image", {"instruction": FIRST, "image": str(sample_png)})
    change = done["changes"][0]
    assert change.startswith("a new clip of sample.png: 1 s, 16:9 1280x720"), done
    assert not any("title" in c for c in done["changes"]), done
    assert done["message"].startswith("Done in"), done
    assert "sample.png" not in done["message"]  # file names stay in their fields


async def test_the_settings_travel_as_one_sentence_after_the_words(
    client: Client, local_backend: LocalBackend, sample_png: Path
) -> None:
    sid = await _first_clip(client, sample_png)
    words = "haz el clip un poco más largo"
    await call_ok(
        client,
        "animate_image",
        {
            "instruction": words,
            "session_id": sid,
            "duration_s": 2,
            "title": 'Él dijo "hola"',
            "music_volume": 30,
        },
    )
    sent = local_backend.stats.messages_for(sid)[-1]
    assert sent == f'{words}\n\n{SETTINGS_PREFIX} duration 2 s; title "Él dijo \\"hola\\""; music volume 30%.'


async def test_settings_out_of_range_are_refused_before_anything_is_sent(
    client: Client, local_backend: LocalBackend, sample_png: Path
) -> None:
    sid = await _first_clip(client, sample_png)
    result = await client.call_tool("animate_image", {"session_id": sid, "music_volume": 150})
    assert result.is_error
    assert local_backend.stats.messages_for(sid) == [FIRST]


async def test_get_state_reports_a_status_like_the_other_tools(client: Client, sample_png: Path) -> None:
    uploaded = await call_ok(client, "upload", {"source": str(sample_png)})
    empty = await call_ok(client, "get_state", {"session_id": uploaded["session_id"]})
    assert empty["status"] == "empty"
    await call_ok(client, "animate_image", {"instruction": FIRST, "session_id": uploaded["session_id"]})
    ready = await call_ok(client, "get_state", {"session_id": uploaded["session_id"]})
    assert ready["status"] == "ready"
    assert "export(" in ready["next_step"]
