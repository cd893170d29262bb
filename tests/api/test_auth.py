"""The client id (created once, reused, 0600) and the token cache (per API URL and client id, 0600)."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nemo_mcp.api.auth import Credential, TokenCache, load_client_id
from nemo_mcp.config import Settings


def test_client_id_is_created_once_and_reused(tmp_path: Path) -> None:
    settings = Settings(config_dir=tmp_path / "cfg")
    first = load_client_id(settings)
    assert settings.client_id_file.read_text().strip() == first
    assert stat.S_IMODE(settings.client_id_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.config_dir.stat().st_mode) == 0o700
    assert load_client_id(settings) == first


def test_client_id_from_the_environment_wins_and_writes_nothing(tmp_path: Path) -> None:
    settings = Settings(config_dir=tmp_path / "cfg", client_id="my-own-id")
    assert load_client_id(settings) == "my-own-id"
    assert not settings.client_id_file.exists()


def test_an_unusable_client_id_file_is_replaced(tmp_path: Path) -> None:
    settings = Settings(config_dir=tmp_path / "cfg")
    settings.config_dir.mkdir()
    settings.client_id_file.write_text("x" * 200)
    new = load_client_id(settings)
    assert len(new) == 36
    assert settings.client_id_file.read_text().strip() == new


def test_token_cache_is_private_and_scoped(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "cfg" / "token.json")
    later = datetime.now(UTC) + timedelta(days=7)
    cache.save("http://a", "client-1", Credential("nmv_usr_a", "anon_1", later))
    assert stat.S_IMODE((tmp_path / "cfg" / "token.json").stat().st_mode) == 0o600
    loaded = cache.load("http://a", "client-1")
    assert loaded is not None
    assert (loaded.token, loaded.user_id) == ("nmv_usr_a", "anon_1")
    assert "nmv_usr_a" not in repr(loaded)
    assert cache.load("http://b", "client-1") is None
    assert cache.load("http://a", "client-2") is None
    cache.save(
        "http://b", "client-1", Credential("nmv_usr_b", None, datetime.now(UTC) - timedelta(seconds=1))
    )
    assert cache.load("http://b", "client-1") is None  # expired
    cache.forget("http://a")
    assert cache.load("http://a", "client-1") is None


def test_unreadable_token_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    path.write_text("{not json")
    assert TokenCache(path).load("http://a", "c") is None


def test_header_unsafe_ids_and_tokens_are_config_errors(tmp_path: Path) -> None:
    import httpx
    import pytest

    from nemo_mcp.api.client import NemoClient
    from nemo_mcp.errors import ConfigError

    with pytest.raises(ConfigError, match="NEMO_CLIENT_ID"):
        load_client_id(Settings(config_dir=tmp_path, client_id="café"))
    with pytest.raises(ConfigError, match="NEMO_TOKEN") as caught:
        NemoClient(httpx.AsyncClient(), Settings(token="nmv_usr_ü"))
    assert "nmv_usr_ü" not in str(caught.value)
