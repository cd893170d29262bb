"""The domain facade the MCP server and the CLI call: sessions, uploads, turns, state, credits, export.

No MCP imports here. Every method may raise only `NemoError` subclasses. What it makes "just work":
a token is found or fetched (and renewed), a session is created on first need and remembered on disk,
a session the API forgot (1002) is replaced with a word that uploads are gone, a dropped stream is
never answered by sending the message again, and an export resumes the render a previous process left.

The work itself lives in the modules each method delegates to: `workspace` (sessions, progress,
snapshots), `uploads`, `turns` and `exports`; the state view and the credits are small enough to stay.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import httpx

from nemo_mcp.api.client import NemoClient
from nemo_mcp.api.http import DEFAULT_TIMEOUT
from nemo_mcp.config import Settings
from nemo_mcp.errors import NemoError
from nemo_mcp.service import turns, uploads
from nemo_mcp.service.exports import NOTHING_TO_EXPORT, Exports
from nemo_mcp.service.models import CreditsView, ExportOutcome, StateView, TurnOutcome, UploadOutcome
from nemo_mcp.service.session_store import SessionRecord
from nemo_mcp.service.sessions import (
    HEARTBEAT_LIMIT_S,
    RECOVERY_EVERY_S,
    RECOVERY_FIRST_S,
    RECOVERY_MAX_UNCHANGED,
    STILL_WORKING_EVERY_S,
    ProgressSink,
    Tuning,
    Workspace,
    language_of,
)
from nemo_mcp.service.timeline import ready_for_export, summary
from nemo_mcp.service.turns import MAX_INSTRUCTION_CHARS

__all__ = [
    "CLAIM_LINK_TTL_S",
    "CLAIM_RETRY_AFTER_S",
    "HEARTBEAT_LIMIT_S",
    "MAX_INSTRUCTION_CHARS",
    "NOTHING_TO_EXPORT",
    "RECOVERY_EVERY_S",
    "RECOVERY_FIRST_S",
    "RECOVERY_MAX_UNCHANGED",
    "STILL_WORKING_EVERY_S",
    "NemoService",
    "ProgressSink",
    "Tuning",
]

logger = logging.getLogger(__name__)

CLAIM_LINK_TTL_S = 24 * 3600.0
# After a failed claim-token call, show the plain workspace link for this long before asking again.
CLAIM_RETRY_AFTER_S = 600.0


class NemoService:
    """One person's use of one NemoVideo API: a token, any number of sessions, the latest one remembered."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient, *, tuning: Tuning | None = None) -> None:
        self._settings = settings
        self._tuning = tuning or Tuning()
        self._client = NemoClient(http, settings)
        self._ws = Workspace(settings, self._client, self._tuning)
        self._sessions = self._ws.sessions
        self._exports = Exports(self._ws)
        self._jobs = self._exports.jobs
        self._claims: dict[str, tuple[str, float]] = {}

    def __repr__(self) -> str:
        return f"NemoService(api_url={self._client.api_url!r})"

    @classmethod
    @asynccontextmanager
    async def open(
        cls, settings: Settings, *, http: httpx.AsyncClient | None = None, tuning: Tuning | None = None
    ) -> AsyncIterator[NemoService]:
        """Open the service; closes the HTTP client it created (never one it was given)."""
        own = http is None
        client = http or httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)
        service = cls(settings, client, tuning=tuning)
        try:
            yield service
        finally:
            await service._exports.stop()
            if own:
                await client.aclose()

    # --- identity and sessions ---------------------------------------------------------------------

    @property
    def client(self) -> NemoClient:
        return self._client

    @property
    def latest_session_id(self) -> str | None:
        latest = self._sessions.latest
        return latest.session_id if latest else None

    def set_platform(self, client_name: str | None) -> None:
        """The MCP client's name, used for X-Skill-Platform when SKILL_SOURCE is not set."""
        self._client.set_client_name(client_name)

    async def new_session(self, language: str | None = None) -> str:
        """Start a fresh session now (it becomes the latest) and return its id."""
        return await self._ws.new_session(language or language_of(""))

    # --- upload and one turn -----------------------------------------------------------------------

    async def upload(
        self,
        sources: Sequence[str],
        session_id: str | None = None,
        progress: ProgressSink | None = None,
        *,
        new_session: bool = False,
    ) -> UploadOutcome:
        """Upload local paths (checked: allowed folders, type by content, 50 MB) and/or http(s) URLs.

        Every source is checked before anything is sent; with `new_session` the fresh session is made
        only once they all passed. On 1002 the files go to a new session and `notice` says that earlier
        uploads are gone.
        """
        return await uploads.upload(self._ws, sources, session_id, progress, new_session=new_session)

    async def send_instruction(
        self, instruction: str, session_id: str | None = None, progress: ProgressSink | None = None
    ) -> TurnOutcome:
        """Send one message and follow the stream to its end. Never re-sends it.

        A stream that ends without text is a silent completion: the reply describes what changed.
        A dropped stream is followed by state polls; the change is reported, or StreamLostError raised.
        """
        return await turns.send_instruction(self._ws, instruction, session_id, progress)

    # --- state and credits -------------------------------------------------------------------------

    async def get_state(self, session_id: str | None = None) -> StateView:
        record = await self._ws.resolve(session_id, create=False)
        snapshot = await self._ws.snapshot(record)
        return StateView(
            session_id=record.session_id,
            timeline=summary(snapshot.tracks),
            tracks=snapshot.tracks,
            media=snapshot.media,
            ready_to_export=ready_for_export(snapshot.draft),
            web_url=await self._web_link(record, snapshot.task_id),
        )

    async def _web_link(self, record: SessionRecord, task_id: str | None) -> str | None:
        """A claim link that opens the task in the web app; `<web>/workspace` when none can be had."""
        web = self._settings.web_url.rstrip("/")
        cached = self._claims.get(record.session_id)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        task = task_id or record.task_id
        if task:
            try:
                claim = await self._client.claim_token(task, record.session_id)
            except NemoError as exc:
                logger.debug("no claim link: %s", type(exc).__name__)
                fallback = f"{web}/workspace"
                self._claims[record.session_id] = (fallback, time.monotonic() + CLAIM_RETRY_AFTER_S)
                return fallback
            else:
                link = f"{web}/workspace/claim?ct={quote(claim.claim_token, safe='')}"
                ttl = min(claim.expires_in or CLAIM_LINK_TTL_S, CLAIM_LINK_TTL_S) / 2
                self._claims[record.session_id] = (link, time.monotonic() + ttl)
                return link
        return f"{web}/workspace"

    async def get_credits(self) -> CreditsView:
        credits = await self._client.credits()
        anonymous = self._client.anonymous
        user = self._client.user_id or (self._sessions.latest.user_id if self._sessions.latest else None)
        web = self._settings.web_url.rstrip("/")
        register = (
            (f"{web}/register?bind={quote(user, safe='')}" if user else f"{web}/register")
            if anonymous
            else None
        )
        return CreditsView(
            available=credits.available,
            frozen=credits.frozen,
            total=credits.total_or_sum,
            anonymous=anonymous,
            register_url=register,
        )

    # --- export ------------------------------------------------------------------------------------

    async def export(
        self,
        session_id: str | None = None,
        output_dir: Path | None = None,
        progress: ProgressSink | None = None,
    ) -> ExportOutcome:
        """Render the draft to MP4 and download it. Resumes a render whose id was stored on disk.

        A second call for the same session while a render runs joins it instead of starting another.
        A cancelled caller stops waiting; the render goes on (and can be collected by another call).
        """
        return await self._exports.export(session_id, output_dir, progress)

    async def cancel_export(self, session_id: str | None = None) -> bool:
        """Cancel the running render of the session, if any. True when one was cancelled."""
        return await self._exports.cancel(session_id)
