"""Every Redis key replicas use, in one place (docs/scale-out.md draws them with their lifetimes).

    {p} = nemo-mcp:<8 hex of the backend's scope>:    one deployment of one NemoVideo API
    {p}job:<id>                 hash   a job: kind, sid, user, status, progress, result, owner, epoch   1 day
    {p}lease:<id>               string "<replica>:<epoch>", PX = the lease; renewed by the owner
    {p}running                  zset   running job ids (score: start ms); the reapers' worklist
    {p}events                   pubsub progress, done, cancel, handover; one reader per replica
    {p}u:<user>:cur:<kind>:<sid> string the newest job of a kind for a session                      1 day
    {p}u:<user>:jobs:<sid>      zset   the session's last ten jobs                                   1 day
    {p}u:<user>:sessions        hash   session id -> KnownSession JSON                              30 days
    {p}u:<user>:replaced        hash   forgotten session id -> its replacement                      30 days
    {p}u:<user>:latest          string the user's latest session id                                 30 days
    {p}u:<user>:renders         hash   render id -> RenderHandle JSON, until delivered               7 days
    {p}u:<user>:token           string the user's NemoVideo token, AES-GCM encrypted                 8 days
    {p}u:<user>:exports         list   the user's exports, newest first, at most 100                30 days

`<user>` is an HMAC of the OAuth (issuer, subject), or `shared` when replicas serve one identity.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

JOB_TTL_MS = 24 * 3600 * 1000
SESSIONS_TTL_S = 30 * 24 * 3600
RENDERS_TTL_S = 7 * 24 * 3600
TOKEN_TTL_S = 8 * 24 * 3600
EXPORTS_KEPT = 100

_PLAIN = re.compile(r"[A-Za-z0-9_.-]{1,80}")


def _part(text: str) -> str:
    """An id as a key part: as it is when plain, else a digest (ids come from tool arguments)."""
    if _PLAIN.fullmatch(text):
        return text
    return "h" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class Keys:
    prefix: str

    @classmethod
    def for_scope(cls, scope: str) -> Keys:
        return cls(f"nemo-mcp:{hashlib.sha256(scope.encode()).hexdigest()[:8]}:")

    def job(self, job_id: str) -> str:
        return f"{self.prefix}job:{job_id}"

    def lease(self, job_id: str) -> str:
        return f"{self.prefix}lease:{job_id}"

    @property
    def running(self) -> str:
        return f"{self.prefix}running"

    @property
    def events(self) -> str:
        return f"{self.prefix}events"

    def user(self, user: str) -> str:
        return f"{self.prefix}u:{_part(user)}:"

    def current(self, user: str, kind: str, session_id: str) -> str:
        return f"{self.user(user)}cur:{kind}:{_part(session_id)}"

    def session_jobs(self, user: str, session_id: str) -> str:
        return f"{self.user(user)}jobs:{_part(session_id)}"

    def sessions(self, user: str) -> str:
        return f"{self.user(user)}sessions"

    def replaced(self, user: str) -> str:
        return f"{self.user(user)}replaced"

    def latest(self, user: str) -> str:
        return f"{self.user(user)}latest"

    def renders(self, user: str) -> str:
        return f"{self.user(user)}renders"

    def token(self, user: str) -> str:
        return f"{self.user(user)}token"

    def exports(self, user: str) -> str:
        return f"{self.user(user)}exports"


__all__ = ["Keys"]
