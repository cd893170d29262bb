"""The embedded backend as a server facing a hostile client on loopback (issue 13).

Bodies are bounded as they stream, image decoding is bounded in memory, a data folder has one owner, URL
uploads refuse IPv6 forms of private IPv4 addresses, and what it stores is private. Real HTTP throughout:
raw sockets where the point is how many bytes the server reads before it answers, and `nemo-mcp
local-backend` processes where the point is the memory of the process or its data folder.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from nemo_mcp.local.runner import LocalBackend
from tests.local.helpers import ATTRIBUTION, anonymous_token, client, new_session
from tests.reliability.helpers import server_command

MB = 1024 * 1024
# A 38-byte lossless WEBP of one colour: its pixels take no bits, so any size in the header is valid.
_WEBP = bytes.fromhex("524946461e000000574542505650384c110000002f0fc0030007508a2ad4a3ff8188e87f0000")


def webp_bomb(width: int, height: int) -> bytes:
    bits = struct.unpack("<I", _WEBP[21:25])[0]
    size = (width - 1) | ((height - 1) << 14) | ((bits >> 28) << 28)
    return _WEBP[:21] + struct.pack("<I", size) + _WEBP[25:]


def _stream_until_answered(
    url: str, path: str, headers: dict[str, str], first: bytes, chunk: bytes, most: int
) -> tuple[int, int]:
    """POST a chunked body (`first`, then `chunk`s) until the server answers or `most` bytes went.

    Returns the status and how many bytes were sent before the answer came.
    """
    parsed = httpx.URL(url)
    assert parsed.port is not None
    head = f"POST {path} HTTP/1.1\r\nHost: {parsed.host}:{parsed.port}\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    sent = 0
    with socket.create_connection((parsed.host, parsed.port), timeout=60) as sock:
        sock.sendall(head.encode())
        piece = first
        try:
            while sent < most and not select.select([sock], [], [], 0)[0]:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                sent += len(piece)
                piece = chunk
            if sent >= most:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading and closed: what a bound looks like from here
        answer = sock.recv(65536).decode("latin-1")
    return int(answer.split(" ", 2)[1]), sent


def _auth(url: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {anonymous_token(url, 'bounds')['token']}", **ATTRIBUTION}


def test_a_huge_json_body_is_refused_as_it_streams(local_backend: LocalBackend) -> None:
    headers = {**_auth(local_backend.url), "Content-Type": "application/json"}
    path = "/api/tasks/me/with-session/nemo_agent"
    status, sent = _stream_until_answered(local_backend.url, path, headers, b"[", b"1," * 32768, 64 * MB)
    assert status == 413
    assert sent < 8 * MB, sent


def test_a_huge_chunked_upload_is_refused_as_it_streams(local_backend: LocalBackend) -> None:
    with client(local_backend.url, "bounds") as http:  # the same user as _auth's token
        sid = new_session(http)
    boundary = "b0undary"
    headers = {**_auth(local_backend.url), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    part = f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.mp4"\r\n'
    part += "Content-Type: video/mp4\r\n\r\n"
    first = part.encode() + b"\x00\x00\x00\x18ftypisom"
    path = f"/api/upload-video/nemo_agent/me/{sid}"
    status, sent = _stream_until_answered(local_backend.url, path, headers, first, bytes(MB), 120 * MB)
    assert status in (200, 413)
    assert sent < 70 * MB, sent  # refused near 50 MB, not after spooling everything


@pytest.mark.parametrize(
    ("body", "route"),
    [
        (b"[" * 200_000 + b"]" * 200_000, "/api/tasks/me/with-session/nemo_agent"),
        (b'{"task_name": ', "/api/tasks/me/with-session/nemo_agent"),
        (b"\xff\xfe not json", "/run_sse"),
        (b'{"urls": [' * 5000, "/api/upload-video/nemo_agent/me/{sid}"),
    ],
    ids=["200000-deep", "cut-short", "not-utf8", "deep-urls"],
)
def test_malformed_or_deep_json_is_a_400(local_backend: LocalBackend, body: bytes, route: str) -> None:
    headers = {**_auth(local_backend.url), "Content-Type": "application/json"}
    with client(local_backend.url, "bounds") as http:  # the same user as _auth's token
        route = route.format(sid=new_session(http))
    answer = httpx.post(f"{local_backend.url}{route}", content=body, headers=headers)
    assert answer.status_code == 400, answer.text


@contextmanager
def _backend_process(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    with subprocess.Popen(
        [server_command(), "local-backend", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            assert line.startswith("nemo-mcp local backend listening on "), line
            yield process, line.rsplit(" ", 1)[1]
        finally:
            process.terminate()
            process.wait(timeout=20)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak memory from /proc")
def test_image_decoding_is_bounded_per_image_and_across_concurrent_ones(tmp_path: Path) -> None:
    with _backend_process(tmp_path / "d") as (process, url), client(url) as http:
        sid = new_session(http)
        route = f"/api/upload-video/nemo_agent/me/{sid}"
        huge = http.post(route, files=[("files", ("huge.webp", webp_bomb(16000, 7500)))]).json()
        assert huge["code"] == 4001, huge  # 120 MP of WEBP: refused from its header
        assert _peak_rss_mb(process.pid) < 500

        def upload(n: int) -> int:
            with client(url, f"c{n}") as own:
                answer = own.post(
                    f"/api/upload-video/nemo_agent/me/{new_session(own)}",
                    files=[("files", (f"b{n}.webp", webp_bomb(6000, 5000)))],
                ).json()
                return int(answer["code"])

        with ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(upload, range(4)))
        assert all(code in (0, 4001) for code in codes), codes  # 30 MP each: one at a time at most
        assert _peak_rss_mb(process.pid) < 1100


def test_a_data_folder_has_one_owner(tmp_path: Path) -> None:
    data_dir = tmp_path / "data" / "local-backend"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEMO_")},
        "HOME": str(tmp_path),
        "NEMO_MCP_DATA_DIR": str(tmp_path / "data"),
    }
    with _backend_process(data_dir):
        for args in (["serve", "--local"], ["local-backend", "--data-dir", str(data_dir)]):
            try:
                second = subprocess.run(
                    [server_command(), *args],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=30,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                pytest.fail(f"{args}: a second backend ran on the same data folder")
            assert second.returncode != 0, (args, second.stderr)
            lines = second.stderr.strip().splitlines()
            assert len(lines) == 1, (args, lines)
            assert str(data_dir) in lines[0], lines
            assert "in use" in lines[0], lines


def test_url_uploads_refuse_ipv6_forms_of_private_ipv4(local_backend: LocalBackend) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        for host in (
            "::127.0.0.1",  # IPv4-compatible
            "::ffff:0:127.0.0.1",  # SIIT
            "64:ff9b::127.0.0.1",  # NAT64, well-known prefix
            "64:ff9b:1::a00:1",  # NAT64, local-use prefix (10.0.0.1)
            "2002:7f00:1::1",  # 6to4 of 127.0.0.1
            "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
            "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1 (inverted)
        ):
            answer = http.post(
                f"/api/upload-video/nemo_agent/me/{sid}",
                json={"urls": [f"http://[{host}]/p.png"], "source_type": "url"},
                timeout=60,
            ).json()
            assert answer["code"] == 4003, (host, answer)
            assert "private" in answer["message"], (host, answer)


def test_stored_uploads_are_private(local_backend: LocalBackend, sample_png: Path) -> None:
    with client(local_backend.url) as http:
        sid = new_session(http)
        with sample_png.open("rb") as fh:
            answer = http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=[("files", ("p.png", fh))])
        assert answer.json()["code"] == 0
    folder = local_backend.data_dir / "uploads" / sid
    (stored,) = list(folder.iterdir())
    assert stored.stat().st_mode & 0o777 == 0o600
    for parent in (folder, folder.parent, local_backend.data_dir):
        assert parent.stat().st_mode & 0o077 == 0, parent
