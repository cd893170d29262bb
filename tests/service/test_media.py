"""What may be uploaded: a corpus of paths and files, each accepted or refused with a clear error."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from nemo_mcp.config import MAX_UPLOAD_BYTES
from nemo_mcp.errors import FileTooLargeError, InputError, PathNotAllowedError, UnsupportedFileError
from nemo_mcp.service.media import check_file, check_url, probe_mp4, resolve_path, sniff


def _png(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    Image.new("RGB", size, (200, 10, 10)).save(path, format="PNG")
    return path


@pytest.fixture
def allowed(tmp_path: Path) -> Path:
    folder = tmp_path / "allowed"
    folder.mkdir()
    return folder


def test_inside_allowed_folder_is_accepted(allowed: Path) -> None:
    image = _png(allowed / "photo.png")
    assert resolve_path(str(image), (allowed,)) == image.resolve()


@pytest.mark.parametrize("name", ["my photo.png", "фото 夏.png", "café.png"])
def test_spaces_and_non_ascii_names_are_accepted(allowed: Path, name: str) -> None:
    image = _png(allowed / name)
    assert resolve_path(str(image), (allowed,)).name == name


def test_relative_paths_resolve_against_the_first_allowed_folder(allowed: Path) -> None:
    (allowed / "sub").mkdir()
    _png(allowed / "sub" / "a.png")
    assert resolve_path("sub/a.png", (allowed,)) == (allowed / "sub" / "a.png").resolve()
    assert resolve_path("sub\\a.png", (allowed,)) == (allowed / "sub" / "a.png").resolve()
    assert resolve_path(f"file://{allowed}/sub/a.png", (allowed,)).name == "a.png"


def test_home_tilde_is_expanded(isolated_env: Path) -> None:
    image = _png(isolated_env / "pic.png")
    assert resolve_path("~/pic.png", (isolated_env,)) == image.resolve()


def test_outside_is_refused(allowed: Path, tmp_path: Path) -> None:
    outside = _png(tmp_path / "outside.png")
    with pytest.raises(PathNotAllowedError, match="outside"):
        resolve_path(str(outside), (allowed,))


def test_dotdot_escape_is_refused(allowed: Path, tmp_path: Path) -> None:
    _png(tmp_path / "outside.png")
    with pytest.raises(PathNotAllowedError):
        resolve_path(str(allowed / ".." / "outside.png"), (allowed,))
    with pytest.raises(PathNotAllowedError):
        resolve_path("../outside.png", (allowed,))


def test_prefix_trick_is_refused(allowed: Path, tmp_path: Path) -> None:
    evil = tmp_path / "allowed-evil"
    evil.mkdir()
    image = _png(evil / "x.png")
    with pytest.raises(PathNotAllowedError):
        resolve_path(str(image), (allowed,))


def test_symlink_pointing_outside_is_refused(allowed: Path, tmp_path: Path) -> None:
    target = _png(tmp_path / "secret.png")
    (allowed / "link.png").symlink_to(target)
    with pytest.raises(PathNotAllowedError):
        resolve_path(str(allowed / "link.png"), (allowed,))


def test_symlink_inside_is_followed(allowed: Path) -> None:
    target = _png(allowed / "real.png")
    (allowed / "alias.png").symlink_to(target)
    assert resolve_path(str(allowed / "alias.png"), (allowed,)) == target.resolve()


def test_hidden_folders_are_never_allowed(isolated_env: Path) -> None:
    ssh = isolated_env / ".ssh"
    ssh.mkdir()
    _png(ssh / "id_rsa.png")
    with pytest.raises(PathNotAllowedError, match="hidden"):
        resolve_path(str(ssh / "id_rsa.png"), (isolated_env,))
    (isolated_env / "innocent.png").symlink_to(ssh / "id_rsa.png")
    with pytest.raises(PathNotAllowedError, match="hidden"):
        resolve_path(str(isolated_env / "innocent.png"), (isolated_env,))


def test_windows_drive_path_is_refused_on_posix(allowed: Path) -> None:
    if os.name == "nt":
        pytest.skip("POSIX behaviour")
    with pytest.raises(PathNotAllowedError, match="Windows"):
        resolve_path(r"C:\Users\me\photo.png", (allowed,))


def test_directories_devices_and_missing_files_are_refused(allowed: Path) -> None:
    (allowed / "folder").mkdir()
    with pytest.raises(PathNotAllowedError, match="folder"):
        resolve_path(str(allowed / "folder"), (allowed,))
    with pytest.raises(InputError, match="No file"):
        resolve_path(str(allowed / "missing.png"), (allowed,))
    with pytest.raises(PathNotAllowedError):
        resolve_path("/dev/null", (Path("/dev"),))
    fifo = allowed / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(PathNotAllowedError, match="not a regular file"):
        resolve_path(str(fifo), (allowed,))
    with pytest.raises(PathNotAllowedError):
        resolve_path("a\x00b.png", (allowed,))


def test_type_comes_from_content_not_extension(allowed: Path) -> None:
    text = allowed / "notes.png"
    text.write_text("just words, not a picture")
    with pytest.raises(UnsupportedFileError):
        check_file(text)
    exe = allowed / "tool.jpg"
    exe.write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 200)
    with pytest.raises(UnsupportedFileError):
        check_file(exe)
    real = _png(allowed / "actually.jpg")
    checked = check_file(real)
    assert (checked.kind, checked.mime, checked.width, checked.height) == ("image", "image/png", 64, 48)


def test_empty_truncated_and_oversized_files(allowed: Path) -> None:
    empty = allowed / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(UnsupportedFileError, match="empty"):
        check_file(empty)
    whole = _png(allowed / "whole.png", (300, 300)).read_bytes()
    cut = allowed / "cut.png"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(UnsupportedFileError, match="damaged or truncated"):
        check_file(cut)
    big = allowed / "big.mp4"
    with big.open("wb") as fh:
        fh.write(b"\x00\x00\x00\x18ftypisom")
        fh.truncate(MAX_UPLOAD_BYTES + 1)
    with pytest.raises(FileTooLargeError, match="50 MB"):
        check_file(big)


@pytest.mark.parametrize("side", [11_000, 20_000])
def test_pixel_bomb_is_refused(allowed: Path, side: int) -> None:
    # A valid PNG header claiming 20000x20000 pixels, a few hundred bytes on disk.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    bomb = allowed / "bomb.png"
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    with pytest.raises(UnsupportedFileError, match="megapixels"):
        check_file(bomb)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 60, ("image", "image/jpeg")),
        (b"GIF89a" + b"\x00" * 60, ("image", "image/gif")),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 48, ("image", "image/webp")),
        (b"BM" + b"\x00" * 62, ("image", "image/bmp")),
        (b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 48, ("audio", "audio/wav")),
        (b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 48, ("video", "video/x-msvideo")),
        (b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 52, ("audio", "audio/mp4")),
        (b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 52, ("video", "video/quicktime")),
        (b"\x00\x00\x00\x20ftypisom" + b"\x00" * 52, ("video", "video/mp4")),
        (
            b"\x1a\x45\xdf\xa3\x01\x00\x00\x00\x00\x00\x00\x1fB\x82\x84webm" + b"\x00" * 40,
            ("video", "video/webm"),
        ),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 60, ("video", "video/x-matroska")),
        (b"ID3\x04" + b"\x00" * 60, ("audio", "audio/mpeg")),
        (b"\xff\xfb\x90\x00" + b"\x00" * 60, ("audio", "audio/mpeg")),
        (b"\xff\xf1\x50\x80" + b"\x00" * 60, ("audio", "audio/aac")),
        (b"%PDF-1.7" + b"\x00" * 56, None),
        (b"MZ\x90\x00" + b"\x00" * 60, None),
        (b"RIFF\x00\x00\x00\x00JUNK" + b"\x00" * 52, None),
    ],
)
def test_magic_bytes(head: bytes, expected: tuple[str, str] | None) -> None:
    assert sniff(head) == expected


@pytest.mark.parametrize(
    "url", ["ftp://x.org/a.png", "javascript:alert(1)", "file:///etc/passwd", "https://", "http://a b/c"]
)
def test_only_http_urls(url: str) -> None:
    with pytest.raises(InputError):
        check_url(url)
    assert check_url(" https://example.com/a.png ") == "https://example.com/a.png"


def test_probe_mp4_reads_duration_and_size(tmp_path: Path) -> None:
    av = pytest.importorskip("av")
    import numpy as np

    out = tmp_path / "clip.mp4"
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(20):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    facts = probe_mp4(out)
    assert facts is not None
    assert (facts.width, facts.height) == (64, 48)
    assert facts.duration_s is not None
    assert 1.8 <= facts.duration_s <= 2.2
    not_mp4 = tmp_path / "x.mp4"
    not_mp4.write_bytes(io.BytesIO(b"hello world, not a video").getvalue())
    assert probe_mp4(not_mp4) is None
