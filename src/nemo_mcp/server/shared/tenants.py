"""One replica process: Redis, the job engine, one HTTP client, and a `ServerState` per user.

Without OAuth every call is the one shared identity (`SHARED_USER`); with OAuth (hosted mode) `current()`
picks the caller's own state from their verified token: their own NemoVideo client id and token, sessions,
jobs and exports, so credits and work never cross users. Hosted, the server's disk is nobody's: uploads
take URLs only and exports answer with the backend's download link.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import anyio
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver.exceptions import ToolError

from nemo_mcp.api.http import HttpClient, open_http_client
from nemo_mcp.config import Settings
from nemo_mcp.errors import JobCancelledError, PathNotAllowedError, UnauthorizedError
from nemo_mcp.server.board import JobControl, Work
from nemo_mcp.server.shared.board import RedisJobs
from nemo_mcp.server.shared.codec import decode_snapshot
from nemo_mcp.server.shared.config import SharedSettings
from nemo_mcp.server.shared.engine import Engine
from nemo_mcp.server.shared.identity import SHARED_USER, TokenCipher, client_id_for, user_key
from nemo_mcp.server.shared.keys import Keys
from nemo_mcp.server.shared.oauth import JwtVerifier, auth_settings
from nemo_mcp.server.shared.redis_io import SharedRedis
from nemo_mcp.server.shared.stores import RedisExports, RedisHandles, RedisSessions, RedisTokens
from nemo_mcp.server.tools.common import ServerState
from nemo_mcp.server.tools.export import export_work
from nemo_mcp.server.tools.guarded import GuardedJobs
from nemo_mcp.service.facade import NemoService
from nemo_mcp.service.media import is_url
from nemo_mcp.service.models import ProgressUpdate, TurnOutcome, UploadOutcome
from nemo_mcp.service.progress import ProgressSink
from nemo_mcp.service.stores import Stores
from nemo_mcp.service.uploads import Uploads

log = logging.getLogger(__name__)

# Users whose service objects stay built; the rest are rebuilt on their next call (all their state is in Redis).
USERS_CACHED = 1000


class UrlOnlyUploads(Uploads):
    """Hosted uploads: http(s) links only. A path would name a file on the server's disk, never the caller's."""

    async def upload(
        self,
        sources: Sequence[str],
        session_id: str | None = None,
        progress: ProgressSink | None = None,
        *,
        new_session: bool = False,
    ) -> UploadOutcome:
        for source in [sources] if isinstance(sources, str) else sources:
            if isinstance(source, str) and source.strip() and not is_url(source):
                shown = source.strip()[:60]
                raise PathNotAllowedError(
                    f"{shown!r} is not an http(s) URL. This server is hosted: it cannot read files on your "
                    "computer, and it does not read its own disk.",
                    hint="Put the photo where a link reaches it (https://…) and upload that link.",
                )
        return await super().upload(sources, session_id, progress, new_session=new_session)


class Replica:
    """What one replica shares between its users."""

    def __init__(self, settings: Settings, shared: SharedSettings) -> None:
        self.settings = settings
        self.shared = shared
        self.redis = SharedRedis(shared.redis_url, Keys.for_scope(settings.scope))
        self.engine = Engine(self.redis, shared.replica, shared.lease_s, self.resume_work)
        self._cipher = TokenCipher(shared.secret_key)
        self._verifier = JwtVerifier(shared.auth) if shared.auth else None
        self._http: HttpClient | None = None
        self._states: OrderedDict[str, ServerState] = OrderedDict()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handover = anyio.Event()

    def server_options(self) -> dict[str, Any]:
        """What `MCPServer` needs to be an OAuth resource server (nothing without OAuth)."""
        if self.shared.auth is None or self._verifier is None:
            return {}
        return {"auth": auth_settings(self.shared.auth), "token_verifier": self._verifier}

    @asynccontextmanager
    async def open(self) -> AsyncIterator[ServerState]:
        """The lifespan: the HTTP client, the engine's tasks, and the state the tools start from."""
        async with open_http_client() as http, anyio.create_task_group() as tg:
            self._http = http
            self._loop = asyncio.get_running_loop()
            self.engine.serve(tg)
            tg.start_soon(self._handover_on_request)
            root = self.state_for(SHARED_USER)
            if self.shared.hosted:
                root = replace(root, tenants=self.current)
            try:
                yield root
            finally:
                await self.engine.handover()
                tg.cancel_scope.cancel()
        await self.redis.close()

    def request_handover(self) -> None:
        """From the signal handler: hand the work over now, before the server drains its connections."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._handover.set)

    async def _handover_on_request(self) -> None:
        await self._handover.wait()
        await self.engine.handover()

    def current(self) -> ServerState:
        """The caller's own state, from the token the HTTP layer verified."""
        token = get_access_token()
        if token is None or not token.subject or self.shared.auth is None:
            raise ToolError(str(UnauthorizedError("This call carries no verified user.")))
        issuer = str((token.claims or {}).get("iss") or self.shared.auth.issuer)
        return self.state_for(user_key(self.shared.secret_key, issuer, token.subject))

    def state_for(self, user: str) -> ServerState:
        state = self._states.get(user)
        if state is not None:
            self._states.move_to_end(user)
            return state
        state = self._build(user)
        self._states[user] = state
        while len(self._states) > USERS_CACHED:
            self._states.popitem(last=False)
        return state

    def _build(self, user: str) -> ServerState:
        assert self._http is not None, "Replica.open has not run"
        settings, redis = self.settings, self.redis
        given = user == SHARED_USER and settings.client_id
        mine = replace(
            settings, client_id=settings.client_id if given else client_id_for(self.shared.secret_key, user)
        )
        stores = Stores(
            sessions=RedisSessions(redis, user, settings.scope),
            handles=RedisHandles(redis, user),
            tokens=None if settings.token else RedisTokens(redis, user, self._cipher),
        )
        service = NemoService(mine, self._http, stores=stores)
        if self.shared.hosted:
            service.uploads = UrlOnlyUploads(service.workspace)
        jobs = GuardedJobs(RedisJobs(self.engine, user))
        return ServerState(mine, jobs, RedisExports(redis, user), hosted=self.shared.hosted, ready=service)

    def resume_work(self, fields: dict[str, str]) -> Work[Any]:
        """The work that carries a claimed job on: the same render, or a turn recovered and never re-sent."""
        service = self.state_for(fields["user"]).service
        sid = fields["sid"]
        if fields.get("kind") == "export":
            return export_work(service, sid, json.loads(fields.get("facts") or "{}"))
        if fields.get("phase") != "sent" or not fields.get("before"):
            raise JobCancelledError(
                "The server that took this instruction stopped before sending it: it was not sent, and nothing "
                "was charged.",
                hint="Send it again with animate_image.",
            )
        before = decode_snapshot(fields["before"])

        async def recover(job: JobControl) -> TurnOutcome:
            note = "the server running this instruction stopped; following it from the session (never sent again)"
            await job.report(ProgressUpdate(message=note))
            return await service.turns.recover(sid, before, job.report)

        return recover


__all__ = ["Replica", "UrlOnlyUploads"]
