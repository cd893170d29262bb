"""Replica settings and identities, checked without a server: one clear line for each mistake."""

from __future__ import annotations

import pytest

from nemo_mcp.cli.main import main
from nemo_mcp.errors import ConfigError
from nemo_mcp.server.shared.config import SharedSettings
from nemo_mcp.server.shared.identity import TokenCipher, client_id_for, user_key
from tests.replicas.helpers import SECRET_KEY

REDIS = "redis://127.0.0.1:6390/0"
AUTH = {
    "NEMO_MCP_AUTH_ISSUER": "https://login.example.com",
    "NEMO_MCP_AUTH_AUDIENCE": "https://nemo.example.com/mcp",
    "NEMO_MCP_AUTH_JWKS_URL": "https://login.example.com/jwks.json",
}


def test_without_redis_nothing_changes() -> None:
    assert SharedSettings.from_env({}) is None


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"NEMO_MCP_REDIS_URL": REDIS}, "NEMO_MCP_SECRET_KEY"),
        ({"NEMO_MCP_REDIS_URL": REDIS, "NEMO_MCP_SECRET_KEY": "short"}, "at least 32"),
        ({"NEMO_MCP_REDIS_URL": "http://redis", "NEMO_MCP_SECRET_KEY": SECRET_KEY}, "redis://"),
        ({**AUTH}, "needs NEMO_MCP_REDIS_URL"),
        ({"NEMO_MCP_AUTH_ISSUER": "https://login.example.com"}, "missing: NEMO_MCP_AUTH_AUDIENCE"),
        (
            {"NEMO_MCP_REDIS_URL": REDIS, "NEMO_MCP_SECRET_KEY": SECRET_KEY, "NEMO_MCP_LEASE_SECONDS": "30"},
            "0.5 to 10",
        ),
        (
            {"NEMO_MCP_REDIS_URL": REDIS, "NEMO_MCP_SECRET_KEY": SECRET_KEY, "NEMO_TOKEN": "t", **AUTH},
            "own NemoVideo",
        ),
    ],
)
def test_each_mistake_is_one_line_naming_the_variable(env: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigError, match=words) as raised:
        SharedSettings.from_env(env)
    assert "\n" not in str(raised.value)


def test_the_public_url_and_audience_are_accepted_hosts() -> None:
    env = {"NEMO_MCP_REDIS_URL": REDIS, "NEMO_MCP_SECRET_KEY": SECRET_KEY, **AUTH}
    shared = SharedSettings.from_env(
        {**env, "NEMO_MCP_PUBLIC_URL": "https://nemo.example.com:8443"}, allowed_host="lb.internal:80"
    )
    assert shared is not None
    assert shared.hosted
    assert shared.public_hosts() == [
        "nemo.example.com:8443",
        "nemo.example.com:443",
        "nemo.example.com",
        "lb.internal:80",
    ]
    assert shared.public_origins() == ["https://nemo.example.com:8443", "https://nemo.example.com"]
    assert SECRET_KEY not in repr(shared)
    assert REDIS not in repr(shared)


def test_identities_are_derived_stable_and_apart() -> None:
    secret = SECRET_KEY.encode()
    alice, bob = user_key(secret, "https://iss", "alice"), user_key(secret, "https://iss", "bob")
    assert alice != bob
    assert alice == user_key(secret, "https://iss", "alice")
    assert user_key(secret, "https://other", "alice") != alice  # the user is (issuer, subject)
    assert user_key(b"another secret key, just as long.....", "https://iss", "alice") != alice
    ids = {client_id_for(secret, alice), client_id_for(secret, bob)}
    assert len(ids) == 2
    assert all(len(cid) <= 64 and cid.isascii() and cid.isprintable() for cid in ids)
    assert "alice" not in "".join(ids)


def test_a_sealed_token_opens_only_where_it_was_stored_and_with_the_same_secret() -> None:
    cipher = TokenCipher(SECRET_KEY.encode())
    sealed = cipher.seal("nmv_usr_secret", "nemo-mcp:x:u:alice:token")
    assert "nmv_usr_secret" not in sealed
    assert cipher.open(sealed, "nemo-mcp:x:u:alice:token") == "nmv_usr_secret"
    assert cipher.open(sealed, "nemo-mcp:x:u:bob:token") is None
    assert (
        TokenCipher(b"another secret key, just as long.....").open(sealed, "nemo-mcp:x:u:alice:token") is None
    )
    assert cipher.open("not base64!", "k") is None


@pytest.mark.parametrize(
    ("argv", "env", "words"),
    [
        (
            ["serve", "--http", "--local"],
            {"NEMO_MCP_REDIS_URL": REDIS, "NEMO_MCP_SECRET_KEY": SECRET_KEY},
            "--local",
        ),
        (["serve", "--http", "--local", "--redis", REDIS], {"NEMO_MCP_SECRET_KEY": SECRET_KEY}, "CPU"),
        (["serve", "--redis", REDIS], {"NEMO_MCP_SECRET_KEY": SECRET_KEY}, "add --http"),
        (["serve", "--http"], AUTH, "needs NEMO_MCP_REDIS_URL"),
    ],
)
def test_serve_refuses_with_one_line_and_exit_2(
    argv: list[str],
    env: dict[str, str],
    words: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert words in err
    assert len(err.splitlines()) == 1, err
