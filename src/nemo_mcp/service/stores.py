"""Where the domain keeps what must outlive a call: known sessions and render handles, behind small protocols.

One process keeps them in files (`session_store.SessionRegistry`, `renders.RenderHandleStore`): the default,
wrapped here as `FileSessions` and `FileHandles`. Replicas behind a load balancer keep them in Redis
(`server/shared/stores.py`), per user, so a call on any replica sees what another one started. The methods
are coroutines because a shared store is a network call; every failure of a shared store raises a
`NemoError` and is never answered from a local copy (that is how a turn gets sent, and charged, twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from nemo_mcp.api.auth import TokenStore
from nemo_mcp.service.renders import RenderHandle, RenderHandleStore
from nemo_mcp.service.session_store import KnownSession, SessionRegistry


class SessionStore(Protocol):
    """The sessions one identity created on one backend, which replaced which, and the latest one."""

    async def latest(self) -> KnownSession | None: ...

    async def get(self, session_id: str) -> KnownSession | None:
        """The record for `session_id`, following replacements (an old id leads to its new session)."""
        ...

    async def add(self, record: KnownSession, *, replaces: str | None = None) -> None:
        """Remember a new session; it becomes the latest."""
        ...

    async def touch(self, session_id: str) -> None:
        """Make a known session the latest."""
        ...

    async def flush(self) -> None:
        """Keep what only lives in memory so far (the latest pointer); called when the service closes."""
        ...


class HandleStore(Protocol):
    """The ids of renders submitted and not yet delivered, so a later call resumes instead of resubmitting."""

    async def save(self, handle: RenderHandle) -> None: ...

    async def remove(self, render_id: str) -> None: ...

    async def find(self, session_id: str, backend: str) -> RenderHandle | None:
        """The newest stored render of this session on this backend, if any."""
        ...


class FileSessions:
    """`SessionRegistry` (a JSON file in the data folder) behind `SessionStore`."""

    def __init__(self, registry: SessionRegistry) -> None:
        self.registry = registry

    async def latest(self) -> KnownSession | None:
        return self.registry.latest

    async def get(self, session_id: str) -> KnownSession | None:
        return self.registry.get(session_id)

    async def add(self, record: KnownSession, *, replaces: str | None = None) -> None:
        await self.registry.add(record, replaces=replaces)

    async def touch(self, session_id: str) -> None:
        self.registry.touch(session_id)  # memory only: the pointer is written with the next real change

    async def flush(self) -> None:
        await self.registry.flush()


class FileHandles:
    """`RenderHandleStore` (one JSON file per render) behind `HandleStore`."""

    def __init__(self, store: RenderHandleStore) -> None:
        self.store = store

    async def save(self, handle: RenderHandle) -> None:
        await self.store.save(handle)

    async def remove(self, render_id: str) -> None:
        await self.store.remove(render_id)

    async def find(self, session_id: str, backend: str) -> RenderHandle | None:
        return await self.store.find(session_id, backend)


@dataclass(frozen=True)
class Stores:
    """What a `NemoService` keeps outside itself; each one left out is the single-process file default."""

    sessions: SessionStore | None = None
    handles: HandleStore | None = None
    tokens: TokenStore | None = None


__all__ = ["FileHandles", "FileSessions", "HandleStore", "SessionStore", "Stores"]
