"""The embedded backend moves to a new port every run; what belongs to it must not be lost with the port."""

from __future__ import annotations

from pathlib import Path

import pytest

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import BackendOptions, LocalBackend
from nemo_mcp.service.facade import NemoService
from nemo_mcp.service.sessions import Tuning


@pytest.mark.anyio
async def test_a_new_run_of_the_local_backend_keeps_its_sessions_and_token(
    tmp_path: Path, isolated_env: Path, sample_png: Path
) -> None:
    base = Settings.from_env(
        {
            "HOME": str(isolated_env),
            "NEMO_MCP_ALLOWED_DIRS": str(tmp_path),
            "NEMO_MCP_DATA_DIR": str(tmp_path / "data"),
            "NEMO_MCP_CONFIG_DIR": str(tmp_path / "config"),
        },
        cwd=tmp_path,
    )
    with LocalBackend(base.local_backend_dir, options=BackendOptions()) as first:
        first_settings = base.with_local_backend(first.url)
        async with NemoService.open(first_settings) as service:
            uploaded = await service.uploads.upload([str(sample_png)])
        assert first.stats.requests.get("token") == 1

    with LocalBackend(base.local_backend_dir, options=BackendOptions()) as second:
        second_settings = base.with_local_backend(second.url)
        assert second.url != first.url
        assert second_settings.scope == first_settings.scope
        async with NemoService.open(second_settings) as service:
            assert (await service.workspace.latest_id()) == uploaded.session_id
            state = await service.state(uploaded.session_id)
        assert state.session_id == uploaded.session_id
        assert [m.name for m in state.media] == [sample_png.name]
        # The cached token was reused: the second run never asked for a new one.
        assert second.stats.requests.get("token", 0) == 0


def test_a_remote_api_is_scoped_by_its_url(tmp_path: Path) -> None:
    settings = Settings.from_env({"HOME": str(tmp_path), "NEMO_API_URL": "http://127.0.0.1:9"})
    assert settings.scope == "http://127.0.0.1:9"
    local = settings.with_local_backend("http://127.0.0.1:5000")
    assert local.scope.startswith("local:")
    assert local.with_api_url("http://127.0.0.1:9").scope == "http://127.0.0.1:9"


def test_renders_on_the_embedded_backend_are_polled_quickly(tmp_path: Path) -> None:
    settings = Settings.from_env({"HOME": str(tmp_path)})
    cloud = Tuning.of(settings).poll
    assert (cloud.first_s, cloud.factor, cloud.max_s) == (2.0, 1.5, 15.0), "the contract's backoff (§5)"
    local = Tuning.of(settings.with_local_backend("http://127.0.0.1:5000")).poll
    assert local.first_s <= 0.1
    assert local.max_s <= 1.0
    assert local.timeout_s == cloud.timeout_s
