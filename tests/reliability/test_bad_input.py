"""Bad input through the MCP server: refused with a clear error, nothing sent to the backend, nothing written.

The checks themselves are unit-tested in tests/service/test_media.py; here each case goes through a tool call
of a real server (in memory) on the local backend, whose stats prove that no request left.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from nemo_mcp.config import MAX_UPLOAD_BYTES, Settings
from nemo_mcp.local.runner import BackendOptions, LocalBackend
from nemo_mcp.server.app import build_server
from tests.reliability.helpers import error, ok
from tests.support import settings_for

pytestmark = pytest.mark.anyio


@pytest.fixture
def allowed(tmp_path: Path) -> Path:
    folder = tmp_path / "allowed"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBackend]:
    """One backend for the module (each test has its own server, folders and client id)."""
    options = BackendOptions(admin=True, heartbeat_interval_s=0.2)
    started = LocalBackend(tmp_path_factory.mktemp("bad-input") / "backend-data", options=options).start()
    try:
        yield started
    finally:
        started.stop()


class Sent:
    """The requests the backend received since this test began, by route."""

    def __init__(self, backend: LocalBackend) -> None:
        self._backend = backend
        self._start = dict(backend.stats.requests)

    def __call__(self) -> dict[str, int]:
        now = self._backend.stats.requests
        return {
            route: n - self._start.get(route, 0) for route, n in now.items() if n != self._start.get(route, 0)
        }


@pytest.fixture
def sent(backend: LocalBackend) -> Sent:
    return Sent(backend)


@pytest.fixture
def settings(
    backend: LocalBackend, sent: Sent, tmp_path: Path, allowed: Path, isolated_env: Path
) -> Settings:
    return settings_for(backend.url, home=isolated_env, tmp_path=tmp_path, allowed=allowed)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[Client]:
    async with Client(build_server(settings)) as connected:
        yield connected


def _files(root: Path) -> set[str]:
    """Every path under root but the backend's own data folder."""
    return {str(p.relative_to(root)) for p in root.rglob("*") if "backend-data" not in p.parts}


def _png(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 30, 30)).save(path, "PNG")
    return path


def _bomb(path: Path, side: int = 20_000) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    return path


def _sparse(path: Path, head: bytes, size: int) -> Path:
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def _symlink(link: Path, target: Path) -> Path:
    link.symlink_to(target)
    return link


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _truncated(path: Path) -> Path:
    whole = _png(path.with_name("whole.tmp"), (300, 300))
    data = whole.read_bytes()
    whole.unlink()
    path.write_bytes(data[: len(data) // 2])
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


# (id, make(allowed folder) -> the `source` argument, words the error must contain)
Case = tuple[str, Callable[[Path], str], str]
SOURCES: list[Case] = [
    ("outside", lambda a: str(_png(a.parent / "outside" / "p.png")), "outside the folders"),
    ("system-file", lambda a: "/etc/hostname", "outside the folders"),
    ("dotdot-absolute", lambda a: str(_png(a.parent / "p.png")).replace(str(a.parent), f"{a}/.."), "outside"),
    ("dotdot-relative", lambda a: (_png(a.parent / "p.png"), "../p.png")[1], "outside the folders"),
    ("symlink-escape", lambda a: str(_symlink(a / "link.png", _png(a.parent / "p.png"))), "outside"),
    ("prefix-trick", lambda a: str(_png(Path(f"{a}-evil") / "p.png")), "outside the folders"),
    ("windows-drive", lambda a: r"C:\Users\me\photo.png", "Windows"),
    ("windows-unc", lambda a: r"\\server\share\photo.png", "Windows"),
    ("windows-separators-inside", lambda a: str(_png(a / "p.png")).replace("/", "\\"), "Windows"),
    ("nul-byte", lambda a: f"{a}/p\x00.png", "NUL character"),
    ("missing", lambda a: str(a / "missing.png"), "No file"),
    (
        "text-named-png",
        lambda a: _write(a / "notes.png", b"just words, not a picture"),
        "is not an image",
    ),
    (
        "elf-named-jpg",
        lambda a: _write(a / "t.jpg", b"\x7fELF\x02\x01\x01" + bytes(200)),
        "is not an image",
    ),
    (
        "exe-named-jpg",
        lambda a: _write(a / "s.jpg", b"MZ\x90\x00" + bytes(300)),
        "is not an image",
    ),
    ("empty", lambda a: _write(a / "e.png", b""), "empty"),
    ("truncated", lambda a: str(_truncated(a / "cut.png")), "damaged or truncated"),
    (
        "over-50-mb",
        lambda a: str(_sparse(a / "big.mp4", b"\x00\x00\x00\x18ftypisom", MAX_UPLOAD_BYTES + 1)),
        "50 MB",
    ),
    ("pixel-bomb", lambda a: str(_bomb(a / "bomb.png")), "megapixels"),
    ("directory", lambda a: str(_folder(a / "folder.png")), "folder"),
    ("named-pipe", lambda a: str(_fifo(a / "pipe.png")), "not a regular file"),
    ("device", lambda a: "/dev/zero", "outside the folders"),
    ("ftp-url", lambda a: "ftp://example.com/a.png", "http"),
    ("file-url", lambda a: "file:///etc/passwd", "outside the folders"),
    ("javascript-url", lambda a: "javascript:alert(1)", "http"),
    ("data-url", lambda a: "data:image/png;base64,iVBORw0KGgo=", "http"),
]


@pytest.mark.parametrize(("source_of", "expected"), [c[1:] for c in SOURCES], ids=[c[0] for c in SOURCES])
async def test_bad_sources_are_refused_before_anything_is_sent(
    client: Client,
    sent: Sent,
    tmp_path: Path,
    allowed: Path,
    source_of: Callable[[Path], str],
    expected: str,
) -> None:
    source = source_of(allowed)
    before = _files(tmp_path)
    message = error(await client.call_tool("upload", {"source": source}))
    assert expected in message
    assert sent() == {}  # no token, no session, no upload
    assert _files(tmp_path) == before


async def test_an_unreadable_file_is_refused_before_anything_is_sent(
    client: Client, sent: Sent, allowed: Path
) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading, so no file is unreadable")
    locked = _png(allowed / "locked.png")
    locked.chmod(0)
    message = error(await client.call_tool("upload", {"source": str(locked)}))
    assert "locked.png" in message
    assert sent() == {}


@pytest.mark.parametrize("name", ["my photo.png", "фото 夏.png", "café (1).png", "it's.png"])
async def test_spaces_and_non_ascii_names_inside_are_accepted(
    client: Client, sent: Sent, allowed: Path, name: str
) -> None:
    path = _png(allowed / "sub dir" / name)
    uploaded = ok(await client.call_tool("upload", {"source": str(path)}))
    assert [f["filename"] for f in uploaded["files"]] == [name]
    assert sent()["upload"] == 1


# Arguments an MCP client might send by mistake: refused by the tool's schema or its own checks.
WRONG_ARGUMENTS: list[tuple[str, dict[str, Any]]] = [
    ("upload", {}),
    ("upload", {"source": 123}),
    ("upload", {"source": ["a.png", "b.png"]}),
    ("upload", {"source": None}),
    ("upload", {"source": "   "}),
    ("upload", {"source": "x.png", "new_session": "perhaps"}),
    ("animate_image", {}),
    ("animate_image", {"instruction": 5}),
    ("animate_image", {"instruction": {"text": "go"}}),
    ("animate_image", {"instruction": "   "}),
    ("animate_image", {"instruction": "go " * 5000}),
    ("animate_image", {"instruction": "go", "wait_seconds": "soon"}),
    ("animate_image", {"instruction": "go", "wait_seconds": -0.5}),
    ("animate_image", {"instruction": "go", "wait_seconds": 86_400}),
    ("get_state", {"session_id": 1234567890123456789}),
    ("get_state", {"wait_seconds": -1}),
    ("get_state", {"wait_seconds": 1e308}),
    ("export", {"wait_seconds": 601}),
    ("export", {"output_dir": False}),
    ("get_credits", {"unexpected": True}),
]


@pytest.mark.parametrize(("tool", "arguments"), WRONG_ARGUMENTS, ids=lambda v: str(v)[:40])
async def test_wrong_arguments_are_refused_and_send_nothing(
    client: Client, sent: Sent, tool: str, arguments: dict[str, Any]
) -> None:
    result = await client.call_tool(tool, arguments)
    if tool == "get_credits":  # extra arguments are ignored by the schema; the call itself is harmless
        assert not result.is_error
        return
    assert error(result)
    assert sent() == {}


@pytest.mark.parametrize(
    "session_id", ["9999999999999999999", "../../etc/passwd", "1; DROP TABLE", "é" * 300]
)
async def test_unknown_session_ids_are_refused_without_a_request(
    client: Client, sent: Sent, tmp_path: Path, session_id: str
) -> None:
    before = _files(tmp_path)
    for tool, arguments in (
        ("get_state", {"session_id": session_id}),
        ("animate_image", {"instruction": "go", "session_id": session_id}),
        ("export", {"session_id": session_id}),
    ):
        message = error(await client.call_tool(tool, arguments))
        assert "session" in message.lower(), (tool, message)
    assert sent() == {}
    assert _files(tmp_path) == before


async def test_urls_to_loopback_link_local_and_private_hosts_are_refused_by_the_backend(
    client: Client, backend: LocalBackend, sent: Sent, allowed: Path
) -> None:
    # A file the backend really serves: fetching it would show up in its stats as a 'files' request.
    real = ok(await client.call_tool("upload", {"source": str(_png(allowed / "p.png"))}))["files"][0]["url"]
    assert real.startswith(backend.url)
    port = backend.url.rsplit(":", 1)[1]
    for url in (
        real,
        real.replace("127.0.0.1", "localhost"),
        f"http://[::1]:{port}/files/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/p.png",
        "http://192.168.1.1/p.png",
        "http://0.0.0.0/p.png",
    ):
        message = error(await client.call_tool("upload", {"source": url}))
        assert "refused" in message.lower() or "could not" in message.lower(), (url, message)
    assert sent().get("files", 0) == 0  # the backend never fetched its own file


async def test_output_folders_that_cannot_be_written_are_refused_before_rendering(
    client: Client, sent: Sent, allowed: Path, tmp_path: Path
) -> None:
    sid = ok(await client.call_tool("upload", {"source": str(_png(allowed / "p.png", (320, 240)))}))[
        "session_id"
    ]
    animated = ok(
        await client.call_tool(
            "animate_image", {"instruction": "animate this image into a 1-second video clip"}
        )
    )
    assert animated["ready_to_export"] is True
    blocker = allowed / "a-file"
    blocker.write_text("x")
    before = _files(tmp_path)
    for folder, words in (
        (blocker, "cannot be written"),
        (blocker / "sub", "cannot be written"),
        (Path("/etc"), "outside the folders"),
        (Path("/proc/self"), "outside the folders"),
        (allowed / ".hidden", "outside the folders"),
        (Path(f"{allowed}-evil"), "outside the folders"),
    ):
        message = error(await client.call_tool("export", {"session_id": sid, "output_dir": str(folder)}))
        assert words in message, (folder, message)
    assert sent().get("render_submit", 0) == 0
    assert _files(tmp_path) == before
