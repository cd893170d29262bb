"""Do what the person asked (issue 11), through a real MCP client on the embedded backend: any language,
settings alone, settings against the words, a request understood only in part, and no meter offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.server.app import build_server
from tests.server.conftest import call_ok, probe_clip

pytestmark = pytest.mark.anyio


async def test_a_chinese_instruction_makes_the_clip_it_describes(client: Client, sample_png: Path) -> None:
    done = await call_ok(
        client,
        "animate_image",
        {"instruction": "把这张照片做成2秒的竖屏视频，标题“夏天”", "image": str(sample_png)},
    )
    assert done["status"] == "done", done
    assert done["changes"][0].startswith("a new clip of sample.png: 2 s, 9:16 720x1280"), done
    assert 'title "夏天"' in done["changes"][0]
    exported = await call_ok(client, "export", {"session_id": done["session_id"]})
    clip = probe_clip(Path(exported["path"]))
    assert (clip.width, clip.height) == (720, 1280)
    assert clip.duration_s == pytest.approx(2.0, abs=0.1)


async def test_settings_alone_make_the_clip(client: Client, sample_png: Path) -> None:
    done = await call_ok(
        client,
        "animate_image",
        {
            "image": str(sample_png),
            "duration_s": 2,
            "aspect_ratio": "1:1",
            "title": "Été",
            "title_position": "top",
        },
    )
    assert done["status"] == "done", done
    assert done["not_done"] == []
    assert done["changes"][0].startswith("a new clip of sample.png: 2 s, 1:1 720x720"), done
    assert 'title "Été" at the top' in done["changes"][0]


async def test_where_settings_and_words_disagree_the_settings_win_and_the_reply_says_so(
    client: Client, sample_png: Path
) -> None:
    done = await call_ok(
        client,
        "animate_image",
        {"instruction": "make a 5 second clip", "image": str(sample_png), "duration_s": 1},
    )
    assert done["status"] == "done", done
    assert done["changes"][0].startswith("a new clip of sample.png: 1 s"), done
    assert "Your words asked for 5 s but the settings say 1 s: I used the settings." in done["reply"]


async def test_a_request_understood_in_part_does_that_part_names_the_rest_and_charges_half(
    client: Client, sample_png: Path
) -> None:
    before = await call_ok(client, "get_credits")
    done = await call_ok(
        client,
        "animate_image",
        {
            "instruction": "animate this image into a 1-second clip and make the water ripple",
            "image": str(sample_png),
        },
    )
    assert done["status"] == "partial", done
    assert done["changes"][0].startswith("a new clip of sample.png: 1 s"), done
    assert any("picture move" in item for item in done["not_done"]), done
    assert "not done (listed in not_done)" in done["message"]
    after = await call_ok(client, "get_credits")
    assert before["available"] - after["available"] == 50  # half of a generation, not all of it


async def test_an_edit_in_spanish_and_an_undo(client: Client, sample_png: Path) -> None:
    first = await call_ok(
        client,
        "animate_image",
        {"instruction": "animate this into a 1-second clip", "image": str(sample_png)},
    )
    sid = first["session_id"]
    edit = await call_ok(
        client,
        "animate_image",
        {"instruction": "que dure 2 segundos y el título «Hola» arriba", "session_id": sid},
    )
    assert edit["status"] == "done", edit
    assert "duration 1 s → 2 s" in edit["changes"]
    assert 'title "Hola" added at the top' in edit["changes"]
    undone = await call_ok(client, "animate_image", {"instruction": "undo", "session_id": sid})
    assert "duration 2 s → 1 s" in undone["changes"], undone
    assert 'title "Hola" removed' in undone["changes"]


async def test_offline_nothing_runs_out_after_ten_clips(
    tmp_path: Path, local_settings: Settings, sample_png: Path
) -> None:
    with LocalBackend(tmp_path / "offline") as backend:  # the default: not metered
        offline = local_settings.with_local_backend(backend.url)
        async with Client(build_server(offline)) as client:
            before = await call_ok(client, "get_credits")
            for _ in range(11):
                done = await call_ok(
                    client,
                    "animate_image",
                    {"instruction": "animate this into a 1-second clip", "image": str(sample_png)},
                )
                assert done["status"] == "done", done
            after = await call_ok(client, "get_credits")
    assert after["available"] == before["available"]
    assert after["metered"] is False
