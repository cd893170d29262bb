"""run_sse turns: events in order, the draft, generated media, credits reserved then charged, edits."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from nemo_mcp.local.runner import BackendOptions, LocalBackend
from tests.local.helpers import (
    client,
    credits,
    kinds,
    message_body,
    new_session,
    run_message,
    sse_events,
    state,
    texts,
    upload,
    write_wav,
)

QUICK = 'animate this image into a 1-second square clip with the title "Summer"'


def test_first_message_generates_a_clip_and_a_draft(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        (image,) = upload(http, sid, sample_png)
        events = run_message(http, sid, QUICK)
        assert kinds(events) == ["text", "tool_call", "tool_result", "text"]
        call = next(e for e in events if e.get("type") == "tool_call")
        assert call["name"] == "animate_still_image_cpu"
        assert call["args"]["device"] == "cpu"
        assert (call["args"]["width"], call["args"]["height"], call["args"]["duration_s"]) == (720, 720, 1.0)
        said = texts(events)
        assert "CPU" in said
        assert "no generative video model" in said
        assert "Summer" in said

        after = state(http, sid)
        draft = after["draft"]
        assert draft["d"] == 1000
        assert draft["m"] == {"name": "sample", "title": "Summer", "width": 720, "height": 720, "fps": 30}
        by_type = {track["tt"]: track["sg"] for track in draft["t"]}
        assert set(by_type) == {0, 7}
        (video,) = by_type[0]
        assert (video["hash"], video["motion"], video["st"], video["d"]) == (
            image["hash"],
            "zoom_in",
            0,
            1000,
        )
        assert by_type[7][0]["text"] == "Summer"
        (media,) = after["generated_media"]
        clip = httpx.get(media["url"])
        assert clip.status_code == 200
        assert clip.content[4:8] == b"ftyp"
        assert credits(http) == {"available": 900, "frozen": 0, "total": 900}


def test_an_edit_changes_the_same_draft_and_costs_50(
    local_backend: LocalBackend, sample_png: Path, tmp_path: Path
) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        upload(http, sid, sample_png)
        run_message(http, sid, QUICK)
        events = run_message(http, sid, 'change the title to "Winter" and make it 2 seconds, vertical')
        assert kinds(events) == ["text", "tool_call", "tool_result", "text"]
        assert next(e for e in events if e.get("type") == "tool_call")["name"] == "edit_timeline"
        draft = state(http, sid)["draft"]
        assert draft["d"] == 2000
        assert (draft["m"]["width"], draft["m"]["height"]) == (720, 1280)
        assert [t["sg"][0]["text"] for t in draft["t"] if t["tt"] == 7] == ["Winter"]
        assert len(state(http, sid)["generated_media"]) == 1  # edits change the draft, not the clip
        assert credits(http)["available"] == 850


def test_music_from_an_uploaded_audio_file(
    local_backend: LocalBackend, sample_png: Path, tmp_path: Path
) -> None:
    song = tmp_path / "song.wav"
    write_wav(song)
    with client(local_backend.url) as http:
        sid = new_session(http)
        upload(http, sid, sample_png)
        run_message(http, sid, QUICK)
        without = run_message(http, sid, "add background music")
        assert "calm track" in texts(without)  # a bundled track when there is no file of the person's
        (audio,) = upload(http, sid, song)
        assert audio["file_type"] == "audio"
        run_message(http, sid, "add background music at 30%")
        tracks = {t["tt"]: t["sg"] for t in state(http, sid)["draft"]["t"]}
        assert tracks[1][0]["hash"] == audio["hash"]
        assert tracks[1][0]["vol"] == 0.3


def test_messages_with_nothing_to_act_on_cost_nothing(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        first = run_message(http, sid, "animate this into a 5-second clip")
        assert kinds(first) == ["text"]
        assert "Upload an image" in texts(first)
        upload(http, sid, sample_png)
        hello = run_message(http, sid, "hello!")
        assert kinds(hello) == ["text"]
        assert credits(http)["available"] == 1000
        assert state(http, sid)["draft"] == {}


def test_what_it_cannot_do_is_said_plainly(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        upload(http, sid, sample_png)
        events = run_message(http, sid, "make the person dance in a 1-second clip, low VRAM mode")
        said = texts(events)
        assert "generative video model" in said
        assert "no GPU" in said


def test_credits_are_frozen_while_the_work_runs(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        upload(http, sid, sample_png)
        local_backend.faults.add("run_sse", "stall")
        with http.stream("POST", "/run_sse", json=message_body(sid, QUICK)) as response:
            events = sse_events(response.iter_lines())
            assert next(events)["type"] == "text"
            assert next(events)["type"] == "tool_call"
            assert next(events)["type"] == "heartbeat"
            assert credits(http) == {"available": 900, "frozen": 100, "total": 1000}
            local_backend.faults.reset()
            rest = list(events)
        assert kinds(rest) == ["tool_result", "text"]
        assert credits(http) == {"available": 900, "frozen": 0, "total": 900}


def test_not_enough_credits_is_2001_and_nothing_runs(tmp_path: Path, sample_png: Path) -> None:
    options = BackendOptions(initial_credits=120, metered=True)
    with LocalBackend(tmp_path / "d", options=options) as backend, client(backend.url) as http:
        sid = new_session(http)
        upload(http, sid, sample_png)
        run_message(http, sid, QUICK)
        # 120 - 100 leaves 20; an edit needs 50
        response = http.post("/run_sse", json=message_body(sid, "make it 3 seconds"))
        assert response.json()["code"] == 2001
        assert state(http, sid)["draft"]["d"] == 1000
        assert credits(http) == {"available": 20, "frozen": 0, "total": 20}


def test_a_new_image_makes_a_new_clip(local_backend: LocalBackend, sample_png: Path, tmp_path: Path) -> None:
    from PIL import Image

    other = tmp_path / "other.png"
    Image.new("RGB", (400, 300), (200, 40, 40)).save(other)
    with client(local_backend.url) as http:
        sid = new_session(http)
        upload(http, sid, sample_png)
        run_message(http, sid, QUICK)
        (second,) = upload(http, sid, other)
        run_message(http, sid, "now animate this one")
        after = state(http, sid)
        assert len(after["generated_media"]) == 2
        video = next(t for t in after["draft"]["t"] if t["tt"] == 0)["sg"][0]
        assert video["hash"] == second["hash"]
        assert after["draft"]["d"] == 1000  # the earlier settings carry over


def test_unknown_session_is_1002(local_backend: LocalBackend) -> None:
    with client(local_backend.url) as http:
        assert http.post("/run_sse", json=message_body("42", "hi")).json()["code"] == 1002


def test_restart_mid_render_finishes_the_turn(tmp_path: Path, sample_png: Path) -> None:
    metered = BackendOptions(metered=True)
    with LocalBackend(tmp_path / "d", options=metered) as first, client(first.url) as http:
        sid = new_session(http)
        upload(http, sid, sample_png)
        first.faults.add("run_sse", "stall")
        with http.stream("POST", "/run_sse", json=message_body(sid, QUICK)) as response:
            events = sse_events(response.iter_lines())
            assert [next(events)["type"], next(events)["type"]] == ["text", "tool_call"]
            assert credits(http)["frozen"] == 100
            first.stop()  # mid-turn: the turn is on disk with its credits reserved
    with LocalBackend(tmp_path / "d", options=metered) as second, client(second.url) as http:
        second.wait_idle(60)
        after = state(http, sid)
        assert len(after["generated_media"]) == 1
        assert after["draft"]["d"] == 1000
        assert credits(http) == {"available": 900, "frozen": 0, "total": 900}


@pytest.mark.parametrize("user", ["me", "real"])
def test_user_id_me_or_the_real_id(local_backend: LocalBackend, user: str) -> None:
    with client(local_backend.url) as http:
        created = http.post("/api/tasks/me/with-session/nemo_agent", json={}).json()["data"]
        body = message_body(created["session_id"], "hello")
        body["user_id"] = created["user_id"] if user == "real" else "me"
        with http.stream("POST", "/run_sse", json=body) as response:
            assert kinds(list(sse_events(response.iter_lines()))) == ["text"]


def test_concurrent_sessions_stay_apart(local_backend: LocalBackend, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image

    def one(index: int) -> tuple[str, str, str]:
        image = tmp_path / f"img{index}.png"
        Image.new("RGB", (320, 240), (index * 40, 100, 200 - index * 30)).save(image)
        with client(local_backend.url, f"client-{index}") as http:
            sid = new_session(http)
            (uploaded,) = upload(http, sid, image)
            run_message(http, sid, f'animate this into a 1-second square clip titled "Clip {index}"')
            draft = state(http, sid)["draft"]
            video = next(t for t in draft["t"] if t["tt"] == 0)["sg"][0]
            title = next(t for t in draft["t"] if t["tt"] == 7)["sg"][0]["text"]
            assert credits(http)["available"] == 900
            return uploaded["hash"], video["hash"], title

    with ThreadPoolExecutor(5) as pool:
        results = list(pool.map(one, range(5)))
    for index, (uploaded_hash, draft_hash, title) in enumerate(results):
        assert uploaded_hash == draft_hash
        assert title == f"Clip {index}"
    assert len({r[0] for r in results}) == 5
    messages = local_backend.stats.messages
    assert sorted(len(texts) for texts in messages.values()) == [1] * 5


def test_token_ttl_option(tmp_path: Path) -> None:
    from tests.local.helpers import anonymous_token

    with LocalBackend(tmp_path / "d", options=BackendOptions(token_ttl_s=0.0)) as backend:
        first = anonymous_token(backend.url)
        second = anonymous_token(backend.url)
        assert first["token"] != second["token"]
        stale = httpx.get(
            f"{backend.url}/api/credits/balance/simple",
            headers={"Authorization": f"Bearer {second['token']}"},
        )
        assert stale.json()["code"] == 1001
