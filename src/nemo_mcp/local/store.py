"""The backend's state on disk: tokens, accounts (credits), sessions, uploads, renders.

Layout under the data folder (every JSON file is written atomically: a temp file, then os.replace):

    tokens.json              one anonymous token per client id
    accounts.json            credits per user: available, frozen and the open reservations
    sessions/<sid>.json      a session: its uploads, draft, generated media, the turn in progress
    uploads/<sid>/<file>     uploaded files, named <sha256 prefix>-<safe name>
    renders/<id>.json        render jobs
    clips/<key>.mp4          rendered clips, named by the hash of what they show (a cache)

All state is also kept in memory; one lock guards it, because routes (event loop) and render workers
(threads) both change it. Every change is written before the lock is released, so a restart loses nothing.

One data folder, one owner: a backend holds an exclusive `flock` on `.lock` (two would overwrite each
other's state); everything in the folder is private to its owner: folders 0700, files 0600.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

if sys.platform != "win32":
    import fcntl

from nemo_mcp.local.records import Account, RenderRecord, SessionRecord, TokenRecord

log = logging.getLogger(__name__)


def write_json(path: Path, data: Any) -> None:
    """Write `data` as JSON to `path` atomically: readers see the old file or the new one, never half.

    mkstemp creates the file with mode 0600, so state files (tokens among them) are private to the owner.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("local backend: ignoring unreadable state file %s", path)
        return None


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """A file name that is safe on every OS and in a URL path, keeping the extension when possible."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _SAFE_NAME.sub("_", base).strip("._") or "file"
    return cleaned[-80:]


class DataFolderBusyError(Exception):
    """Another backend (in this process or another) is serving the data folder."""

    def __init__(self, root: Path) -> None:
        super().__init__(f"the data folder {root} is in use by another nemo-mcp local backend")
        self.root = root


def private_folder(path: Path) -> None:
    """`path` and its missing parents created 0700; an existing one loses group and other access."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if (mode := path.stat().st_mode & 0o777) & 0o077:
        path.chmod(mode & 0o700)


def _hold(root: Path) -> int | None:
    """An exclusive lock on `root/.lock`, held for as long as the descriptor stays open."""
    if sys.platform == "win32":  # pragma: no cover  # no flock there: one backend per folder on trust
        return None
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise DataFolderBusyError(root) from None
    return fd


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.RLock()
        private_folder(root)
        self._owner = _hold(root)  # before anything in the folder is touched: leftovers may be live
        for sub in ("sessions", "uploads", "renders", "clips"):
            private_folder(root / sub)
        self._tokens: dict[str, TokenRecord] = {}
        self._accounts: dict[str, Account] = {}
        self._sessions: dict[str, SessionRecord] = {}
        self._renders: dict[str, RenderRecord] = {}
        self._remove_leftovers()
        self._load()

    def _remove_leftovers(self) -> None:
        """Temp files a killed process left behind (one backend serves a data folder at a time)."""
        patterns = ("uploads/*/.incoming-*", "clips/.*.part", ".*.tmp", "*/.*.tmp")
        for pattern in patterns:
            for path in self.root.glob(pattern):
                log.info("local backend: removing leftover %s", path.name)
                path.unlink(missing_ok=True)

    # ---- loading -------------------------------------------------------------------------------
    def _load(self) -> None:
        raw_tokens = _read_json(self.root / "tokens.json") or {}
        for client_id, raw in raw_tokens.items():
            self._tokens[client_id] = TokenRecord.model_validate(raw)
        raw_accounts = _read_json(self.root / "accounts.json") or {}
        for user_id, raw in raw_accounts.items():
            self._accounts[user_id] = Account.model_validate(raw)
        for path in sorted((self.root / "sessions").glob("*.json")):
            raw = _read_json(path)
            if raw is not None:
                record = SessionRecord.model_validate(raw)
                self._sessions[record.session_id] = record
        for path in sorted((self.root / "renders").glob("*.json")):
            raw = _read_json(path)
            if raw is not None:
                job = RenderRecord.model_validate(raw)
                self._renders[job.id] = job

    # ---- tokens --------------------------------------------------------------------------------
    def issue_token(self, client_id: str, *, ttl_s: float, initial_credits: int) -> TokenRecord:
        """The client's token while valid; otherwise a fresh one for the same user."""
        now = time.time()
        with self.lock:
            current = self._tokens.get(client_id)
            if current is not None and current.expires_at > now:
                return current
            user_id = current.user_id if current is not None else f"anon_{secrets.token_hex(6)}"
            record = TokenRecord(
                token=f"nmv_usr_{secrets.token_urlsafe(24)}",
                user_id=user_id,
                client_id=client_id,
                expires_at=now + ttl_s,
            )
            self._tokens[client_id] = record
            if user_id not in self._accounts:
                self._accounts[user_id] = Account(user_id=user_id, available=initial_credits)
                self._save_accounts()
            self._save_tokens()
            return record

    def user_for_token(self, token: str) -> str | None:
        """The user of a valid token; None for unknown or expired ones."""
        now = time.time()
        with self.lock:
            for record in self._tokens.values():
                if secrets.compare_digest(record.token, token):
                    return record.user_id if record.expires_at > now else None
        return None

    def expire_tokens(self) -> None:
        """Make every token expired (tests: the 1001 path with a real token)."""
        with self.lock:
            for record in self._tokens.values():
                record.expires_at = time.time() - 1
            self._save_tokens()

    def _save_tokens(self) -> None:
        path = self.root / "tokens.json"
        write_json(path, {cid: rec.model_dump() for cid, rec in self._tokens.items()})

    # ---- credits -------------------------------------------------------------------------------
    def account(self, user_id: str) -> Account:
        with self.lock:
            account = self._accounts.get(user_id)
            if account is None:
                account = Account(user_id=user_id, available=0)
            return account.model_copy(deep=True)

    def reserve(self, user_id: str, key: str, amount: int) -> bool:
        """Freeze `amount` credits for `key`; False (and nothing changes) when not enough are available."""
        with self.lock:
            account = self._accounts.get(user_id)
            if account is None or account.available < amount:
                return False
            account.available -= amount
            account.frozen += amount
            account.reservations[key] = account.reservations.get(key, 0) + amount
            self._save_accounts()
            return True

    def settle(self, user_id: str, key: str, *, charge: bool) -> None:
        """End a reservation: charge it (the work was done) or give the credits back."""
        with self.lock:
            account = self._accounts.get(user_id)
            if account is None:
                return
            amount = account.reservations.pop(key, 0)
            account.frozen -= amount
            if not charge:
                account.available += amount
            self._save_accounts()

    def set_credits(self, user_id: str, available: int) -> None:
        with self.lock:
            account = self._accounts.setdefault(user_id, Account(user_id=user_id, available=0))
            account.available = available
            self._save_accounts()

    def _save_accounts(self) -> None:
        write_json(
            self.root / "accounts.json", {uid: acc.model_dump() for uid, acc in self._accounts.items()}
        )

    # ---- sessions ------------------------------------------------------------------------------
    def create_session(self, user_id: str, *, task_name: str, language: str) -> SessionRecord:
        with self.lock:
            while True:
                # numeric like the cloud's, never starting with 0
                session_id = str(secrets.randbelow(9 * 10**18) + 10**18)
                if session_id not in self._sessions:
                    break
            record = SessionRecord(
                session_id=session_id,
                task_id=f"task_{secrets.token_hex(8)}",
                user_id=user_id,
                task_name=task_name,
                language=language,
                created_at=time.time(),
            )
            self._sessions[session_id] = record
            self.save_session(record)
            return record

    def session(self, session_id: str) -> SessionRecord | None:
        with self.lock:
            record = self._sessions.get(session_id)
            return None if record is None else record.model_copy(deep=True)

    def sessions(self) -> list[SessionRecord]:
        with self.lock:
            return [record.model_copy(deep=True) for record in self._sessions.values()]

    def save_session(self, record: SessionRecord) -> None:
        with self.lock:
            self._sessions[record.session_id] = record.model_copy(deep=True)
            write_json(self.root / "sessions" / f"{record.session_id}.json", record.model_dump())

    def upload_dir(self, session_id: str) -> Path:
        return self.root / "uploads" / session_id

    def close(self) -> None:
        """Give the data folder up (the next backend may take it)."""
        if self._owner is not None:
            os.close(self._owner)
            self._owner = None

    # ---- renders -------------------------------------------------------------------------------
    def render(self, render_id: str) -> RenderRecord | None:
        with self.lock:
            job = self._renders.get(render_id)
            return None if job is None else job.model_copy(deep=True)

    def renders(self) -> list[RenderRecord]:
        with self.lock:
            return [job.model_copy(deep=True) for job in self._renders.values()]

    def add_render(self, job: RenderRecord) -> bool:
        """Store a new job; False when the id is taken."""
        with self.lock:
            if job.id in self._renders:
                return False
            self.save_render(job)
            return True

    def save_render(self, job: RenderRecord) -> None:
        with self.lock:
            self._renders[job.id] = job.model_copy(deep=True)
            write_json(self.root / "renders" / f"{safe_filename(job.id)}.json", job.model_dump())

    def clip_path(self, key: str) -> Path:
        return self.root / "clips" / f"{key}.mp4"


__all__ = ["DataFolderBusyError", "Store", "private_folder", "safe_filename", "write_json"]
