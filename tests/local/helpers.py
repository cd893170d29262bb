"""Plain-httpx helpers for driving the local backend the way any client would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ATTRIBUTION = {
    "X-Skill-Source": "image-to-video-low-vram",
    "X-Skill-Version": "0.1.0",
    "X-Skill-Platform": "pytest",
}


def anonymous_token(base_url: str, client_id: str = "test-client") -> dict[str, Any]:
    response = httpx.post(
        f"{base_url}/api/auth/anonymous-token", headers={"X-Client-Id": client_id, **ATTRIBUTION}
    )
    response.raise_for_status()
    body = response.json()
    assert body["code"] == 0, body
    data: dict[str, Any] = body["data"]
    return data


def client(base_url: str, client_id: str = "test-client", *, attribution: bool = True) -> httpx.Client:
    """An httpx client with a fresh anonymous token and (by default) the attribution headers."""
    token = anonymous_token(base_url, client_id)["token"]
    headers = {"Authorization": f"Bearer {token}", **(ATTRIBUTION if attribution else {})}
    return httpx.Client(base_url=base_url, headers=headers, timeout=120)


def data(response: httpx.Response) -> Any:
    """The `data` of a successful `{code,data}` answer."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == 0, body
    return body["data"]


def new_session(http: httpx.Client) -> str:
    created = data(
        http.post("/api/tasks/me/with-session/nemo_agent", json={"task_name": "t", "language": "en"})
    )
    session_id: str = created["session_id"]
    return session_id


def sse_events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """Parse SSE lines into the JSON of each `data:` event (empty data lines are skipped)."""
    buffer: list[str] = []
    for line in lines:
        if line == "":
            if buffer:
                text = "\n".join(buffer)
                buffer = []
                if text.strip():
                    yield json.loads(text)
            continue
        if line.startswith("data:"):
            buffer.append(line[5:].lstrip(" "))


def run_message(http: httpx.Client, session_id: str, text: str) -> list[dict[str, Any]]:
    """Send one message to run_sse and collect every event until the server closes the stream."""
    with http.stream(
        "POST", "/run_sse", json=message_body(session_id, text), headers={"Accept": "text/event-stream"}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream"), response.read()
        return list(sse_events(response.iter_lines()))


def upload(http: httpx.Client, session_id: str, *paths: Any) -> list[dict[str, Any]]:
    """Upload files (multipart field `files`) and return the `files` of the answer."""
    handles = [open(path, "rb") for path in paths]  # noqa: SIM115  # closed just below
    try:
        files = [("files", (handle.name.rsplit("/", 1)[-1], handle)) for handle in handles]
        answer = data(http.post(f"/api/upload-video/nemo_agent/me/{session_id}", files=files))
    finally:
        for handle in handles:
            handle.close()
    result: list[dict[str, Any]] = answer["files"]
    return result


def upload_raw(http: httpx.Client, session_id: str, name: str, content: bytes) -> httpx.Response:
    return http.post(f"/api/upload-video/nemo_agent/me/{session_id}", files=[("files", (name, content))])


def state(http: httpx.Client, session_id: str) -> dict[str, Any]:
    result: dict[str, Any] = data(http.get(f"/api/state/nemo_agent/me/{session_id}/latest"))["state"]
    return result


def credits(http: httpx.Client) -> dict[str, Any]:
    result: dict[str, Any] = data(http.get("/api/credits/balance/simple"))
    return result


def message_body(session_id: str, text: str) -> dict[str, Any]:
    return {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": session_id,
        "new_message": {"parts": [{"text": text}]},
    }


def texts(events: list[dict[str, Any]]) -> str:
    return " ".join(e["content"] for e in events if e.get("type") == "text")


def kinds(events: list[dict[str, Any]]) -> list[str]:
    """Event types in order, heartbeats left out."""
    return [str(e.get("type")) for e in events if e.get("type") != "heartbeat"]


def write_wav(path: Path, seconds: float = 2.0) -> None:
    import math
    import struct
    import wave

    rate = 22050
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                for i in range(int(rate * seconds))
            )
        )


QUICK = "animate this image into a 1-second square clip"


def session_with_draft(http: httpx.Client, image: Path) -> tuple[str, dict[str, Any]]:
    """A session holding `image` and the draft a quick generation made of it."""
    sid = new_session(http)
    upload(http, sid, image)
    run_message(http, sid, QUICK)
    return sid, state(http, sid)["draft"]


def submit_render(http: httpx.Client, sid: str, draft: dict[str, Any], render_id: str) -> httpx.Response:
    """POST /api/render/proxy/lambda with the documented body (§3)."""
    return http.post(
        "/api/render/proxy/lambda",
        json={
            "id": render_id,
            "sessionId": sid,
            "draft": draft,
            "output": {"format": "mp4", "quality": "high"},
        },
    )
