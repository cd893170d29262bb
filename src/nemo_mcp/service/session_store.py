"""Known sessions, kept on disk so that a session id from before a restart is still known.

`data_dir/sessions.json` holds, per API URL, every session this installation created (session id, task
id, user id), which one was used last, and which replaced which after the API forgot one (1002).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from dataclasses import asdict, dataclass
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


class SessionRegistry:
    def __init__(self, path: Path, backend: str) -> None:
        self._path = path
        self._api = backend
        self._sessions: dict[str, KnownSession] = {}
        self._replaced: dict[str, str] = {}
        self._latest: str | None = None
        self._load()

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

    def add(self, record: KnownSession, *, replaces: str | None = None) -> None:
        self._sessions[record.session_id] = record
        if replaces is not None and replaces != record.session_id:
            self._replaced[replaces] = record.session_id
        self._latest = record.session_id
        self._save()

    def touch(self, session_id: str) -> None:
        if self._latest != session_id and session_id in self._sessions:
            self._latest = session_id
            self._save()

    def _load(self) -> None:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            logger.warning("ignoring an unreadable session list at %s", self._path)
            return
        entry = data.get(self._api) if isinstance(data, dict) else None
        if not isinstance(entry, dict):
            return
        for raw in entry.get("sessions") or []:
            with contextlib.suppress(TypeError, ValueError, KeyError):
                record = KnownSession(
                    session_id=str(raw["session_id"]),
                    task_id=raw.get("task_id"),
                    user_id=raw.get("user_id"),
                    backend=self._api,
                    created_at=float(raw.get("created_at") or 0.0),
                )
                self._sessions[record.session_id] = record
        replaced = entry.get("replaced")
        if isinstance(replaced, dict):
            self._replaced = {str(k): str(v) for k, v in replaced.items()}
        latest = entry.get("latest")
        self._latest = latest if isinstance(latest, str) and latest in self._sessions else None

    def _save(self) -> None:
        data: dict[str, Any] = {}
        try:
            loaded = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        if isinstance(loaded, dict):
            data = loaded
        # Another process may have added sessions since we read the file: keep them too.
        theirs = data.get(self._api)
        if isinstance(theirs, dict):
            for raw in theirs.get("sessions") or []:
                with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
                    sid = str(raw["session_id"])
                    if sid not in self._sessions:
                        self._sessions[sid] = KnownSession(
                            sid,
                            raw.get("task_id"),
                            raw.get("user_id"),
                            self._api,
                            float(raw.get("created_at") or 0.0),
                        )
            if isinstance(theirs.get("replaced"), dict):
                for old, new in theirs["replaced"].items():
                    self._replaced.setdefault(str(old), str(new))
        records = sorted(self._sessions.values(), key=lambda r: r.created_at)[-MAX_SESSIONS_KEPT:]
        data[self._api] = {
            "sessions": [{k: v for k, v in asdict(r).items() if k != "backend"} for r in records],
            "replaced": self._replaced,
            "latest": self._latest,
        }
        try:
            write_private(self._path, json.dumps(data, indent=2))
        except OSError as exc:
            logger.warning("could not save the session list to %s (%s)", self._path, exc.strerror)


def new_record(session_id: str, task_id: str | None, user_id: str | None, backend: str) -> KnownSession:
    return KnownSession(session_id, task_id, user_id, backend, time.time())
