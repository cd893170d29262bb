"""What the backend has seen: requests per route, run_sse messages per session, attribution headers.

Tests read it (`LocalBackend.stats` or `GET /_admin/stats`) to prove, e.g., that a message was sent once.
Tokens are never recorded: the Authorization header is kept only as "Bearer <redacted>", and every bearer
token seen only as a short SHA-256 digest (`bearer_digests`), so a test can prove a token never arrived.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ATTRIBUTION_HEADERS = ("x-skill-source", "x-skill-version", "x-skill-platform")
_SECRET_HEADERS = frozenset({"authorization", "cookie", "x-api-key"})


@dataclass(frozen=True)
class StatsSnapshot:
    requests: dict[str, int]
    messages: dict[str, list[str]]
    missing_attribution: dict[str, int]
    last_headers: dict[str, str]
    bearer_digests: frozenset[str] = frozenset()

    @property
    def missing_attribution_total(self) -> int:
        return sum(self.missing_attribution.values())

    def messages_for(self, session_id: str) -> list[str]:
        return list(self.messages.get(session_id, []))

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "messages": {sid: list(texts) for sid, texts in self.messages.items()},
            "missing_attribution": dict(self.missing_attribution),
            "missing_attribution_total": self.missing_attribution_total,
            "last_headers": dict(self.last_headers),
        }


@dataclass
class Stats:
    _requests: Counter[str] = field(default_factory=Counter)
    _messages: dict[str, list[str]] = field(default_factory=dict)
    _missing: Counter[str] = field(default_factory=Counter)
    _last_headers: dict[str, str] = field(default_factory=dict)
    _bearers: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record_request(self, route: str, headers: Mapping[str, str]) -> bool:
        """Count a request; returns whether all three attribution headers were present."""
        safe = {
            name.lower(): ("<redacted>" if name.lower() in _SECRET_HEADERS else value)
            for name, value in headers.items()
        }
        complete = all(safe.get(name, "").strip() for name in ATTRIBUTION_HEADERS)
        bearer = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        with self._lock:
            if bearer[:7].lower() == "bearer ":
                self._bearers.add(bearer_digest(bearer[7:].strip()))
            self._requests[route] += 1
            self._last_headers = safe
            if not complete:
                self._missing[route] += 1
        return complete

    def record_message(self, session_id: str, text: str) -> None:
        with self._lock:
            self._messages.setdefault(session_id, []).append(text)

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return StatsSnapshot(
                requests=dict(self._requests),
                messages={sid: list(texts) for sid, texts in self._messages.items()},
                missing_attribution=dict(self._missing),
                last_headers=dict(self._last_headers),
                bearer_digests=frozenset(self._bearers),
            )

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._messages.clear()
            self._missing.clear()
            self._last_headers = {}
            self._bearers.clear()


def bearer_digest(token: str) -> str:
    """How `bearer_digests` names a token: enough to recognise it, useless to replay it."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:16]


__all__ = ["ATTRIBUTION_HEADERS", "Stats", "StatsSnapshot", "bearer_digest"]
