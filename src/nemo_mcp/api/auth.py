"""Who we are to the API: the client id (created once, reused), the token cache (mode 0600), and the
`Authenticator` that finds, fetches and renews the token.

Tokens are rate limited per client id (1 per 7 days), so the cache matters: a restarted process reuses
the cached token until it expires or the API refuses it. The cache is keyed by the backend's scope. The
token is never logged and stays out of every repr.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import httpx

from nemo_mcp.api.headers import attribution_headers
from nemo_mcp.api.http import CONNECT_TIMEOUT_S, LazyHttpClient, Who, error_for, network_error, read_answer
from nemo_mcp.api.wire import TokenGrant, parse
from nemo_mcp.config import MAX_CLIENT_ID_LENGTH, Settings
from nemo_mcp.errors import ConfigError, RateLimitedError, TokenExpiredError
from nemo_mcp.files import write_private

logger = logging.getLogger(__name__)

# Refresh a little before the stated expiry so a call never starts with a token about to lapse.
EXPIRY_MARGIN = timedelta(minutes=5)
# A token without a stated expiry is treated as valid for the documented 7 days.
DEFAULT_TOKEN_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class Credential:
    token: str = field(repr=False)
    user_id: str | None = None
    expires_at: datetime | None = None
    # False when the token came from NEMO_TOKEN: it cannot be renewed, and the user may be registered.
    anonymous: bool = True

    def usable(self, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return True
        return (now or datetime.now(UTC)) + EXPIRY_MARGIN < self.expires_at


def load_client_id(settings: Settings) -> str:
    """`NEMO_CLIENT_ID`, else the id in the config folder, else a fresh UUID saved there (once)."""
    if settings.client_id:
        if not (settings.client_id.isascii() and settings.client_id.isprintable()):
            raise ConfigError("NEMO_CLIENT_ID must be printable ASCII (it is sent in a header).")
        return settings.client_id
    path = settings.client_id_file
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    except OSError as exc:
        raise ConfigError(f"Cannot read the client id file {path}: {exc.strerror}.") from None
    if existing and len(existing) <= MAX_CLIENT_ID_LENGTH and existing.isascii() and existing.isprintable():
        return existing
    if existing:
        logger.warning("the client id in %s is not usable; creating a new one", path)
    new_id = str(uuid.uuid4())
    try:
        write_private(path, new_id + "\n")
    except OSError as exc:
        raise ConfigError(f"Cannot write the client id file {path}: {exc.strerror}.") from None
    logger.info("created a new client id in %s", path)
    return new_id


class TokenCache:
    """`token.json`: {backend: {client_id, token, user_id, expires_at}}, mode 0600."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def load(self, backend: str, client_id: str) -> Credential | None:
        entry = self._read().get(backend)
        if not isinstance(entry, dict) or entry.get("client_id") != client_id:
            return None
        token = entry.get("token")
        if not isinstance(token, str) or not token:
            return None
        expires: datetime | None = None
        raw = entry.get("expires_at")
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                expires = datetime.fromisoformat(raw)
        user = entry.get("user_id")
        credential = Credential(token, user if isinstance(user, str) else None, expires, anonymous=True)
        return credential if credential.usable() else None

    def save(self, backend: str, client_id: str, credential: Credential) -> None:
        entries = self._read()
        entries[backend] = {
            "client_id": client_id,
            "token": credential.token,
            "user_id": credential.user_id,
            "expires_at": credential.expires_at.isoformat() if credential.expires_at else None,
        }
        try:
            write_private(self._path, json.dumps(entries, indent=2))
        except OSError as exc:
            logger.warning("could not cache the token in %s (%s); continuing", self._path, exc.strerror)

    def forget(self, backend: str) -> None:
        entries = self._read()
        if entries.pop(backend, None) is not None:
            with contextlib.suppress(OSError):
                write_private(self._path, json.dumps(entries, indent=2))

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            logger.warning("ignoring an unreadable token cache at %s", self._path)
            return {}
        return data if isinstance(data, dict) else {}


class TokenStore(Protocol):
    """Where an anonymous token is kept between processes: `token.json` here, or Redis (encrypted, per user)
    when replicas share the identity (`server/shared/stores.py`)."""

    async def load(self, backend: str, client_id: str) -> Credential | None: ...

    async def save(self, backend: str, client_id: str, credential: Credential) -> None: ...

    async def forget(self, backend: str) -> None: ...


class FileTokens:
    """`TokenCache` behind `TokenStore`; the file work runs in a worker thread, off the event loop."""

    def __init__(self, cache: TokenCache) -> None:
        self.cache = cache

    async def load(self, backend: str, client_id: str) -> Credential | None:
        return await asyncio.to_thread(self.cache.load, backend, client_id)

    async def save(self, backend: str, client_id: str, credential: Credential) -> None:
        await asyncio.to_thread(self.cache.save, backend, client_id, credential)

    async def forget(self, backend: str) -> None:
        await asyncio.to_thread(self.cache.forget, backend)


class Authenticator:
    """The token of one backend: given (`NEMO_TOKEN`), cached, or fetched anonymously and renewed.

    `platform` is read for every token request, so the MCP client's name counts once it is known.
    """

    def __init__(
        self, http: LazyHttpClient, settings: Settings, platform: str, tokens: TokenStore | None = None
    ) -> None:
        self._http = http
        self._settings = settings
        self.platform = platform
        self._cache = tokens or FileTokens(TokenCache(settings.token_cache_file))
        self.credential: Credential | None = (
            Credential(settings.token, anonymous=False) if settings.token else None
        )
        self._client_id: str | None = None
        self._lock = asyncio.Lock()
        self.token_requests = 0

    @property
    def _api(self) -> str:
        return self._settings.api_url.rstrip("/")

    def who(self) -> Who:
        credential = self.credential
        user = credential.user_id if credential else None
        anonymous = credential is None or credential.anonymous or (user or "").startswith("anon_")
        return Who(self._settings.web_url.rstrip("/"), user, anonymous)

    def remember_user(self, user_id: str | None) -> None:
        """Sessions and states name the user; keep it for the registration link."""
        c = self.credential
        if user_id and c and c.user_id != user_id:
            self.credential = Credential(c.token, user_id, c.expires_at, c.anonymous)

    async def ensure(self) -> Credential:
        credential = self.credential
        if credential is not None and (not credential.anonymous or credential.usable()):
            return credential
        async with self._lock:
            if self.credential is not None and self.credential.usable():
                return self.credential
            # Files are read and written in a worker thread: the event loop serves other calls meanwhile.
            client_id = await asyncio.to_thread(self._load_client_id)
            cached = await self._cache.load(self._settings.scope, client_id)
            if cached is not None:
                logger.debug("using the cached anonymous token")
                self.credential = cached
                return cached
            self.credential = await self._new_token(client_id)
            return self.credential

    async def renew(self, refused: Credential) -> bool:
        """The API refused `refused`: get a new anonymous token (once per refusal). False if impossible."""
        if not refused.anonymous:
            return False
        async with self._lock:
            if self.credential is not None and self.credential.token != refused.token:
                return True  # another call already renewed it
            client_id = await asyncio.to_thread(self._load_client_id)
            await self._cache.forget(self._settings.scope)
            logger.info("the API refused the token; requesting a new anonymous token")
            self.credential = await self._new_token(client_id)
            return True

    async def rate_limit_wait(self) -> None:
        wait = self._settings.rate_limit_wait_seconds
        logger.info("rate limited by the API; retrying once in %.0f s", wait)
        await asyncio.sleep(wait)

    def _load_client_id(self) -> str:
        self._client_id = self._client_id or load_client_id(self._settings)
        return self._client_id

    async def _new_token(self, client_id: str) -> Credential:
        headers = {**attribution_headers(self.platform), "X-Client-Id": client_id}
        for attempt in (1, 2):
            self.token_requests += 1
            try:
                http = await self._http.get()
                response = await http.post(
                    f"{self._api}/api/auth/anonymous-token",
                    headers=headers,
                    timeout=httpx.Timeout(self._settings.request_timeout_seconds, connect=CONNECT_TIMEOUT_S),
                )
            except httpx.HTTPError as exc:
                raise network_error(exc, self._api) from None
            data, failure = read_answer(response)
            if failure is None:
                return await self._granted(client_id, parse(TokenGrant, data, "token"))
            error = error_for(failure, self.who(), token_call=True)
            if isinstance(error, RateLimitedError) and attempt == 1:
                await self.rate_limit_wait()
                continue
            if isinstance(error, TokenExpiredError):
                raise TokenExpiredError(
                    "The NemoVideo API refused to issue an anonymous token.",
                    status=error.status,
                    code=error.code,
                    hint="Set NEMO_TOKEN to a token from your NemoVideo account.",
                )
            raise error
        raise AssertionError("unreachable")  # pragma: no cover

    async def _granted(self, client_id: str, grant: TokenGrant) -> Credential:
        expires: datetime | None = grant.expires_at or datetime.now(UTC) + DEFAULT_TOKEN_LIFETIME
        credential = Credential(grant.token, grant.user_id, expires, anonymous=True)
        if not credential.usable():
            # A brand-new token that already looks expired means the clocks disagree. Asking again
            # would burn the per-client limit; use it until the API itself refuses it.
            logger.info("the new token's expiry is near or past by this clock; using it until refused")
            credential = Credential(grant.token, grant.user_id, None, anonymous=True)
        await self._cache.save(self._settings.scope, client_id, credential)
        logger.info("got a new anonymous token")
        return credential
