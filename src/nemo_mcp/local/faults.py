"""The fault plan: make chosen calls misbehave on request, for tests. Never on by default.

A plan is a list of rules. Each rule names a route, an effect, an optional value and how many times it
applies (`times`; None = until the plan is reset). The first live rule that matches a request is used and
its count goes down by one. Set it from Python (`LocalBackend.faults`) or over HTTP (`POST /_admin/faults`
when the backend runs with `admin=True`); both reach the same object.

Effects, by route:

    any route       http_status (value: N)   answer HTTP N with an error envelope
                    body_code   (value: N)   answer HTTP 200 with body code N (1001, 1002, 2001, 4001, 4002)
                    rate_limit               answer HTTP 429 with Retry-After: 1
                    delay       (value: s)   wait s seconds, then answer normally (client timeouts)
                    hold                     hold the request until the plan is reset, then answer normally
                                             (a test acts at a known moment: swaps a file, expires tokens)
    run_sse         drop_after  (value: N)   cut the connection after N events (the work goes on)
                    heartbeats_only          send only heartbeats until the client goes away; nothing runs
                    silent                   do the work, send no text events
                    error_event              send {"error": ...} and close; nothing runs
                    malformed_event          send one event whose data is not JSON, then go on normally
                    split_events             write every event in several pieces, cut mid-line
                    adk_events               send ADK-shaped events (content.parts) instead of the type shape
                    stall                    hold the work (credits frozen) until the plan is reset
                    gateway_timeout          take the message and do the work, but answer HTTP 504 at once
                    say         (value: text) the agent's words are this text (control characters and all)
    render_submit   submit_fail              answer HTTP 500 {"success": false, ...}; no job is created
                    render_fail              accept the job, then end it in `failed`
                    stall                    the job stays `processing` until the plan is reset
                    foreign_id  (value: id)  the job is kept and answered under this id, not the client's
    render_poll     completed_without_url    answer `completed` with no URL
                    poll_variant (value: "task_id" | "render_id")  answer in another §8 shape
                    unreachable_url          give an output URL on which nothing listens
                    foreign_url (value: URL) once the job is done, name this URL as its output
                    echo_headers             answer `failed` with the request's headers (token included) as
                                             the error, like a backend whose error page echoes the request
    download        cut_download             send half of the file, then drop the connection
                    stall                    send half of the file, then hold until the plan is reset
                    redirect    (value: URL) the output URL answers 302 to this URL
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard, get_args

Route = Literal[
    "token",
    "session",
    "upload",
    "credits",
    "state",
    "claim",
    "run_sse",
    "render_submit",
    "render_poll",
    "render_cancel",
    "download",
    "any",
]
Effect = Literal[
    "http_status",
    "body_code",
    "rate_limit",
    "delay",
    "hold",
    "drop_after",
    "heartbeats_only",
    "silent",
    "error_event",
    "malformed_event",
    "split_events",
    "adk_events",
    "stall",
    "gateway_timeout",
    "say",
    "submit_fail",
    "foreign_id",
    "render_fail",
    "completed_without_url",
    "poll_variant",
    "unreachable_url",
    "foreign_url",
    "echo_headers",
    "cut_download",
    "redirect",
]
ROUTES: tuple[str, ...] = get_args(Route)
EFFECTS: tuple[str, ...] = get_args(Effect)

_GENERIC: frozenset[str] = frozenset({"http_status", "body_code", "rate_limit", "delay", "hold"})
# What a run_sse stream can be made to do (the agent asks for these when a turn starts).
RUN_SSE_EFFECTS: frozenset[str] = frozenset(
    {
        "drop_after",
        "heartbeats_only",
        "silent",
        "error_event",
        "malformed_event",
        "split_events",
        "adk_events",
        "stall",
        "gateway_timeout",
        "say",
    }
)
_BY_ROUTE: dict[str, frozenset[str]] = {
    "run_sse": RUN_SSE_EFFECTS,
    "render_submit": frozenset({"submit_fail", "render_fail", "stall", "foreign_id"}),
    "render_poll": frozenset(
        {"completed_without_url", "poll_variant", "unreachable_url", "foreign_url", "echo_headers"}
    ),
    "download": frozenset({"cut_download", "stall", "redirect"}),
}
_NEEDS_INT = frozenset({"http_status", "body_code", "drop_after"})
_NEEDS_TEXT = frozenset({"say", "foreign_id", "foreign_url", "redirect"})
POLL_VARIANTS = ("task_id", "render_id")
MAX_DELAY_S = 600


class DroppedByFaultError(ConnectionAbortedError):
    """Raised inside a response body to cut the connection on purpose (drop_after, cut_download)."""


class FaultPlanError(ValueError):
    """A rule that cannot work: unknown route or effect, an effect on the wrong route, a bad value."""


@dataclass
class FaultRule:
    route: Route
    effect: Effect
    value: float | str | None = None
    times: int | None = 1
    used: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "effect": self.effect,
            "value": self.value,
            "times": self.times,
            "used": self.used,
        }

    @property
    def live(self) -> bool:
        return self.times is None or self.used < self.times


def _is_whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def make_rule(route: str, effect: str, value: float | str | None = None, times: int | None = 1) -> FaultRule:
    """Check and build one rule; raises FaultPlanError naming what is wrong."""
    if route not in ROUTES:
        raise FaultPlanError(f"unknown route {route!r}; one of {', '.join(ROUTES)}")
    if effect not in EFFECTS:
        raise FaultPlanError(f"unknown effect {effect!r}; one of {', '.join(EFFECTS)}")
    if effect not in _GENERIC and effect not in _BY_ROUTE.get(route, frozenset()):
        raise FaultPlanError(f"effect {effect!r} does not apply to route {route!r}")
    if effect in _NEEDS_INT and not (_is_whole(value) and value >= 0):
        raise FaultPlanError(f"effect {effect!r} needs a whole number value")
    if effect == "http_status" and not (_is_whole(value) and 400 <= value <= 599):
        raise FaultPlanError("http_status needs a value from 400 to 599")
    if effect == "delay" and not (_is_number(value) and 0 < value <= MAX_DELAY_S):
        raise FaultPlanError(f"delay needs a number of seconds, more than 0 and at most {MAX_DELAY_S}")
    if effect in _NEEDS_TEXT and not (isinstance(value, str) and value):
        raise FaultPlanError(f"effect {effect!r} needs a text value")
    if effect == "poll_variant" and value not in POLL_VARIANTS:
        raise FaultPlanError(f"poll_variant needs value {' or '.join(POLL_VARIANTS)}")
    if times is not None and times < 1:
        raise FaultPlanError("times must be at least 1, or null for 'until reset'")
    return FaultRule(route=route, effect=effect, value=value, times=times)  # type: ignore[arg-type]


@dataclass
class FaultPlan:
    """The live rules, shared by the HTTP routes (event loop thread) and the render workers."""

    _rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Set when the plan is reset: what a `stall` waits for.
    _released: threading.Event = field(default_factory=threading.Event)
    # Set when a `hold` (or a download `stall`) starts holding: what a test waits for before acting.
    _holding: threading.Event = field(default_factory=threading.Event)

    def add(
        self, route: str, effect: str, value: float | str | None = None, *, times: int | None = 1
    ) -> FaultRule:
        rule = make_rule(route, effect, value, times)
        with self._lock:
            if not self._rules:
                self._released = threading.Event()
            self._rules.append(rule)
        return rule

    def extend(self, rules: Iterable[dict[str, Any]]) -> list[FaultRule]:
        """Add rules given as dicts (the admin route's JSON); all are checked before any is added."""
        built = [
            make_rule(
                str(raw.get("route", "")),
                str(raw.get("effect", "")),
                raw.get("value"),
                raw.get("times", 1),
            )
            for raw in rules
        ]
        with self._lock:
            if not self._rules:
                self._released = threading.Event()
            self._rules.extend(built)
        return built

    def reset(self) -> None:
        """Remove every rule and release whatever a `stall` holds."""
        with self._lock:
            self._rules.clear()
            self._released.set()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.as_dict() for rule in self._rules]

    def take(self, route: str, effects: Iterable[str] | None = None) -> FaultRule | None:
        """The first live rule for `route` (or `any`) among `effects`, counted as used; None if none."""
        wanted = None if effects is None else frozenset(effects)
        with self._lock:
            for rule in self._rules:
                if rule.route not in (route, "any") or not rule.live:
                    continue
                if wanted is not None and rule.effect not in wanted:
                    continue
                rule.used += 1
                return rule
        return None

    def take_generic(self, route: str) -> FaultRule | None:
        return self.take(route, _GENERIC)

    def holding(self) -> threading.Event:
        """Call when a request starts to be held; returns the event that releases it (the next reset)."""
        self._holding.set()
        return self.release_event()

    def wait_held(self, timeout: float) -> bool:
        """Block until a request is held (then forget it, for the next one); False after `timeout` s."""
        held = self._holding.wait(timeout)
        self._holding.clear()
        return held

    def release_event(self) -> threading.Event:
        """The event a stall waits on: set by the next reset()."""
        with self._lock:
            return self._released


__all__ = [
    "EFFECTS",
    "POLL_VARIANTS",
    "ROUTES",
    "RUN_SSE_EFFECTS",
    "DroppedByFaultError",
    "Effect",
    "FaultPlan",
    "FaultPlanError",
    "FaultRule",
    "Route",
    "make_rule",
]
