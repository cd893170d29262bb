"""Who we are to the API: the client id (created once, reused) and the token cache (mode 0600).

Tokens are rate limited per client id (1 per 7 days), so the cache matters: a restarted process reuses
the cached token until it expires or the API refuses it. The cache is keyed by API URL. The token is
never logged and stays out of every repr.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nemo_mcp.config import MAX_CLIENT_ID_LENGTH, Settings
from nemo_mcp.errors import ConfigError

logger = logging.getLogger(__name__)

# Refresh a little before the stated expiry so a call never starts with a token about to lapse.
EXPIRY_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class Credential:
    token: str = field(repr=False)
    user_id: str | None = None
    expires_at: datetime | None = None
    # False when the token came from NEMO_TOKEN: it cannot be renewed, and the user may be registered.
    anonymous: bool = True

    def usable(self, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return True
        return (now or datetime.now(UTC)) + EXPIRY_MARGIN < self.expires_at


def ensure_private_dir(path: Path) -> None:
    """Create `path` (mode 0700) and make sure it is not writable by others."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        mode = path.stat().st_mode & 0o777
        if mode & 0o022:
            path.chmod(mode & ~0o022)


def write_private(path: Path, text: str) -> None:
    """Write atomically with mode 0600: a reader never sees half a file, and nobody else can read it."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def load_client_id(settings: Settings) -> str:
    """`NEMO_CLIENT_ID`, else the id in the config folder, else a fresh UUID saved there (once)."""
    if settings.client_id:
        if not (settings.client_id.isascii() and settings.client_id.isprintable()):
            raise ConfigError("NEMO_CLIENT_ID must be printable ASCII (it is sent in a header).")
        return settings.client_id
    path = settings.client_id_file
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    except OSError as exc:
        raise ConfigError(f"Cannot read the client id file {path}: {exc.strerror}.") from None
    if existing and len(existing) <= MAX_CLIENT_ID_LENGTH and existing.isascii() and existing.isprintable():
        return existing
    if existing:
        logger.warning("the client id in %s is not usable; creating a new one", path)
    new_id = str(uuid.uuid4())
    try:
        write_private(path, new_id + "\n")
    except OSError as exc:
        raise ConfigError(f"Cannot write the client id file {path}: {exc.strerror}.") from None
    logger.info("created a new client id in %s", path)
    return new_id


class TokenCache:
    """`token.json`: {backend: {client_id, token, user_id, expires_at}}, mode 0600."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def load(self, backend: str, client_id: str) -> Credential | None:
        entry = self._read().get(backend)
        if not isinstance(entry, dict) or entry.get("client_id") != client_id:
            return None
        token = entry.get("token")
        if not isinstance(token, str) or not token:
            return None
        expires: datetime | None = None
        raw = entry.get("expires_at")
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                expires = datetime.fromisoformat(raw)
        user = entry.get("user_id")
        credential = Credential(token, user if isinstance(user, str) else None, expires, anonymous=True)
        return credential if credential.usable() else None

    def save(self, backend: str, client_id: str, credential: Credential) -> None:
        entries = self._read()
        entries[backend] = {
            "client_id": client_id,
            "token": credential.token,
            "user_id": credential.user_id,
            "expires_at": credential.expires_at.isoformat() if credential.expires_at else None,
        }
        try:
            write_private(self._path, json.dumps(entries, indent=2))
        except OSError as exc:
            logger.warning("could not cache the token in %s (%s); continuing", self._path, exc.strerror)

    def forget(self, backend: str) -> None:
        entries = self._read()
        if entries.pop(backend, None) is not None:
            with contextlib.suppress(OSError):
                write_private(self._path, json.dumps(entries, indent=2))

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            logger.warning("ignoring an unreadable token cache at %s", self._path)
            return {}
        return data if isinstance(data, dict) else {}
