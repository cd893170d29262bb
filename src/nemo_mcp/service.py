"""The domain facade the MCP server and the CLI call: sessions, uploads, turns, state, credits, export.

No MCP imports here. Every method may raise only `NemoError` subclasses. What it makes "just work":
a token is found or fetched (and renewed), a session is created on first need and remembered on disk,
a session the API forgot (1002) is replaced with a word that uploads are gone, a dropped stream is
never answered by sending the message again, and an export resumes the render a previous process left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import re
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from nemo_mcp.api import render
from nemo_mcp.api.client import NemoClient, StreamDroppedError
from nemo_mcp.api.http import DEFAULT_TIMEOUT
from nemo_mcp.api.sse import (
    ErrorEvent,
    Heartbeat,
    TextAssembler,
    TextEvent,
    ToolFinished,
    ToolStarted,
    translate_gui,
)
from nemo_mcp.api.wire import StateAnswer
from nemo_mcp.config import Settings
from nemo_mcp.errors import (
    ApiError,
    ConnectionFailedError,
    ExportBlockedError,
    InputError,
    NemoError,
    RateLimitedError,
    RenderFailedError,
    SessionGoneError,
    StreamLostError,
    TokenExpiredError,
    UnknownSessionError,
)
from nemo_mcp.media import MediaFile, check_file, check_url, is_url, probe_mp4, resolve_path
from nemo_mcp.models import (
    CreditsView,
    ExportOutcome,
    MediaView,
    ProgressUpdate,
    StateView,
    TrackView,
    TurnOutcome,
    UploadedFile,
    UploadOutcome,
)
from nemo_mcp.sessions import SessionRecord, SessionRegistry, new_record
from nemo_mcp.timeline import describe_changes, media_of, ready_for_export, summary, tracks_of

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
MAX_INSTRUCTION_CHARS = 8000
CLAIM_LINK_TTL_S = 24 * 3600.0
# After a failed claim-token call, show the plain workspace link for this long before asking again.
CLAIM_RETRY_AFTER_S = 600.0

NOTHING_TO_EXPORT = "Nothing to export yet: animate an image first."
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Tuning:
    """Waits and limits, named; tests shrink them instead of sleeping."""

    poll: render.PollPolicy = field(default_factory=render.PollPolicy)
    recovery_first_s: float = RECOVERY_FIRST_S
    recovery_every_s: float = RECOVERY_EVERY_S
    recovery_max_unchanged: int = RECOVERY_MAX_UNCHANGED
    heartbeat_limit_s: float = HEARTBEAT_LIMIT_S
    still_working_every_s: float = STILL_WORKING_EVERY_S


@dataclass(frozen=True)
class _Snapshot:
    task_id: str | None
    draft: dict[str, Any] | None
    tracks: list[TrackView]
    media: list[MediaView]

    @classmethod
    def of(cls, answer: StateAnswer) -> _Snapshot:
        state = answer.state
        return cls(
            answer.task_id,
            state.draft,
            tracks_of(state.draft),
            media_of(state.video_infos, state.generated_media),
        )

    def changes_since(self, before: _Snapshot) -> list[str]:
        return describe_changes(before.tracks, self.tracks, before.media, self.media)


class _Progress:
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


class _HeartbeatTimeoutError(Exception):
    pass


class NemoService:
    """One person's use of one NemoVideo API: a token, any number of sessions, the latest one remembered."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient, *, tuning: Tuning | None = None) -> None:
        self._settings = settings
        self._tuning = tuning or Tuning()
        self._client = NemoClient(http, settings)
        self._sessions = SessionRegistry(settings.data_dir / "sessions.json", self._client.scope)
        self._jobs = render.JobStore(settings.jobs_dir)
        self._session_lock = asyncio.Lock()
        self._exports: dict[str, tuple[asyncio.Task[ExportOutcome], _Progress]] = {}
        self._cancelled: set[str] = set()
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
            await service._stop_exports()
            if own:
                await client.aclose()

    async def _stop_exports(self) -> None:
        """Stop waiting for renders; their handles stay on disk so the next process resumes them."""
        tasks = [task for task, _ in self._exports.values() if not task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

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
        async with self._session_lock:
            record = await self._new_session(language or _language_of(""))
        return record.session_id

    async def _resolve(self, session_id: str | None, *, create: bool, language: str = "en") -> SessionRecord:
        if session_id is not None and str(session_id).strip():
            sid = str(session_id).strip()
            record = self._sessions.get(sid)
            if record is None:
                shown = (
                    sid
                    if len(sid) <= 40 and sid.isprintable()
                    else sid[:40].encode("unicode_escape").decode()
                )
                raise UnknownSessionError(
                    f"Unknown session id {shown!r}: nemo-mcp has not used it with this API."
                )
            self._sessions.touch(record.session_id)
            return record
        latest = self._sessions.latest
        if latest is not None:
            return latest
        if not create:
            raise UnknownSessionError(
                "There is no session yet.", hint="Upload an image or send an instruction to start one."
            )
        async with self._session_lock:
            latest = self._sessions.latest
            if latest is not None:
                return latest
            return await self._new_session(language)

    async def _new_session(self, language: str, replaces: str | None = None) -> SessionRecord:
        info = await self._client.create_session(language=language)
        record = new_record(info.session_id, info.task_id, info.user_id, self._client.scope)
        self._sessions.add(record, replaces=replaces)
        logger.info("started NemoVideo session %s", record.session_id)
        return record

    async def _replace(self, gone: SessionRecord) -> SessionRecord:
        """The API forgot `gone` (1002): a new session takes its place (once, however many calls noticed)."""
        async with self._session_lock:
            current = self._sessions.get(gone.session_id)
            if current is not None and current.session_id != gone.session_id:
                return current
            return await self._new_session(_language_of(""), replaces=gone.session_id)

    async def _session_gone(self, gone: SessionRecord) -> SessionGoneError:
        new = await self._replace(gone)
        return SessionGoneError(
            f"NemoVideo no longer knows session {gone.session_id}, so a new session {new.session_id} was started.",
            hint="Earlier uploads are gone: upload your files again, then repeat the instruction.",
        )

    async def _snapshot(self, record: SessionRecord) -> _Snapshot:
        try:
            answer = await self._client.state(record.session_id)
        except SessionGoneError:
            raise await self._session_gone(record) from None
        return _Snapshot.of(answer)

    # --- upload ------------------------------------------------------------------------------------

    async def upload(
        self, sources: Sequence[str], session_id: str | None = None, progress: ProgressSink | None = None
    ) -> UploadOutcome:
        """Upload local paths (checked: allowed folders, type by content, 50 MB) and/or http(s) URLs.

        Every source is checked before anything is sent. On 1002 the files go to a new session and
        `notice` says that earlier uploads are gone.
        """
        report = _Progress(progress, self._client.redact)
        items = [sources] if isinstance(sources, str) else list(sources)
        if not items:
            raise InputError("Nothing to upload: give a file path or an http(s) URL.")
        files: list[MediaFile] = []
        urls: list[str] = []
        order: list[bool] = []  # True: the next local file, False: the next URL (answers keep input order)
        for source in items:
            if not isinstance(source, str) or not source.strip():
                raise InputError("Each upload source must be a file path or an http(s) URL.")
            if is_url(source) or (_URL_SCHEME.match(source.strip()) and not _is_local_ref(source)):
                urls.append(check_url(source))
                order.append(False)
            else:
                path = resolve_path(source, self._settings.allowed_dirs)
                files.append(await asyncio.to_thread(check_file, path))
                order.append(True)

        record = await self._resolve(session_id, create=True)
        notice = None
        try:
            uploaded = await self._upload_to(record, files, urls, report)
        except SessionGoneError:
            old = record
            record = await self._replace(old)
            notice = (
                f"NemoVideo no longer knew session {old.session_id}, so these files went to a new session "
                f"{record.session_id}. Earlier uploads are gone: upload them again if you need them."
            )
            uploaded = await self._upload_to(record, files, urls, report)
        self._sessions.touch(record.session_id)
        from_files, from_urls = iter(uploaded[: len(files)]), iter(uploaded[len(files) :])
        ordered = [next(from_files) if is_file else next(from_urls) for is_file in order]
        return UploadOutcome(session_id=record.session_id, files=ordered, notice=notice)

    async def _upload_to(
        self, record: SessionRecord, files: list[MediaFile], urls: list[str], report: _Progress
    ) -> list[UploadedFile]:
        out: list[UploadedFile] = []
        if files:
            total = sum(f.size_bytes for f in files)
            names = ", ".join(f.name for f in files[:3]) + (" …" if len(files) > 3 else "")
            await report(f"uploading {names} ({_size(total)})", 0.05)
            answer = await self._client.upload_files(
                record.session_id, [(f.path, f.name, f.mime) for f in files]
            )
            for i, local in enumerate(files):
                wire = answer.files[i] if i < len(answer.files) else None
                out.append(
                    UploadedFile(
                        filename=(wire.filename if wire and wire.filename else local.name),
                        file_type=_file_type(wire.file_type if wire else None, local.kind),
                        url=wire.cdn_url if wire else None,
                        size_bytes=local.size_bytes,
                        width=(wire.width if wire and wire.width else local.width),
                        height=(wire.height if wire and wire.height else local.height),
                        duration_s=(wire.duration if wire and wire.duration else None),
                    )
                )
        if urls:
            await report(f"asking NemoVideo to fetch {len(urls)} link(s)", 0.5)
            answer = await self._client.upload_urls(record.session_id, urls)
            for i, url in enumerate(urls):
                wire = answer.files[i] if i < len(answer.files) else None
                name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or url
                out.append(
                    UploadedFile(
                        filename=(wire.filename if wire and wire.filename else name)[:200],
                        file_type=_file_type(wire.file_type if wire else None, None),
                        url=(wire.cdn_url if wire and wire.cdn_url else url),
                        size_bytes=wire.size if wire else None,
                        width=wire.width if wire else None,
                        height=wire.height if wire else None,
                        duration_s=wire.duration if wire and wire.duration else None,
                    )
                )
        await report("upload finished", 1.0)
        return out

    # --- one turn ----------------------------------------------------------------------------------

    async def send_instruction(
        self, instruction: str, session_id: str | None = None, progress: ProgressSink | None = None
    ) -> TurnOutcome:
        """Send one message and follow the stream to its end. Never re-sends it.

        A stream that ends without text is a silent completion: the reply describes what changed.
        A dropped stream is followed by state polls; the change is reported, or StreamLostError raised.
        """
        text = instruction.strip() if isinstance(instruction, str) else ""
        if not text:
            raise InputError("The instruction is empty.", hint="Say what to do, e.g. 'animate this image'.")
        if len(text) > MAX_INSTRUCTION_CHARS:
            raise InputError(
                f"The instruction is {len(text)} characters long; keep it under {MAX_INSTRUCTION_CHARS}."
            )
        record = await self._resolve(session_id, create=True, language=_language_of(text))
        report = _Progress(progress, self._client.redact)
        before = await self._snapshot(record)
        await report("sending the instruction to NemoVideo", 0.01)
        started = time.monotonic()
        assembler = TextAssembler()
        try:
            await self._follow(record, text, assembler, report, started)
        except SessionGoneError:
            raise await self._session_gone(record) from None
        except StreamDroppedError:
            return await self._recover(record, before, assembler.text, report, started)
        except _HeartbeatTimeoutError:
            after = await self._snapshot(record)
            changes = after.changes_since(before)
            if not changes:
                raise StreamLostError(
                    f"NemoVideo sent only 'still working' signals for {_duration(self._tuning.heartbeat_limit_s)} "
                    "and the session did not change; it probably timed out."
                ) from None
            return self._outcome(
                record, assembler.text, after, changes, "The backend went quiet, but the work landed."
            )
        try:
            after = await self._snapshot(record)
        except (ConnectionFailedError, ApiError) as exc:
            if isinstance(exc, SessionGoneError):
                raise
            # The turn went through; only the look afterwards failed. Do not turn success into an error.
            logger.info("could not read the state after a turn: %s", type(exc).__name__)
            return self._outcome(
                record,
                assembler.text,
                before,
                [],
                "The timeline could not be read afterwards: check get_state.",
            )
        changes = after.changes_since(before)
        return self._outcome(record, assembler.text, after, changes, None)

    async def _follow(
        self, record: SessionRecord, text: str, assembler: TextAssembler, report: _Progress, started: float
    ) -> None:
        tuning = self._tuning
        last_activity = started
        last_notice = started
        async with self._client.run_sse(record.session_id, text) as events:
            stream = aiter(events)
            while True:
                remaining = last_activity + tuning.heartbeat_limit_s - time.monotonic()
                try:
                    async with asyncio.timeout(max(remaining, 0.0)):
                        event = await anext(stream)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    raise _HeartbeatTimeoutError from None
                now = time.monotonic()
                elapsed = now - started
                estimate = elapsed / (elapsed + 150.0)
                if isinstance(event, Heartbeat):
                    if now - last_notice >= tuning.still_working_every_s:
                        last_notice = now
                        await report(f"still working ({_duration(elapsed)})", estimate)
                    continue
                last_activity = now
                if isinstance(event, TextEvent):
                    assembler.add(event)
                    if not event.partial or len(event.text) > 20:
                        await report(_snippet(translate_gui(event.text)), estimate)
                elif isinstance(event, ToolStarted):
                    last_notice = now
                    await report(_tool_message(event.name), estimate)
                elif isinstance(event, ToolFinished):
                    await report(f"{_tool_label(event.name)} finished", estimate)
                elif isinstance(event, ErrorEvent):
                    raise ApiError(
                        f"NemoVideo reported an error: {self._client.redact(event.message)}",
                        hint="The instruction was not sent again. Check get_state, then retry or rephrase it.",
                    )

    async def _recover(
        self, record: SessionRecord, before: _Snapshot, partial: str, report: _Progress, started: float
    ) -> TurnOutcome:
        """The stream dropped after the message was accepted: poll the state, never send again."""
        tuning = self._tuning
        await report("the connection dropped; checking the session instead of sending again", None)
        delay = tuning.recovery_first_s
        for check in range(1, tuning.recovery_max_unchanged + 1):
            await asyncio.sleep(delay)
            delay = tuning.recovery_every_s
            try:
                after = await self._snapshot(record)
            except (ConnectionFailedError, ApiError) as exc:
                if isinstance(exc, SessionGoneError):
                    raise
                logger.info("state check %d after a dropped stream failed: %s", check, type(exc).__name__)
                continue
            changes = after.changes_since(before)
            if changes:
                return self._outcome(
                    record,
                    partial,
                    after,
                    changes,
                    "The connection dropped while NemoVideo worked, but the work finished.",
                )
            elapsed = time.monotonic() - started
            await report(
                f"still checking ({check}/{tuning.recovery_max_unchanged}, {_duration(elapsed)})",
                elapsed / (elapsed + 150.0),
            )
        raise StreamLostError(
            f"The connection to NemoVideo dropped, and session {record.session_id} did not change in "
            f"{tuning.recovery_max_unchanged} checks."
        )

    def _outcome(
        self, record: SessionRecord, text: str, after: _Snapshot, changes: list[str], notice: str | None
    ) -> TurnOutcome:
        reply = translate_gui(self._client.redact(text)).strip()
        if not reply:
            reply = (
                "Done. What changed: " + "; ".join(changes) + "."
                if changes
                else "NemoVideo finished without a reply, and the timeline did not change."
            )
        return TurnOutcome(
            session_id=record.session_id,
            reply=reply,
            changes=changes,
            timeline=summary(after.tracks),
            ready_to_export=ready_for_export(after.draft),
            notice=notice,
        )

    # --- state and credits -------------------------------------------------------------------------

    async def get_state(self, session_id: str | None = None) -> StateView:
        record = await self._resolve(session_id, create=False)
        snapshot = await self._snapshot(record)
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
        record = await self._resolve(session_id, create=False)
        folder = _writable_folder(output_dir) if output_dir is not None else None
        running = self._exports.get(record.session_id)
        if running is not None and not running[0].done():
            running[1].attach(progress)
            return await asyncio.shield(running[0])
        report = _Progress(progress, self._client.redact)
        task = asyncio.create_task(self._export(record, folder, report))
        self._exports[record.session_id] = (task, report)
        task.add_done_callback(_retrieve)
        return await asyncio.shield(task)

    async def _export(self, record: SessionRecord, folder: Path | None, report: _Progress) -> ExportOutcome:
        client = self._client

        async def on_poll(message: str, fraction: float | None) -> None:
            if handle is not None and handle.render_id in self._cancelled:
                raise RenderFailedError(
                    "The export was cancelled.", hint="Call export again to start a new one."
                )
            await report(message, None if fraction is None else 0.1 + 0.8 * fraction)

        handle = self._jobs.find(record.session_id, client.scope)
        status = None
        if handle is not None:
            await report("resuming the export started earlier", 0.05)
            try:
                status = await render.wait(client, handle, self._tuning.poll, on_poll)
            except render.RenderStillRunningError:
                raise
            except RenderFailedError:
                self._jobs.remove(handle.render_id)
                raise
            except ApiError as exc:
                if not _render_gone(exc):
                    raise
                logger.info(
                    "the stored render %s cannot be polled (%s); starting a new one",
                    handle.render_id,
                    exc.status,
                )
                self._jobs.remove(handle.render_id)
                handle = None
        if handle is None or status is None:
            target = folder or _writable_folder(self._settings.output_dir)
            snapshot = await self._snapshot(record)
            if snapshot.draft is None or not ready_for_export(snapshot.draft):
                raise InputError(
                    NOTHING_TO_EXPORT,
                    hint="Send an instruction such as 'animate this image into a 5-second video clip' first.",
                )
            await report("starting the export", 0.05)
            try:
                handle = await render.submit(client, self._jobs, record.session_id, snapshot.draft, target)
            except SessionGoneError:
                raise await self._session_gone(record) from None
            try:
                status = await render.wait(client, handle, self._tuning.poll, on_poll)
            except render.RenderStillRunningError:
                raise
            except NemoError:
                self._jobs.remove(handle.render_id)
                raise
        target = folder or _writable_folder(Path(handle.output_dir))
        dest = (
            target
            / f"nemo-{_SAFE_NAME.sub('', record.session_id)[:24]}-{handle.render_id.removeprefix('render_')[:12]}.mp4"
        )
        await report("downloading the video", 0.92)
        size = await render.download(client, handle, status, dest)
        self._jobs.remove(handle.render_id)
        self._cancelled.discard(handle.render_id)
        facts = probe_mp4(dest)
        await report(f"saved {dest.name} ({_size(size)})", 1.0)
        url = status.output_url if status.output_url and "://" in status.output_url else None
        return ExportOutcome(
            session_id=record.session_id,
            render_id=handle.render_id,
            path=dest,
            size_bytes=size,
            duration_s=(facts.duration_s if facts and facts.duration_s else status.duration_s),
            width=facts.width if facts else None,
            height=facts.height if facts else None,
            download_url=url,
        )

    async def cancel_export(self, session_id: str | None = None) -> bool:
        """Cancel the running render of the session, if any. True when one was cancelled."""
        record = await self._resolve(session_id, create=False)
        handle = self._jobs.find(record.session_id, self._client.scope)
        if handle is None:
            return False
        self._cancelled.add(handle.render_id)
        try:
            await self._client.cancel_render(handle.render_id)
        except ApiError as exc:
            if exc.status not in (404, 409, 410):
                self._cancelled.discard(handle.render_id)
                raise
        self._jobs.remove(handle.render_id)
        return True


def _render_gone(exc: ApiError) -> bool:
    """A stored render the API refuses to report on (404, 410, other plain 4xx) will never come back."""
    if isinstance(exc, (TokenExpiredError, ExportBlockedError, RateLimitedError)) or exc.status is None:
        return False
    return 400 <= exc.status < 500 and exc.status != 408


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Read a background export's outcome so a caller that stopped waiting leaves no unhandled error."""
    if not task.cancelled() and task.exception() is not None:
        logger.debug("a background export ended with %s", type(task.exception()).__name__)


def _writable_folder(path: Path) -> Path:
    folder = Path(path).expanduser()
    if not folder.is_absolute():
        folder = Path.cwd() / folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".nemo-write-test-"):
            pass
    except OSError:
        raise InputError(
            f"The output folder {str(folder)!r} cannot be written.",
            hint="Give another output folder or set NEMO_MCP_OUTPUT_DIR.",
        ) from None
    return folder


def _is_local_ref(source: str) -> bool:
    text = source.strip()
    return text.lower().startswith("file:") or bool(re.match(r"^[A-Za-z]:[\\/]", text))


def _file_type(wire: str | None, local: str | None) -> Any:
    value = (wire or local or "").lower()
    for kind in ("image", "video", "audio"):
        if value.startswith(kind):
            return kind
    return local if local in ("image", "video", "audio") else "other"


def _language_of(text: str) -> str:
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


def _tool_label(name: str) -> str:
    lowered = name.lower()
    if any(k in lowered for k in ("video", "seedance", "animate", "i2v", "kling", "veo")):
        return "video generation"
    if any(k in lowered for k in ("music", "bgm", "audio", "sound")):
        return "music"
    if any(k in lowered for k in ("title", "text", "caption", "subtitle")):
        return "title"
    return name.replace("_", " ")[:40]


def _tool_message(name: str) -> str:
    label = _tool_label(name)
    if label == "video generation":
        return "generating video…"
    if label == "music":
        return "adding music…"
    if label == "title":
        return "adding a title…"
    return f"working ({label})…"


def _snippet(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _duration(seconds: float) -> str:
    total = max(int(seconds), 0)
    minutes, secs = divmod(total, 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"
