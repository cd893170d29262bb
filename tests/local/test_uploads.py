"""Uploads: multipart and URL, checked by content, 50 MB, answered like the cloud (4001/4002)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from nemo_mcp.local.routes.ingest import sniff
from nemo_mcp.local.runner import BackendOptions, LocalBackend
from tests.local.helpers import client, data, new_session, state, upload, upload_raw, write_wav


def test_multipart_upload_answers_the_documented_shape(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        (answer,) = upload(http, sid, sample_png)
        assert answer["filename"] == "sample.png"
        assert answer["file_type"] == "image"
        assert (answer["width"], answer["height"]) == (640, 480)
        assert answer["duration"] == 0
        assert answer["hash"] == hashlib.sha256(sample_png.read_bytes()).hexdigest()
        served = httpx.get(answer["cdn_url"])
        assert served.content == sample_png.read_bytes()
        infos = state(http, sid)["video_infos"]
        assert [i["name"] for i in infos] == ["sample.png"]


def test_repeated_files_field(local_backend: LocalBackend, sample_png: Path, tmp_path: Path) -> None:
    from PIL import Image

    second = tmp_path / "second.jpg"
    Image.new("RGB", (320, 200), (10, 200, 30)).save(second)
    with client(local_backend.url) as http:
        sid = new_session(http)
        answers = upload(http, sid, sample_png, second)
    assert [(a["filename"], a["width"]) for a in answers] == [("sample.png", 640), ("second.jpg", 320)]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.png", b"just some text, not an image\n" * 10),
        ("program.jpg", b"MZ\x90\x00" + b"\x00" * 200),
        ("empty.png", b""),
        ("truncated.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
    ],
)
def test_content_that_is_not_an_accepted_type_is_4001(
    local_backend: LocalBackend, name: str, content: bytes
) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        response = upload_raw(http, sid, name, content)
        assert (response.status_code, response.json()["code"]) == (200, 4001)
        assert state(http, sid)["video_infos"] == []


def test_over_50_mb_is_4002(local_backend: LocalBackend, sample_png: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    with big.open("wb") as handle:
        handle.write(sample_png.read_bytes())
        handle.truncate(50 * 1024 * 1024 + 1)
    with client(local_backend.url) as http:
        sid = new_session(http)
        with big.open("rb") as handle:
            response = http.post(
                f"/api/upload-video/nemo_agent/me/{sid}", files=[("files", ("big.png", handle))]
            )
        assert response.json()["code"] == 4002
        assert state(http, sid)["video_infos"] == []
    leftovers = list((local_backend.data_dir / "uploads").rglob("*"))
    assert not [p for p in leftovers if p.is_file()]


def test_upload_to_an_unknown_session_is_1002(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        response = upload_raw(http, "999", "a.png", sample_png.read_bytes())
        assert response.json()["code"] == 1002


def test_url_upload_fetches_when_private_urls_are_allowed(tmp_path: Path, sample_png: Path) -> None:
    options = BackendOptions(allow_private_urls=True)
    with LocalBackend(tmp_path / "d", options=options) as backend, client(backend.url) as http:
        sid = new_session(http)
        (first,) = upload(http, sid, sample_png)
        answer = data(
            http.post(
                f"/api/upload-video/nemo_agent/me/{sid}",
                json={"urls": [first["cdn_url"]], "source_type": "url"},
            )
        )
        (fetched,) = answer["files"]
        assert fetched["hash"] == first["hash"]
        assert fetched["file_type"] == "image"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/a.png",
        "http://127.0.0.1:1/a.png",
        "http://localhost/a.png",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/a.png",
        "http://[::1]/a.png",
        "http://[::ffff:127.0.0.1]/a.png",
    ],
)
def test_url_upload_refuses_other_schemes_and_private_hosts(local_backend: LocalBackend, url: str) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        response = http.post(
            f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": [url], "source_type": "url"}
        )
        body = response.json()
        assert body["code"] == 4003, body
        assert state(http, sid)["video_infos"] == []


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, ("image", "jpeg")),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, ("image", "png")),
        (b"GIF89a" + b"\x00" * 20, ("image", "gif")),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ("image", "webp")),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", ("audio", "wav")),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", ("video", "mp4")),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00", ("audio", "m4a")),
        (b"ID3\x04\x00", ("audio", "mp3")),
        (b"\xff\xf1\x50\x80", ("audio", "aac")),
        (b"\x1a\x45\xdf\xa3\x01", ("video", "webm")),
        (b"MZ\x90\x00", None),
        (b"<html>", None),
    ],
)
def test_sniff(head: bytes, kind: tuple[str, str] | None) -> None:
    assert sniff(head) == kind


def test_video_and_audio_uploads_report_duration(
    local_backend: LocalBackend, sample_png: Path, tmp_path: Path
) -> None:
    from nemo_mcp.local.render.clip import ClipSpec, render_clip

    video = tmp_path / "clip.mp4"
    render_clip(ClipSpec(image=sample_png, duration_s=1.0, width=720, height=720), video)
    song = tmp_path / "song.wav"
    write_wav(song, seconds=2.0)
    with client(local_backend.url) as http:
        sid = new_session(http)
        clip_answer, song_answer = upload(http, sid, video, song)
    assert clip_answer["file_type"] == "video"
    assert (clip_answer["width"], clip_answer["height"]) == (720, 720)
    assert abs(clip_answer["duration"] - 1.0) < 0.1
    assert clip_answer["fps"] == 30
    assert song_answer["file_type"] == "audio"
    assert abs(song_answer["duration"] - 2.0) < 0.1
