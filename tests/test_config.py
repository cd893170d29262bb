from __future__ import annotations

import os
from pathlib import Path

import pytest

from nemo_mcp.config import DEFAULT_API_URL, DEFAULT_WAIT_SECONDS, Settings
from nemo_mcp.errors import ConfigError


def test_defaults_point_at_the_cloud_and_home(tmp_path: Path) -> None:
    home = tmp_path / "h"
    settings = Settings.from_env({"HOME": str(home)}, cwd=tmp_path / "work")
    assert settings.api_url == DEFAULT_API_URL
    assert settings.backend == "cloud"
    assert settings.output_dir == home / "nemo-videos"
    assert settings.allowed_dirs == (home, tmp_path / "work")
    assert settings.wait_seconds == DEFAULT_WAIT_SECONDS
    assert settings.client_id_file == home / ".config" / "nemovideo" / "client_id"


@pytest.mark.parametrize("here", ["/", "/etc", "/usr/local/bin", "/var/lib/app", "/tmp", "/home", "HOME/.."])
def test_the_default_allowed_folders_never_open_the_whole_disk(tmp_path: Path, here: str) -> None:
    home = tmp_path / "me"
    cwd = Path(here.replace("HOME", str(home)))
    assert Settings.from_env({"HOME": str(home)}, cwd=cwd).allowed_dirs == (home,)
    assert Settings.from_env({"HOME": "/"}, cwd=Path("/")).allowed_dirs == ()  # a home of / opens nothing
    assert Settings.from_env({"HOME": str(home), "NEMO_MCP_ALLOWED_DIRS": "/"}, cwd=cwd).allowed_dirs == (
        Path("/"),
    )  # unless asked for


def test_reads_every_variable(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path),
        "NEMO_API_URL": "http://127.0.0.1:9999/",
        "NEMO_WEB_URL": "https://example.test",
        "NEMO_TOKEN": "nmv_usr_secret",
        "NEMO_CLIENT_ID": "abc",
        "SKILL_SOURCE": "cursor",
        "NEMO_MCP_BACKEND": "LOCAL",
        "NEMO_MCP_OUTPUT_DIR": "~/out",
        "NEMO_MCP_ALLOWED_DIRS": os.pathsep.join(["pics", "/srv/media"]),
        "NEMO_MCP_WAIT_SECONDS": "12.5",
        "NEMO_MCP_RATE_LIMIT_WAIT": "0",
        "NEMO_MCP_REQUEST_TIMEOUT": "12",
        "NEMO_MCP_RECOVERY_DELAY": "5",
    }
    settings = Settings.from_env(env, cwd=tmp_path)
    assert settings.api_url == "http://127.0.0.1:9999"
    assert settings.backend == "local"
    assert settings.output_dir == tmp_path / "out"
    assert settings.allowed_dirs == (tmp_path / "pics", Path("/srv/media"))
    assert settings.wait_seconds == 12.5
    assert settings.rate_limit_wait_seconds == 0
    assert settings.request_timeout_seconds == 12
    assert settings.recovery_delay_seconds == 5
    assert settings.skill_source == "cursor"


def test_token_never_appears_in_repr(tmp_path: Path) -> None:
    settings = Settings.from_env({"HOME": str(tmp_path), "NEMO_TOKEN": "nmv_usr_TOPSECRET"})
    assert "TOPSECRET" not in repr(settings)
    assert "TOPSECRET" not in str(settings)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "NEMO_API_URL",
            "mega-api-prod.nemovideo.ai",
            "NEMO_API_URL='mega-api-prod.nemovideo.ai' is not an http(s) URL",
        ),
        ("NEMO_API_URL", "ftp://host", "is not an http(s) URL"),
        ("NEMO_WEB_URL", "nemovideo", "NEMO_WEB_URL='nemovideo' is not an http(s) URL"),
        ("NEMO_MCP_WAIT_SECONDS", "soon", "NEMO_MCP_WAIT_SECONDS='soon' is not a number"),
        ("NEMO_MCP_WAIT_SECONDS", "0", "must be a positive number of seconds"),
        ("NEMO_MCP_WAIT_SECONDS", "-3", "must be a positive number of seconds"),
        ("NEMO_MCP_WAIT_SECONDS", "nan", "must be a positive number of seconds"),
        ("NEMO_MCP_WAIT_SECONDS", "600", "is too long"),
        ("NEMO_MCP_BACKEND", "gpu", "NEMO_MCP_BACKEND='gpu' is not valid; use 'cloud' or 'local'"),
        ("NEMO_CLIENT_ID", "x" * 65, "at most 64"),
        ("NEMO_MCP_ALLOWED_DIRS", os.pathsep, "is empty"),
        ("NEMO_MCP_RATE_LIMIT_WAIT", "-1", "must be zero or a positive number"),
        ("NEMO_MCP_REQUEST_TIMEOUT", "0", "must be more than 0 and at most 300"),
        ("NEMO_MCP_REQUEST_TIMEOUT", "3600", "must be more than 0 and at most 300"),
        ("NEMO_MCP_RECOVERY_DELAY", "later", "is not a number"),
    ],
)
def test_bad_values_fail_with_one_clear_line(tmp_path: Path, name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"HOME": str(tmp_path), name: value})
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_cli_prints_bad_setting_as_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from nemo_mcp.cli.main import main

    monkeypatch.setenv("NEMO_MCP_WAIT_SECONDS", "abc")
    assert main(["credits"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "nemo-mcp: configuration error: NEMO_MCP_WAIT_SECONDS='abc' is not a number; give seconds, e.g. 45."
    ]


def test_the_http_key_is_long_enough_and_never_shown(tmp_path: Path) -> None:
    key = "s3cret-" + "k" * 30
    settings = Settings.from_env({"HOME": str(tmp_path), "NEMO_MCP_HTTP_KEY": key})
    assert settings.http_key == key
    assert key not in repr(settings)
    for bad in ("short", "k" * 31, "with space " + "k" * 30, "ключ" * 10):
        with pytest.raises(ConfigError, match="NEMO_MCP_HTTP_KEY") as caught:
            Settings.from_env({"HOME": str(tmp_path), "NEMO_MCP_HTTP_KEY": bad})
        assert bad not in str(caught.value)
