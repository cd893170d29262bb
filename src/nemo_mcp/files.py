"""Private files written atomically: the token cache, the client id, known sessions, render handles.

Under every layer, like `config` and `errors`: the wire (token cache) and the domain (sessions, handles)
both keep small JSON files that nobody else may read and no reader may see half-written.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path


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
