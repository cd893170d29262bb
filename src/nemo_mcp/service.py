"""The domain facade the MCP server and the CLI call: sessions, uploads, turns, state, credits, export.

No MCP imports here. Every method may raise only `NemoError` subclasses. Interface fixed for the server;
the implementation lands with the client and session manager work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from nemo_mcp.config import Settings
from nemo_mcp.models import (
    CreditsView,
    ExportOutcome,
    ProgressUpdate,
    StateView,
    TurnOutcome,
    UploadOutcome,
)

ProgressSink = Callable[[ProgressUpdate], Awaitable[None]]


class NemoService:
    """One person's use of one NemoVideo API: a token, any number of sessions, the latest one remembered."""

    @classmethod
    @asynccontextmanager
    async def open(
        cls, settings: Settings, *, http: httpx.AsyncClient | None = None
    ) -> AsyncIterator[NemoService]:
        """Open the service; closes the HTTP client it created (never one it was given)."""
        raise NotImplementedError
        yield  # pragma: no cover

    @property
    def latest_session_id(self) -> str | None:
        raise NotImplementedError

    def set_platform(self, client_name: str | None) -> None:
        """The MCP client's name, used for X-Skill-Platform when SKILL_SOURCE is not set."""
        raise NotImplementedError

    async def upload(
        self, sources: Sequence[str], session_id: str | None = None, progress: ProgressSink | None = None
    ) -> UploadOutcome:
        """Upload local paths (checked: allowed folders, type by content, 50 MB) and/or http(s) URLs."""
        raise NotImplementedError

    async def send_instruction(
        self, instruction: str, session_id: str | None = None, progress: ProgressSink | None = None
    ) -> TurnOutcome:
        """Send one message and follow the stream to its end. Never re-sends it."""
        raise NotImplementedError

    async def get_state(self, session_id: str | None = None) -> StateView:
        raise NotImplementedError

    async def get_credits(self) -> CreditsView:
        raise NotImplementedError

    async def export(
        self,
        session_id: str | None = None,
        output_dir: Path | None = None,
        progress: ProgressSink | None = None,
    ) -> ExportOutcome:
        """Render the draft to MP4 and download it. Resumes a render whose id was stored on disk."""
        raise NotImplementedError

    async def cancel_export(self, session_id: str | None = None) -> bool:
        """Cancel the running render of the session, if any. True when one was cancelled."""
        raise NotImplementedError
