"""NemoService: the domain opened once, as the MCP server and the CLI use it. No MCP imports here.

Its parts do the work and are called directly (`service.uploads.upload(...)`,
`service.turns.send(...)`, `service.exports.export(...)`); what they share is the `workspace`
(settings, waits, the client, the known sessions). The state view and the credits are small enough to
live here. Every method may raise only `NemoError` subclasses. What it makes "just work": a token is
found or fetched (and renewed), a session is created on first need and remembered on disk, a session
the API forgot (1002) is replaced with a word that uploads are gone, a dropped stream is never answered
by sending the message again, and an export resumes the render a previous process left.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from nemo_mcp.api.client import NemoClient
from nemo_mcp.api.http import HttpClient, LazyHttpClient
from nemo_mcp.config import Settings
from nemo_mcp.errors import NemoError
from nemo_mcp.service.exports import Exports
from nemo_mcp.service.models import CreditsView, StateView
from nemo_mcp.service.session_store import KnownSession
from nemo_mcp.service.sessions import Tuning, Workspace
from nemo_mcp.service.stores import Stores
from nemo_mcp.service.timeline import ready_for_export, summary
from nemo_mcp.service.turns import Turns
from nemo_mcp.service.uploads import Uploads

logger = logging.getLogger(__name__)

CLAIM_LINK_TTL_S = 24 * 3600.0
# After a failed claim-token call, show the plain workspace link for this long before asking again.
CLAIM_RETRY_AFTER_S = 600.0


class NemoService:
    """One person's use of one NemoVideo API: a token, any number of sessions, the latest one remembered."""

    def __init__(
        self,
        settings: Settings,
        http: HttpClient | None = None,
        *,
        tuning: Tuning | None = None,
        stores: Stores | None = None,
    ) -> None:
        """`stores`: where sessions, render handles and the token live; files in the data and config
        folders unless given (replicas give Redis-backed ones, per user). Without an HTTP client given,
        one is made on the first request and closed by `aclose`."""
        self._own_http: LazyHttpClient | None = None
        if http is None:
            http = self._own_http = LazyHttpClient()
        kept = stores or Stores()
        client = NemoClient(http, settings, tokens=kept.tokens)
        self.workspace = Workspace(settings, client, tuning or Tuning.of(settings), kept.sessions)
        self.uploads = Uploads(self.workspace)
        self.turns = Turns(self.workspace)
        self.exports = Exports(self.workspace, kept.handles)
        self._claims: dict[str, tuple[str, float]] = {}

    def __repr__(self) -> str:
        return f"NemoService(api_url={self.workspace.client.api_url!r})"

    @classmethod
    @asynccontextmanager
    async def open(
        cls, settings: Settings, *, http: HttpClient | None = None, tuning: Tuning | None = None
    ) -> AsyncIterator[NemoService]:
        """Open the service; `aclose` when the block ends."""
        service = cls(settings, http, tuning=tuning)
        try:
            yield service
        finally:
            await service.aclose()

    async def aclose(self) -> None:
        """Write the latest session if it moved (calls never write it); close the HTTP client made here
        (never one that was given)."""
        try:
            await self.workspace.sessions.flush()
        finally:
            if self._own_http is not None:
                await self._own_http.aclose()

    async def state(self, session_id: str | None = None) -> StateView:
        """A session's timeline, media, readiness to export and web link."""
        ws = self.workspace
        record = await ws.resolve(session_id, create=False)
        snapshot = await ws.snapshot(record)
        media = snapshot.media
        if ws.settings.embedded:  # loopback URLs with a port that dies with the process: names only
            media = [item.model_copy(update={"url": None}) for item in media]
        return StateView(
            session_id=record.session_id,
            timeline=summary(snapshot.tracks),
            tracks=snapshot.tracks,
            media=media,
            ready_to_export=ready_for_export(snapshot.draft),
            web_url=None if ws.settings.embedded else await self._web_link(record, snapshot.task_id),
        )

    async def _web_link(self, record: KnownSession, task_id: str | None) -> str | None:
        """A claim link that opens the task in the web app; `<web>/workspace` when none can be had."""
        web = self.workspace.settings.web_url.rstrip("/")
        cached = self._claims.get(record.session_id)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        task = task_id or record.task_id
        if not task:
            return f"{web}/workspace"
        try:
            claim = await self.workspace.client.claim_token(task, record.session_id)
        except NemoError as exc:
            logger.debug("no claim link: %s", type(exc).__name__)
            fallback = f"{web}/workspace"
            self._claims[record.session_id] = (fallback, time.monotonic() + CLAIM_RETRY_AFTER_S)
            return fallback
        link = f"{web}/workspace/claim?ct={quote(claim.claim_token, safe='')}"
        ttl = min(claim.expires_in or CLAIM_LINK_TTL_S, CLAIM_LINK_TTL_S) / 2
        self._claims[record.session_id] = (link, time.monotonic() + ttl)
        return link

    async def credits(self) -> CreditsView:
        """The balance, and for anonymous users the registration link."""
        client = self.workspace.client
        credits = await client.credits()
        if self.workspace.settings.embedded:
            # Rendering runs on this machine's CPU: nothing is charged and there is nowhere to register.
            return CreditsView(
                available=credits.available, frozen=0, total=credits.available, anonymous=False, metered=False
            )
        latest = await self.workspace.sessions.latest()
        user = client.user_id or (latest.user_id if latest else None)
        web = self.workspace.settings.web_url.rstrip("/")
        register = None
        if client.anonymous:
            register = f"{web}/register?bind={quote(user, safe='')}" if user else f"{web}/register"
        return CreditsView(
            available=credits.available,
            frozen=credits.frozen,
            total=credits.total_or_sum,
            anonymous=client.anonymous,
            register_url=register,
        )
