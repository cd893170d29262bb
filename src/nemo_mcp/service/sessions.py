"""The workspace the service's parts share: the client, the waits, and the sessions this installation knows.

A session is created on first need and remembered on disk (`session_store`); a session the API forgot
(1002) is replaced once, with a word that uploads are gone. `Snapshot` is a session's state at one moment,
read the same way by turns (before and after) and by the state view.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from nemo_mcp.api.client import NemoClient
from nemo_mcp.api.wire import StateAnswer
from nemo_mcp.config import Settings
from nemo_mcp.errors import SessionGoneError, UnknownSessionError
from nemo_mcp.service.changes import ClipFacts, describe, facts_of
from nemo_mcp.service.models import MediaView, TrackView
from nemo_mcp.service.progress import ProgressReporter, ProgressSink
from nemo_mcp.service.renders import LOCAL_POLL, PollPolicy
from nemo_mcp.service.session_store import KnownSession, SessionRegistry, new_record
from nemo_mcp.service.stores import FileSessions, SessionStore
from nemo_mcp.service.timeline import media_of, new_media, other_track_changes, tracks_of

logger = logging.getLogger(__name__)

# After a dropped stream: first look after this long, then at this interval, at most this many times.
RECOVERY_FIRST_S = 30.0
RECOVERY_EVERY_S = 60.0
RECOVERY_MAX_UNCHANGED = 5
# Only heartbeats for this long means the backend timed out (contract §4).
HEARTBEAT_LIMIT_S = 10 * 60.0
# How often a "still working" progress message goes out while only heartbeats arrive.
STILL_WORKING_EVERY_S = 20.0


@dataclass(frozen=True)
class Tuning:
    """Waits and limits, named; tests shrink them instead of sleeping."""

    poll: PollPolicy = field(default_factory=PollPolicy)
    recovery_first_s: float = RECOVERY_FIRST_S
    recovery_every_s: float = RECOVERY_EVERY_S
    recovery_max_unchanged: int = RECOVERY_MAX_UNCHANGED
    heartbeat_limit_s: float = HEARTBEAT_LIMIT_S
    still_working_every_s: float = STILL_WORKING_EVERY_S

    @classmethod
    def of(cls, settings: Settings) -> Tuning:
        """The waits a person can set in the environment, the rest at their defaults.

        After a dropped stream the state is checked after the delay, then every two delays (30 s, then
        every 60 s by default, as contract §4 suggests). Renders on the embedded backend are polled
        quickly (`renders.LOCAL_POLL`), on the cloud with its backoff.
        """
        delay = settings.recovery_delay_seconds
        poll = LOCAL_POLL if settings.backend == "local" else PollPolicy()
        return cls(poll=poll, recovery_first_s=delay, recovery_every_s=2 * delay)


@dataclass(frozen=True)
class Snapshot:
    task_id: str | None
    draft: dict[str, Any] | None
    tracks: list[TrackView]
    media: list[MediaView]
    facts: ClipFacts

    @classmethod
    def of(cls, answer: StateAnswer) -> Snapshot:
        state = answer.state
        return cls(
            answer.task_id,
            state.draft,
            tracks_of(state.draft),
            media_of(state.video_infos, state.generated_media),
            facts_of(state.draft),
        )

    def redacted(self, redact: Callable[[str], str]) -> Snapshot:
        """Labels, names and links are the backend's text: what people read of them never holds a token.
        The draft itself is left as it is (it goes back to the backend for the render)."""
        tracks = [
            track.model_copy(
                update={"label": redact(track.label), "detail": track.detail and redact(track.detail)}
            )
            for track in self.tracks
        ]
        media = [
            m.model_copy(update={"name": redact(m.name), "url": m.url and redact(m.url)}) for m in self.media
        ]
        return replace(self, tracks=tracks, media=media)

    def changes_since(self, before: Snapshot) -> list[str]:
        """What a person would notice: the clip's facts, tracks nobody can read, new media."""
        clip = describe(before.facts, self.facts)
        return clip + other_track_changes(before.tracks, self.tracks) + new_media(before.media, self.media)


class Workspace:
    """What uploads, turns and exports share: settings, waits, the client and the known sessions."""

    def __init__(
        self, settings: Settings, client: NemoClient, tuning: Tuning, sessions: SessionStore | None = None
    ) -> None:
        self.settings = settings
        self.tuning = tuning
        self.client = client
        self.sessions: SessionStore = sessions or FileSessions(
            SessionRegistry(settings.data_dir / "sessions.json", client.scope)
        )
        self._session_lock = asyncio.Lock()

    async def latest_id(self) -> str | None:
        """The latest session's id (a store read: with replicas, the latest on any of them)."""
        latest = await self.sessions.latest()
        return latest.session_id if latest else None

    def reporter(self, sink: ProgressSink | None) -> ProgressReporter:
        """A reporter for one piece of work; what it passes on never contains the token."""
        return ProgressReporter(sink, self.client.redact)

    async def new_session(self, language: str | None = None) -> str:
        """Start a fresh session now (it becomes the latest) and return its id."""
        async with self._session_lock:
            record = await self._new_session(language or language_of(""))
        return record.session_id

    async def resolve(self, session_id: str | None, *, create: bool, language: str = "en") -> KnownSession:
        if session_id is not None and str(session_id).strip():
            return await self._known(str(session_id).strip())
        latest = await self.sessions.latest()
        if latest is not None:
            return latest
        if not create:
            raise UnknownSessionError(
                "There is no session yet.", hint="Upload an image or send an instruction to start one."
            )
        async with self._session_lock:
            latest = await self.sessions.latest()
            if latest is not None:
                return latest
            return await self._new_session(language)

    async def _known(self, sid: str) -> KnownSession:
        record = await self.known(sid)
        await self.sessions.touch(record.session_id)
        return record

    async def known(self, sid: str) -> KnownSession:
        """The record of `sid`; UnknownSessionError for an id this installation never used."""
        record = await self.sessions.get(sid)
        if record is None:
            shown = (
                sid if len(sid) <= 40 and sid.isprintable() else sid[:40].encode("unicode_escape").decode()
            )
            raise UnknownSessionError(
                f"Unknown session id {shown!r}: nemo-mcp has not used it with this API."
            )
        return record

    async def _new_session(self, language: str, replaces: str | None = None) -> KnownSession:
        info = await self.client.create_session(language=language)
        record = new_record(info.session_id, info.task_id, info.user_id, self.client.scope)
        await self.sessions.add(record, replaces=replaces)
        logger.info("started NemoVideo session %s", record.session_id)
        return record

    async def replace(self, gone: KnownSession) -> KnownSession:
        """The API forgot `gone` (1002): a new session takes its place (once, however many calls noticed)."""
        async with self._session_lock:
            current = await self.sessions.get(gone.session_id)
            if current is not None and current.session_id != gone.session_id:
                return current
            return await self._new_session(language_of(""), replaces=gone.session_id)

    async def session_gone(self, gone: KnownSession) -> SessionGoneError:
        new = await self.replace(gone)
        return SessionGoneError(
            f"NemoVideo no longer knows session {gone.session_id}, so a new session {new.session_id} was started.",
            hint="Earlier uploads are gone: upload your files again, then repeat the instruction.",
        )

    async def snapshot(self, record: KnownSession) -> Snapshot:
        try:
            answer = await self.client.state(record.session_id)
        except SessionGoneError:
            raise await self.session_gone(record) from None
        return Snapshot.of(answer).redacted(self.client.redact)


def language_of(text: str) -> str:
    """The user's language as an ISO code: from the script of what they wrote, else the locale, else en."""
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\uac00-\ud7af]", text):
        return "ko"
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    if re.search(r"[\u0400-\u04ff]", text):
        return "ru"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        code = value.split(".", 1)[0].split("_", 1)[0].lower()
        if re.fullmatch(r"[a-z]{2,3}", code) and code not in ("c", "posix"):
            return code
    return "en"
