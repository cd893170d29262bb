"""What the service's parts share: the client, the sessions it knows, the waits, progress and snapshots.

A session is created on first need and remembered on disk; a session the API forgot (1002) is replaced
once, with a word that uploads are gone. Turns, uploads and exports all go through `Workspace`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from nemo_mcp.api.client import NemoClient
from nemo_mcp.api.wire import StateAnswer
from nemo_mcp.config import Settings
from nemo_mcp.errors import SessionGoneError, UnknownSessionError
from nemo_mcp.service import renders
from nemo_mcp.service.models import MediaView, ProgressUpdate, TrackView
from nemo_mcp.service.session_store import SessionRecord, SessionRegistry, new_record
from nemo_mcp.service.timeline import describe_canvas_changes, describe_changes, media_of, tracks_of

logger = logging.getLogger(__name__)

ProgressSink = Callable[[ProgressUpdate], Awaitable[None]]

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

    poll: renders.PollPolicy = field(default_factory=renders.PollPolicy)
    recovery_first_s: float = RECOVERY_FIRST_S
    recovery_every_s: float = RECOVERY_EVERY_S
    recovery_max_unchanged: int = RECOVERY_MAX_UNCHANGED
    heartbeat_limit_s: float = HEARTBEAT_LIMIT_S
    still_working_every_s: float = STILL_WORKING_EVERY_S


@dataclass(frozen=True)
class Snapshot:
    task_id: str | None
    draft: dict[str, Any] | None
    tracks: list[TrackView]
    media: list[MediaView]

    @classmethod
    def of(cls, answer: StateAnswer) -> Snapshot:
        state = answer.state
        return cls(
            answer.task_id,
            state.draft,
            tracks_of(state.draft),
            media_of(state.video_infos, state.generated_media),
        )

    def changes_since(self, before: Snapshot) -> list[str]:
        tracks_and_media = describe_changes(before.tracks, self.tracks, before.media, self.media)
        return tracks_and_media + describe_canvas_changes(before.draft, self.draft)


class Progress:
    """Fans progress out to the sinks listening; fractions only ever increase; a failing sink is ignored."""

    def __init__(self, sink: ProgressSink | None, redact: Callable[[str], str]) -> None:
        self._sinks: list[ProgressSink] = [sink] if sink else []
        self._redact = redact
        self._fraction = 0.0

    def attach(self, sink: ProgressSink | None) -> None:
        if sink is not None:
            self._sinks.append(sink)

    async def __call__(self, message: str, fraction: float | None = None) -> None:
        if fraction is not None and math.isfinite(fraction):
            self._fraction = max(self._fraction, min(max(fraction, 0.0), 1.0))
            fraction = self._fraction
        else:
            fraction = None
        update = ProgressUpdate(message=self._redact(message), fraction=fraction)
        for sink in list(self._sinks):
            try:
                await sink(update)
            except Exception:  # a listener that went away must not stop the work
                logger.debug("a progress listener failed; continuing")


class Workspace:
    """The client, the settings, the waits and the sessions of one `NemoService`."""

    def __init__(self, settings: Settings, client: NemoClient, tuning: Tuning) -> None:
        self.settings = settings
        self.tuning = tuning
        self.client = client
        self.sessions = SessionRegistry(settings.data_dir / "sessions.json", client.scope)
        self._session_lock = asyncio.Lock()

    def progress(self, sink: ProgressSink | None) -> Progress:
        return Progress(sink, self.client.redact)

    async def new_session(self, language: str) -> str:
        """Start a fresh session now (it becomes the latest) and return its id."""
        async with self._session_lock:
            record = await self._new_session(language)
        return record.session_id

    async def resolve(self, session_id: str | None, *, create: bool, language: str = "en") -> SessionRecord:
        if session_id is not None and str(session_id).strip():
            sid = str(session_id).strip()
            record = self.sessions.get(sid)
            if record is None:
                shown = (
                    sid
                    if len(sid) <= 40 and sid.isprintable()
                    else sid[:40].encode("unicode_escape").decode()
                )
                raise UnknownSessionError(
                    f"Unknown session id {shown!r}: nemo-mcp has not used it with this API."
                )
            self.sessions.touch(record.session_id)
            return record
        latest = self.sessions.latest
        if latest is not None:
            return latest
        if not create:
            raise UnknownSessionError(
                "There is no session yet.", hint="Upload an image or send an instruction to start one."
            )
        async with self._session_lock:
            latest = self.sessions.latest
            if latest is not None:
                return latest
            return await self._new_session(language)

    async def _new_session(self, language: str, replaces: str | None = None) -> SessionRecord:
        info = await self.client.create_session(language=language)
        record = new_record(info.session_id, info.task_id, info.user_id, self.client.scope)
        self.sessions.add(record, replaces=replaces)
        logger.info("started NemoVideo session %s", record.session_id)
        return record

    async def replace(self, gone: SessionRecord) -> SessionRecord:
        """The API forgot `gone` (1002): a new session takes its place (once, however many calls noticed)."""
        async with self._session_lock:
            current = self.sessions.get(gone.session_id)
            if current is not None and current.session_id != gone.session_id:
                return current
            return await self._new_session(language_of(""), replaces=gone.session_id)

    async def session_gone(self, gone: SessionRecord) -> SessionGoneError:
        new = await self.replace(gone)
        return SessionGoneError(
            f"NemoVideo no longer knows session {gone.session_id}, so a new session {new.session_id} was started.",
            hint="Earlier uploads are gone: upload your files again, then repeat the instruction.",
        )

    async def snapshot(self, record: SessionRecord) -> Snapshot:
        try:
            answer = await self.client.state(record.session_id)
        except SessionGoneError:
            raise await self.session_gone(record) from None
        return Snapshot.of(answer)


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


def duration_text(seconds: float) -> str:
    total = max(int(seconds), 0)
    minutes, secs = divmod(total, 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"
