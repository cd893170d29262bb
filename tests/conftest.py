"""Every test runs with its own home, config and data folders and a clean NEMO_* environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import BackendOptions, LocalBackend
from tests.support import settings_for


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import os

    for name in list(os.environ):
        if name.startswith(("NEMO_", "SKILL_SOURCE", "XDG_")):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    return home


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# ---- the embedded local backend (nemo_mcp.local) ---------------------------------------------------------


@pytest.fixture
def local_backend(tmp_path: Path) -> Iterator[LocalBackend]:
    """A fresh local backend on an ephemeral loopback port: admin routes on, quick heartbeats."""
    options = BackendOptions(admin=True, heartbeat_interval_s=0.2, metered=True)
    backend = LocalBackend(tmp_path / "backend-data", options=options).start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture
def local_settings(local_backend: LocalBackend, tmp_path: Path, isolated_env: Path) -> Settings:
    """Settings pointing at `local_backend`, with every folder under tmp_path and no rate-limit wait."""
    return settings_for(local_backend.url, home=isolated_env, tmp_path=tmp_path, allowed=tmp_path)


@pytest.fixture
def sample_png(tmp_path: Path) -> Path:
    """A small real PNG: a 640x480 colour gradient."""
    import numpy as np
    from PIL import Image

    width, height = 640, 480
    xs = np.linspace(0, 255, width, dtype=np.uint8)[None, :].repeat(height, axis=0)
    ys = np.linspace(0, 255, height, dtype=np.uint8)[:, None].repeat(width, axis=1)
    pixels = np.dstack([xs, ys, np.full((height, width), 128, dtype=np.uint8)])
    path = tmp_path / "sample.png"
    Image.fromarray(pixels, "RGB").save(path)
    return path
