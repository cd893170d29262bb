"""The settings of a replica: Redis, the lease, the secret key, the OAuth issuer, the public URL.

Read from the environment (and two `serve` options), checked once at start-up, each mistake one line naming
the variable. Nothing here connects to anything. docs/deploy.md describes every variable and what it
guarantees.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from nemo_mcp.config import seconds_within
from nemo_mcp.errors import ConfigError

# A replica renews its leases every third of this; another takes a job over within about 1.25 of it.
DEFAULT_LEASE_SECONDS = 5.0
MIN_LEASE_SECONDS = 0.5
# 10 s leases still hand a killed replica's work over within 15 s (expiry, then a reaper pass).
MAX_LEASE_SECONDS = 10.0
MIN_SECRET_CHARS = 32


@dataclass(frozen=True)
class AuthConfig:
    """An OAuth 2.1 resource server: tokens from `issuer`, for `audience` (this endpoint's public URL)."""

    issuer: str
    audience: str
    jwks_url: str


@dataclass(frozen=True)
class SharedSettings:
    """Replicas sharing their state in Redis (and, with `auth`, serving many people)."""

    redis_url: str = field(repr=False)  # may carry a password
    secret_key: bytes = field(repr=False)
    lease_s: float = DEFAULT_LEASE_SECONDS
    auth: AuthConfig | None = None
    public_url: str | None = None
    allowed_host: str | None = None
    # Names this process in leases: unique per process, readable in logs.
    replica: str = field(
        default_factory=lambda: f"{socket.gethostname()[:24]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    )

    @property
    def hosted(self) -> bool:
        """Users come from OAuth: the server's disk is nobody's (URL uploads, exports as download links)."""
        return self.auth is not None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], *, redis_url: str | None = None, allowed_host: str | None = None
    ) -> SharedSettings | None:
        """The replica settings, or None when neither Redis nor OAuth is configured (one process, as ever)."""

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        url = (redis_url or "").strip() or get("NEMO_MCP_REDIS_URL")
        auth = _auth(get)
        if url is None:
            if auth is not None:
                raise ConfigError(
                    "NEMO_MCP_AUTH_ISSUER needs NEMO_MCP_REDIS_URL: each user's identity and work are kept in Redis."
                )
            return None
        if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
            raise ConfigError("NEMO_MCP_REDIS_URL must be a redis://, rediss:// or unix:// URL.")
        secret = get("NEMO_MCP_SECRET_KEY")
        if secret is None or len(secret) < MIN_SECRET_CHARS:
            raise ConfigError(
                f"NEMO_MCP_REDIS_URL needs NEMO_MCP_SECRET_KEY, at least {MIN_SECRET_CHARS} random characters: "
                "it derives each user's NemoVideo client id and encrypts their token in Redis."
            )
        if auth is not None and get("NEMO_TOKEN"):
            raise ConfigError(
                "NEMO_TOKEN cannot be used with NEMO_MCP_AUTH_ISSUER: every user gets their own NemoVideo identity."
            )
        public = get("NEMO_MCP_PUBLIC_URL")
        if public is not None:
            _http_url("NEMO_MCP_PUBLIC_URL", public)
        return cls(
            redis_url=url,
            secret_key=secret.encode("utf-8"),
            lease_s=seconds_within(
                "NEMO_MCP_LEASE_SECONDS",
                get("NEMO_MCP_LEASE_SECONDS"),
                DEFAULT_LEASE_SECONDS,
                least=MIN_LEASE_SECONDS,
                most=MAX_LEASE_SECONDS,
            ),
            auth=auth,
            public_url=public.rstrip("/") if public else None,
            allowed_host=(allowed_host or "").strip() or None,
        )

    def public_hosts(self) -> list[str]:
        """The Host headers this deployment is reached by, besides the replica's own address."""
        hosts: list[str] = []
        for url in (self.public_url, self.auth.audience if self.auth else None):
            if url:
                parts = urlsplit(url)
                default = 443 if parts.scheme == "https" else 80
                host = parts.hostname or ""
                name = f"[{host}]" if ":" in host else host
                hosts += [
                    f"{name}:{parts.port or default}",
                    *([name] if parts.port in (None, default) else []),
                ]
        if self.allowed_host:
            hosts.append(self.allowed_host)
        return list(dict.fromkeys(hosts))

    def public_origins(self) -> list[str]:
        origins = []
        for url in (self.public_url, self.auth.audience if self.auth else None):
            if url:
                parts = urlsplit(url)
                origins.append(f"{parts.scheme}://{parts.netloc}")
        return list(dict.fromkeys(origins))


def _auth(get: Callable[[str], str | None]) -> AuthConfig | None:
    names = ("NEMO_MCP_AUTH_ISSUER", "NEMO_MCP_AUTH_AUDIENCE", "NEMO_MCP_AUTH_JWKS_URL")
    values = [get(name) for name in names]
    if not any(values):
        return None
    missing = [name for name, value in zip(names, values, strict=True) if not value]
    if missing:
        raise ConfigError(f"OAuth needs all three of {', '.join(names)}; missing: {', '.join(missing)}.")
    issuer, audience, jwks = (str(v) for v in values)
    for name, value in zip(names, (issuer, audience, jwks), strict=True):
        _http_url(name, value)
    return AuthConfig(issuer=issuer, audience=audience.rstrip("/"), jwks_url=jwks)


def _http_url(name: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name}={value!r} is not an http(s) URL.")


__all__ = ["AuthConfig", "SharedSettings"]
