"""The one-shot commands, run the way a person runs them: a subprocess, a fresh home, the local backend."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import av
import pytest

from nemo_mcp.cli.progress import TerminalProgressSink
from nemo_mcp.service.models import ProgressUpdate


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEMO_", "XDG_", "SKILL_SOURCE"))}
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env.update(
        HOME=str(home), NEMO_MCP_DATA_DIR=str(tmp_path / "data"), NEMO_MCP_CONFIG_DIR=str(tmp_path / "config")
    )
    env.update(extra)
    return env


def _nemo(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nemo_mcp", *args],
        cwd=tmp_path,
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=240,
    )


def _assert_clip(path: Path) -> None:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (1280, 720)
        assert container.duration is not None
        assert container.duration / 1_000_000 == pytest.approx(5.0, abs=0.1)


@pytest.mark.slow
def test_demo_writes_nemo_demo_mp4_on_a_fresh_machine(tmp_path: Path) -> None:
    done = _nemo(tmp_path, "demo")
    assert done.returncode == 0, done.stderr
    target = tmp_path / "nemo-demo.mp4"
    assert done.stdout.strip() == str(target)
    _assert_clip(target)
    assert "Timeline" in done.stderr
    assert 'Title: "Hello from nemo-mcp"' in done.stderr  # the demo shows a title and music
    assert "BGM: a calm track" in done.stderr
    assert "the video agent:" in done.stderr
    assert "made in" in done.stderr
    # Piped: plain progress lines, no carriage-return bar.
    assert "\r" not in done.stderr


@pytest.mark.slow
def test_animate_local_writes_the_requested_file(tmp_path: Path, sample_png: Path) -> None:
    out = tmp_path / "clips" / "mine.mp4"
    done = _nemo(
        tmp_path,
        "animate",
        str(sample_png),
        "animate this image into a 5-second video clip",
        "-o",
        str(out),
        "--local",
        NEMO_MCP_OUTPUT_DIR=str(tmp_path / "out"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    _assert_clip(out)
    assert sum(1 for line in done.stderr.splitlines() if line.startswith("[")) >= 3


def test_errors_are_one_clean_line(tmp_path: Path) -> None:
    done = _nemo(tmp_path, "animate", str(tmp_path / "missing.png"), "animate it", "--local")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("nemo-mcp: ")
    assert "Traceback" not in done.stderr


def test_credits_on_the_local_backend_say_it_is_not_metered(tmp_path: Path) -> None:
    done = _nemo(tmp_path, "credits", NEMO_MCP_BACKEND="local")
    assert done.returncode == 0, done.stderr
    assert "cost no credits" in done.stdout
    assert "register" not in done.stdout


def test_progress_is_a_bar_on_a_terminal_and_lines_when_piped() -> None:
    tty = io.StringIO()
    bar = TerminalProgressSink(tty, tty=True)
    bar.show(ProgressUpdate(message="rendering", fraction=0.6))
    bar.finish()
    assert tty.getvalue().startswith("\r\x1b[2K[")
    assert " 60%" in tty.getvalue()
    assert tty.getvalue().endswith("\n")

    piped = io.StringIO()
    lines = TerminalProgressSink(piped, tty=False)
    lines.show(ProgressUpdate(message="uploading 12 MB"))
    lines.show(ProgressUpdate(message="uploading 12 MB"))
    lines.show(ProgressUpdate(message="rendering", fraction=0.6))
    assert piped.getvalue().splitlines() == ["[0 s] uploading 12 MB", "[0 s] rendering"]


def test_a_taken_port_is_one_clean_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        for command in (["serve", "--http", "--port", port], ["local-backend", "--port", port]):
            done = _nemo(tmp_path, *command)
            assert done.returncode == 1, done.stderr
            (line,) = done.stderr.strip().splitlines()
            assert line.startswith(f"nemo-mcp: Cannot listen on 127.0.0.1:{port}: ")
            assert line.endswith("choose another with --port.")
