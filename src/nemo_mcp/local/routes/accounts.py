"""Identity and sessions (contract §3): the anonymous token, sessions, credits, state, claim links."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from nemo_mcp.config import MAX_CLIENT_ID_LENGTH
from nemo_mcp.local.context import BackendContext
from nemo_mcp.local.records import SessionRecord
from nemo_mcp.local.routes import claims
from nemo_mcp.local.routes.guards import (
    SESSION_NOT_FOUND,
    begin,
    context_of,
    fail,
    json_object,
    ok,
    owned_session,
    path_session,
)
from nemo_mcp.local.routes.ingest import file_url


async def anonymous_token(request: Request) -> Response:
    ctx = context_of(request)
    caller = await begin(ctx, request, "token", auth=False)
    if isinstance(caller, Response):
        return caller
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id or len(client_id) > MAX_CLIENT_ID_LENGTH:
        return fail(
            400, f"X-Client-Id header is required (at most {MAX_CLIENT_ID_LENGTH} chars).", status=400
        )
    record = ctx.store.issue_token(
        client_id, ttl_s=ctx.options.token_ttl_s, initial_credits=ctx.options.initial_credits
    )
    account = ctx.store.account(record.user_id)
    return ok(
        {
            "token": record.token,
            "user_id": record.user_id,
            "expires_at": datetime.fromtimestamp(record.expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "credits": account.available,
        }
    )


async def create_session(request: Request) -> Response:
    ctx = context_of(request)
    caller = await begin(ctx, request, "session")
    if isinstance(caller, Response):
        return caller
    if request.path_params["user"] not in ("me", caller.user_id):
        return fail(SESSION_NOT_FOUND, "Unknown user in path.")
    body = await json_object(request)
    task_name = str(body.get("task_name") or "project")[:200]
    language = str(body.get("language") or "en")[:16]
    record = ctx.store.create_session(caller.user_id, task_name=task_name, language=language)
    return ok({"task_id": record.task_id, "session_id": record.session_id, "user_id": record.user_id})


async def credits(request: Request) -> Response:
    ctx = context_of(request)
    caller = await begin(ctx, request, "credits")
    if isinstance(caller, Response):
        return caller
    account = ctx.store.account(caller.user_id)
    return ok(
        {
            "available": account.available,
            "frozen": account.frozen,
            "total": account.available + account.frozen,
        }
    )


async def state(request: Request) -> Response:
    ctx = context_of(request)
    caller = await begin(ctx, request, "state")
    if isinstance(caller, Response):
        return caller
    record = path_session(ctx, caller, request)
    if record is None:
        return fail(SESSION_NOT_FOUND)
    return ok(session_state(ctx, record))


async def claim_token(request: Request) -> Response:
    ctx = context_of(request)
    caller = await begin(ctx, request, "claim")
    if isinstance(caller, Response):
        return caller
    body = await json_object(request)
    record = owned_session(ctx, caller, "me", str(body.get("session_id") or ""))
    if record is None:
        return fail(SESSION_NOT_FOUND)
    return ok(
        {
            "claim_token": claims.claim_token(ctx.store.root, record.session_id),
            "expires_in": claims.CLAIM_TTL_S,
        }
    )


async def workspace_page(request: Request) -> Response:
    ctx = context_of(request)
    ctx.stats.record_request("workspace", request.headers)
    session_id = claims.session_for_claim(ctx.store.root, request.query_params.get("ct", ""))
    record = ctx.store.session(session_id) if session_id else None
    if record is None:
        return HTMLResponse("<p>This link is not valid on this nemo-mcp local backend.</p>", 404)
    return HTMLResponse(claims.render_page(session_state(ctx, record)))


def session_state(ctx: BackendContext, record: SessionRecord) -> dict[str, Any]:
    draft = record.draft or {}
    meta = draft.get("m", {}) if isinstance(draft.get("m"), dict) else {}
    return {
        "session_id": record.session_id,
        "task_id": record.task_id,
        "state": {
            "draft": draft,
            "video_infos": [
                {
                    "name": u.filename,
                    "type": u.file_type,
                    "url": file_url(ctx, record.session_id, u.stored_name),
                    "width": u.width,
                    "height": u.height,
                    "duration": u.duration,
                }
                for u in record.uploads
            ],
            "canvas_config": {"width": meta.get("width", 0), "height": meta.get("height", 0)},
            # Clip URLs are built now, not when the clip was made: the port changes from run to run.
            "generated_media": [
                {**m, "url": f"{ctx.base_url}{m['path']}"} if "path" in m else m
                for m in record.generated_media
            ],
            "video_analyses": {},
        },
    }


ROUTES: list[BaseRoute] = [
    Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
    Route("/api/tasks/{user}/with-session/nemo_agent", create_session, methods=["POST"]),
    Route("/api/credits/balance/simple", credits, methods=["GET"]),
    Route("/api/state/nemo_agent/{user}/{sid}/latest", state, methods=["GET"]),
    Route("/api/auth/claim-token", claim_token, methods=["POST"]),
    Route("/workspace/claim", workspace_page, methods=["GET"]),
]
