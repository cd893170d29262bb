"""What this server exported, as `nemo://exports` lists it: one list per process, or per user in Redis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from nemo_mcp.service.models import ExportOutcome, PublishedExport

Exported = ExportOutcome | PublishedExport


class ExportLog(Protocol):
    async def add(self, item: Exported) -> None: ...

    async def listing(self) -> list[dict[str, Any]]:
        """The exports, newest first, as JSON-ready dicts."""
        ...


@dataclass
class LocalExports:
    """The exports of this process (stdio, one `serve --http`): everyone who reaches it is one person."""

    items: list[Exported] = field(default_factory=list)

    async def add(self, item: Exported) -> None:
        self.items.append(item)

    async def listing(self) -> list[dict[str, Any]]:
        return [item.model_dump(mode="json") for item in reversed(self.items)]


__all__ = ["ExportLog", "Exported", "LocalExports"]
