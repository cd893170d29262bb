"""One user's sessions, render handles, token and exports in Redis: the shared side of `service/stores.py`.

Every key is the user's own (`keys.py`), so one user's reads can never return another's records. Every
failure raises `SharedStateUnavailableError`: a handle that cannot be stored stops the render before it is
submitted, and nothing is ever answered from a local copy.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import asdict
from datetime import datetime
from typing import Any

from nemo_mcp.api.auth import Credential
from nemo_mcp.server.exported import Exported
from nemo_mcp.server.shared.identity import TokenCipher
from nemo_mcp.server.shared.keys import EXPORTS_KEPT, RENDERS_TTL_S, SESSIONS_TTL_S, TOKEN_TTL_S
from nemo_mcp.server.shared.redis_io import SharedRedis, shared_state
from nemo_mcp.service.renders import RenderHandle
from nemo_mcp.service.session_store import KnownSession

log = logging.getLogger(__name__)


def _session(raw: str | None, backend: str) -> KnownSession | None:
    if not raw:
        return None
    data = json.loads(raw)
    return KnownSession(
        str(data["session_id"]), data.get("task_id"), data.get("user_id"), backend, float(data["created_at"])
    )


class RedisSessions:
    """`SessionStore` for one user: `u:<user>:sessions`, `:replaced`, `:latest`."""

    def __init__(self, redis: SharedRedis, user: str, backend: str) -> None:
        self._redis = redis
        self._backend = backend
        keys = redis.keys
        self._sessions, self._replaced, self._latest = (
            keys.sessions(user),
            keys.replaced(user),
            keys.latest(user),
        )

    async def latest(self) -> KnownSession | None:
        with shared_state("reading your latest session"):
            raw = await self._redis.session_latest(keys=[self._sessions, self._latest])
        return _session(raw, self._backend)

    async def get(self, session_id: str) -> KnownSession | None:
        with shared_state("reading your sessions"):
            raw = await self._redis.session_get(keys=[self._sessions, self._replaced], args=[session_id])
        return _session(raw, self._backend)

    async def add(self, record: KnownSession, *, replaces: str | None = None) -> None:
        data = {k: v for k, v in asdict(record).items() if k != "backend"}
        with shared_state("recording a new session"):
            async with self._redis.main.pipeline(transaction=True) as pipe:
                pipe.hset(self._sessions, record.session_id, json.dumps(data))
                if replaces is not None and replaces != record.session_id:
                    pipe.hset(self._replaced, replaces, record.session_id)
                    pipe.expire(self._replaced, SESSIONS_TTL_S)
                pipe.expire(self._sessions, SESSIONS_TTL_S)
                pipe.set(self._latest, record.session_id, ex=SESSIONS_TTL_S)
                await pipe.execute()

    async def touch(self, session_id: str) -> None:
        with shared_state("recording your latest session"):
            await self._redis.session_touch(
                keys=[self._sessions, self._latest], args=[session_id, SESSIONS_TTL_S]
            )

    async def flush(self) -> None:
        """Nothing waits in memory: every change is in Redis already."""


class RedisHandles:
    """`HandleStore` for one user: `u:<user>:renders`, render id -> handle, until the video is delivered."""

    def __init__(self, redis: SharedRedis, user: str) -> None:
        self._redis = redis
        self._key = redis.keys.renders(user)

    async def save(self, handle: RenderHandle) -> None:
        with shared_state("recording the render before submitting it"):
            async with self._redis.main.pipeline(transaction=True) as pipe:
                pipe.hset(self._key, handle.render_id, json.dumps(asdict(handle)))
                pipe.expire(self._key, RENDERS_TTL_S)
                await pipe.execute()

    async def remove(self, render_id: str) -> None:
        with shared_state("filing a delivered render"):
            await self._redis.main.hdel(self._key, render_id)

    async def find(self, session_id: str, backend: str) -> RenderHandle | None:
        with shared_state("looking for a render to resume"):
            values = await self._redis.main.hvals(self._key)
        found: list[RenderHandle] = []
        for raw in values:
            with contextlib.suppress(ValueError, TypeError):
                handle = RenderHandle(**json.loads(raw))
                if handle.session_id == session_id and handle.backend == backend:
                    found.append(handle)
        return max(found, key=lambda h: h.created_at) if found else None


class RedisTokens:
    """`TokenStore` for one user: `u:<user>:token`, encrypted (identity.TokenCipher)."""

    def __init__(self, redis: SharedRedis, user: str, cipher: TokenCipher) -> None:
        self._redis = redis
        self._key = redis.keys.token(user)
        self._cipher = cipher

    async def load(self, backend: str, client_id: str) -> Credential | None:
        with shared_state("reading your NemoVideo token"):
            sealed = await self._redis.main.get(self._key)
        plain = self._cipher.open(str(sealed), self._key) if sealed else None
        if plain is None:
            if sealed:
                log.warning("a stored NemoVideo token does not decrypt (was NEMO_MCP_SECRET_KEY changed?)")
            return None
        entry: dict[str, Any] = json.loads(plain)
        if entry.get("backend") != backend or entry.get("client_id") != client_id:
            return None
        expires = datetime.fromisoformat(entry["expires_at"]) if entry.get("expires_at") else None
        credential = Credential(str(entry["token"]), entry.get("user_id"), expires, anonymous=True)
        return credential if credential.usable() else None

    async def save(self, backend: str, client_id: str, credential: Credential) -> None:
        entry = {
            "backend": backend,
            "client_id": client_id,
            "token": credential.token,
            "user_id": credential.user_id,
            "expires_at": credential.expires_at.isoformat() if credential.expires_at else None,
        }
        with shared_state("keeping your NemoVideo token"):
            await self._redis.main.set(
                self._key, self._cipher.seal(json.dumps(entry), self._key), ex=TOKEN_TTL_S
            )

    async def forget(self, backend: str) -> None:
        with shared_state("dropping a refused NemoVideo token"):
            await self._redis.main.delete(self._key)


class RedisExports:
    """`ExportLog` for one user: `u:<user>:exports`, newest first, the last hundred."""

    def __init__(self, redis: SharedRedis, user: str) -> None:
        self._redis = redis
        self._key = redis.keys.exports(user)

    async def add(self, item: Exported) -> None:
        with shared_state("listing your export"):
            async with self._redis.main.pipeline(transaction=True) as pipe:
                pipe.lpush(self._key, item.model_dump_json())
                pipe.ltrim(self._key, 0, EXPORTS_KEPT - 1)
                pipe.expire(self._key, SESSIONS_TTL_S)
                await pipe.execute()

    async def listing(self) -> list[dict[str, Any]]:
        with shared_state("reading your exports"):
            values = await self._redis.main.lrange(self._key, 0, -1)
        return [json.loads(raw) for raw in values]


__all__ = ["RedisExports", "RedisHandles", "RedisSessions", "RedisTokens"]
