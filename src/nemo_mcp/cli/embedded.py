"""The embedded local backend as `serve --local`, the one-shot commands and `local-backend` start it.

Imports stay inside the functions: the renderer (Pillow, PyAV, NumPy) is loaded only when the local
backend is asked for, never at a plain `serve` start.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nemo_mcp.config import Settings
from nemo_mcp.errors import NemoError

if TYPE_CHECKING:
    from nemo_mcp.local.runner import BackendOptions, LocalBackend


def embedded_options(settings: Settings) -> BackendOptions:
    from nemo_mcp.local.runner import BackendOptions

    return BackendOptions(allow_private_urls=settings.allow_private_urls)


def folder_in_use(root: Path) -> NemoError:
    return NemoError(
        f"The local backend's data folder {root} is in use by another nemo-mcp process "
        "(serve --local or local-backend).",
        hint="Stop that one, or give this one another NEMO_MCP_DATA_DIR.",
    )


def start_backend(backend: LocalBackend) -> LocalBackend:
    """Start `backend`; a data folder another backend holds is one clear error."""
    from nemo_mcp.local.store import DataFolderBusyError

    try:
        return backend.start()
    except DataFolderBusyError as exc:
        raise folder_in_use(exc.root) from None


def embedded_backend(settings: Settings) -> LocalBackend:
    """The backend serving `settings.local_backend_dir`, not started yet.

    Point the client at it with `settings.with_local_backend(backend.url)`, which keeps its sessions and
    token valid across runs although the port changes.
    """
    from nemo_mcp.local.runner import LocalBackend

    return LocalBackend(settings.local_backend_dir, options=embedded_options(settings))
