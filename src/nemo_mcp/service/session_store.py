"""Known sessions, kept in memory and on disk so that a session id from before a restart is still known.

`data_dir/sessions.json` holds, per API URL, every session this installation created (session id, task
id, user id), which one was used last, and which replaced which after the API forgot one (1002).

What a restart must remember, and when the file is written:
- every session created and every replacement: `add` writes them before it returns, so an id handed to
  a caller is never lost;
- which session was used last: only a hint for calls that name no session. `touch` changes it in memory
  (a call that only reads writes nothing); the file gets it with the next `add`, or `flush` when the
  service closes. After a crash the pointer may therefore name the session used before the last few
  calls, never an unknown one.
Writes happen in a worker thread, one at a time, never on the event loop. Several processes may share the
file: each write first merges the sessions and replacements the others wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nemo_mcp.files import write_private

logger = logging.getLogger(__name__)

MAX_SESSIONS_KEPT = 200


@dataclass(frozen=True)
class KnownSession:
    session_id: str
    task_id: str | None
    user_id: str | None
    backend: str
    created_at: float


@dataclass
class _Entry:
    """One backend's part of the file, as plain data a worker thread can own."""

    sessions: dict[str, KnownSession] = field(default_factory=dict)
    replaced: dict[str, str] = field(default_factory=dict)
    latest: str | None = None


class SessionRegistry:
    def __init__(self, path: Path, backend: str) -> None:
        self._path = path
        self._api = backend
        # Read once, when the service is made (the server makes it off the event loop); then memory only.
        loaded = _entry_of(_read_file(path, warn=True), backend)
        self._sessions = loaded.sessions
        self._replaced = loaded.replaced
        self._latest = loaded.latest if loaded.latest in loaded.sessions else None
        self._latest_saved = self._latest
        self._write_lock = asyncio.Lock()

    @property
    def latest(self) -> KnownSession | None:
        return self._sessions.get(self._latest) if self._latest else None

    def get(self, session_id: str) -> KnownSession | None:
        """The record for `session_id`, following replacements (an old id leads to its new session)."""
        seen: set[str] = set()
        while session_id in self._replaced and session_id not in seen:
            seen.add(session_id)
            session_id = self._replaced[session_id]
        return self._sessions.get(session_id)

    async def add(self, record: KnownSession, *, replaces: str | None = None) -> None:
        """Remember a new session (the latest now), on disk before this returns."""
        self._sessions[record.session_id] = record
        if replaces is not None and replaces != record.session_id:
            self._replaced[replaces] = record.session_id
        self._latest = record.session_id
        await self._write()

    def touch(self, session_id: str) -> None:
        """Make a known session the latest: in memory only (see the module's docstring)."""
        if session_id in self._sessions:
            self._latest = session_id

    async def flush(self) -> None:
        """Write the latest pointer if it moved since the last write (when the service closes)."""
        if self._latest != self._latest_saved:
            await self._write()

    async def _write(self) -> None:
        async with self._write_lock:  # in order: a later write always includes an earlier one's records
            mine = _Entry(dict(self._sessions), dict(self._replaced), self._latest)
            merged = await asyncio.to_thread(_merge_and_write, self._path, self._api, mine)
            self._latest_saved = mine.latest
        # Another process may have added sessions and replacements since we read the file: know them too.
        for sid, record in merged.sessions.items():
            self._sessions.setdefault(sid, record)
        for old, new in merged.replaced.items():
            self._replaced.setdefault(old, new)


def _read_file(path: Path, *, warn: bool = False) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        if warn:
            logger.warning("ignoring an unreadable session list at %s", path)
        return {}
    return data if isinstance(data, dict) else {}


def _entry_of(data: dict[str, Any], backend: str) -> _Entry:
    """This backend's entry of the file's data; an empty one when there is none."""
    entry = _Entry()
    raw_entry = data.get(backend)
    if not isinstance(raw_entry, dict):
        return entry
    for raw in raw_entry.get("sessions") or []:
        with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
            record = KnownSession(
                session_id=str(raw["session_id"]),
                task_id=raw.get("task_id"),
                user_id=raw.get("user_id"),
                backend=backend,
                created_at=float(raw.get("created_at") or 0.0),
            )
            entry.sessions[record.session_id] = record
    replaced = raw_entry.get("replaced")
    if isinstance(replaced, dict):
        entry.replaced = {str(k): str(v) for k, v in replaced.items()}
    latest = raw_entry.get("latest")
    entry.latest = latest if isinstance(latest, str) else None
    return entry


def _merge_and_write(path: Path, backend: str, mine: _Entry) -> _Entry:
    """In a worker thread: merge what other processes wrote into `mine`, write it, return the merge."""
    data = _read_file(path)
    theirs = _entry_of(data, backend)
    for sid, record in theirs.sessions.items():
        mine.sessions.setdefault(sid, record)
    for old, new in theirs.replaced.items():
        mine.replaced.setdefault(old, new)
    records = sorted(mine.sessions.values(), key=lambda r: r.created_at)[-MAX_SESSIONS_KEPT:]
    data[backend] = {
        "sessions": [{k: v for k, v in asdict(r).items() if k != "backend"} for r in records],
        "replaced": mine.replaced,
        "latest": mine.latest,
    }
    try:
        write_private(path, json.dumps(data, indent=2))
    except OSError as exc:
        logger.warning("could not save the session list to %s (%s)", path, exc.strerror)
    return mine


def new_record(session_id: str, task_id: str | None, user_id: str | None, backend: str) -> KnownSession:
    return KnownSession(session_id, task_id, user_id, backend, time.time())
