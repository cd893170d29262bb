"""What every route does first: count the call, apply a generic fault, check the token; and the envelopes."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from nemo_mcp.local.context import BackendContext
from nemo_mcp.local.records import SessionRecord
from nemo_mcp.local.routes.bodies import json_object

BAD_TOKEN = 1001
SESSION_NOT_FOUND = 1002
NO_CREDITS = 2001
UNSUPPORTED_FILE = 4001
FILE_TOO_LARGE = 4002
# Not in the public contract: a URL upload the backend refuses to fetch (scheme, private address, failure).
URL_REFUSED = 4003

MESSAGES: dict[int, str] = {
    BAD_TOKEN: "Invalid or expired token.",
    SESSION_NOT_FOUND: "Session not found.",
    NO_CREDITS: "Insufficient credits.",
    UNSUPPORTED_FILE: "Unsupported file type.",
    FILE_TOO_LARGE: "File too large: at most 50 MB.",
    URL_REFUSED: "The URL cannot be fetched.",
}


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "data": data, "message": "success"})


def fail(code: int, message: str | None = None, *, status: int = 200) -> JSONResponse:
    """An error in the `{code,data,message}` envelope; HTTP 200 like the cloud unless `status` says otherwise."""
    return JSONResponse(
        {"code": code, "data": None, "message": message or MESSAGES.get(code, "Error.")}, status_code=status
    )


def render_ok(data: dict[str, Any], *, status: int = 200) -> JSONResponse:
    return JSONResponse({"success": True, "data": data}, status_code=status)


def render_fail(message: str, *, status: int) -> JSONResponse:
    return JSONResponse({"success": False, "error": message}, status_code=status)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def context_of(request: Request) -> BackendContext:
    """The backend's shared state, which `build_app` puts on the app."""
    ctx: BackendContext = request.app.state.ctx
    return ctx


@dataclass(frozen=True)
class Caller:
    user_id: str
    # all three X-Skill-* headers were sent
    attributed: bool


async def generic_fault(ctx: BackendContext, route: str) -> Response | None:
    rule = ctx.faults.take_generic(route)
    if rule is None:
        return None
    if rule.effect == "delay":
        assert isinstance(rule.value, int | float)
        await asyncio.sleep(rule.value)
        return None
    if rule.effect == "hold":
        release = ctx.faults.holding()
        await anyio.to_thread.run_sync(release.wait, abandon_on_cancel=True)
        return None
    if rule.effect == "rate_limit":
        response = fail(429, "Too many requests.", status=429)
        response.headers["Retry-After"] = "1"
        return response
    code = int(rule.value or 0)
    if rule.effect == "http_status":
        return fail(code, f"HTTP {code} (fault plan).", status=code)
    return fail(code)


async def begin(ctx: BackendContext, request: Request, route: str, *, auth: bool = True) -> Caller | Response:
    """Count the call, apply a generic fault for `route`, then check the bearer token (code 1001 if bad)."""
    attributed = ctx.stats.record_request(route, request.headers)
    faulted = await generic_fault(ctx, route)
    if faulted is not None:
        return faulted
    if not auth:
        return Caller(user_id="", attributed=attributed)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user_id = ctx.store.user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
    if user_id is None:
        return fail(BAD_TOKEN)
    return Caller(user_id=user_id, attributed=attributed)


def owned_session(ctx: BackendContext, caller: Caller, user: str, session_id: str) -> SessionRecord | None:
    """The caller's session; `user` in a path is "me" or the caller's own id. None answers 1002."""
    if user not in ("me", caller.user_id):
        return None
    record = ctx.store.session(session_id)
    if record is None or record.user_id != caller.user_id:
        return None
    return record


def path_session(ctx: BackendContext, caller: Caller, request: Request) -> SessionRecord | None:
    """The caller's session named by the `{user}` and `{sid}` of the path; None answers 1002."""
    return owned_session(ctx, caller, request.path_params["user"], request.path_params["sid"])


def now() -> float:
    return time.time()


__all__ = [
    "BAD_TOKEN",
    "FILE_TOO_LARGE",
    "MESSAGES",
    "NO_CREDITS",
    "SESSION_NOT_FOUND",
    "UNSUPPORTED_FILE",
    "URL_REFUSED",
    "Caller",
    "begin",
    "context_of",
    "fail",
    "generic_fault",
    "iso",
    "json_object",
    "now",
    "ok",
    "owned_session",
    "path_session",
    "render_fail",
    "render_ok",
]
