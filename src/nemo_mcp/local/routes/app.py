"""The Starlette app: the routes of the contract (§3), thin; the work is in the modules they call."""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from nemo_mcp.config import MAX_CLIENT_ID_LENGTH
from nemo_mcp.local.agent import turns as agent
from nemo_mcp.local.context import BackendContext
from nemo_mcp.local.faults import FaultPlanError
from nemo_mcp.local.routes import claims
from nemo_mcp.local.routes import ingest as uploads
from nemo_mcp.local.routes import render_jobs as renders
from nemo_mcp.local.routes.guards import SESSION_NOT_FOUND, Caller, begin, fail, ok, owned_session
from nemo_mcp.local.store import SessionRecord

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def build_app(ctx: BackendContext) -> Starlette:
    async def anonymous_token(request: Request) -> Response:
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
                "expires_at": _iso_seconds(record.expires_at),
                "credits": account.available,
            }
        )

    async def create_session(request: Request) -> Response:
        caller = await begin(ctx, request, "session")
        if isinstance(caller, Response):
            return caller
        if request.path_params["user"] not in ("me", caller.user_id):
            return fail(SESSION_NOT_FOUND, "Unknown user in path.")
        body = await _json_object(request)
        task_name = str(body.get("task_name") or "project")[:200]
        language = str(body.get("language") or "en")[:16]
        record = ctx.store.create_session(caller.user_id, task_name=task_name, language=language)
        return ok({"task_id": record.task_id, "session_id": record.session_id, "user_id": record.user_id})

    async def credits(request: Request) -> Response:
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
        caller = await begin(ctx, request, "state")
        if isinstance(caller, Response):
            return caller
        record = _session(ctx, caller, request)
        if record is None:
            return fail(SESSION_NOT_FOUND)
        return ok(session_state(ctx, record))

    async def upload(request: Request) -> Response:
        caller = await begin(ctx, request, "upload")
        if isinstance(caller, Response):
            return caller
        record = _session(ctx, caller, request)
        if record is None:
            return fail(SESSION_NOT_FOUND)
        return await uploads.handle_upload(ctx, request, record)

    async def upload_file(request: Request) -> Response:
        # Uploaded files are served back like a CDN would: no token needed, names are unguessable.
        ctx.stats.record_request("files", request.headers)
        path = uploads.stored_path(ctx, request.path_params["sid"], request.path_params["name"])
        if path is None:
            return Response("not found", status_code=404)
        return FileResponse(path)

    async def run_sse(request: Request) -> Response:
        caller = await begin(ctx, request, "run_sse")
        if isinstance(caller, Response):
            return caller
        return await agent.handle_run_sse(ctx, request, caller)

    async def claim_token(request: Request) -> Response:
        caller = await begin(ctx, request, "claim")
        if isinstance(caller, Response):
            return caller
        body = await _json_object(request)
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
        ctx.stats.record_request("workspace", request.headers)
        session_id = claims.session_for_claim(ctx.store.root, request.query_params.get("ct", ""))
        record = ctx.store.session(session_id) if session_id else None
        if record is None:
            return HTMLResponse("<p>This link is not valid on this nemo-mcp local backend.</p>", 404)
        return HTMLResponse(claims.render_page(session_state(ctx, record)))

    async def admin_faults(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"rules": ctx.faults.rules()})
        body = await _json_object(request)
        raw_rules = body.get("rules", [body] if "route" in body else [])
        if not isinstance(raw_rules, list) or not all(isinstance(r, dict) for r in raw_rules):
            return JSONResponse({"error": "give {'rules': [{route, effect, value?, times?}, ...]}"}, 400)
        try:
            ctx.faults.extend(raw_rules)
        except FaultPlanError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse({"rules": ctx.faults.rules()})

    async def admin_reset(_request: Request) -> Response:
        ctx.faults.reset()
        return JSONResponse({"rules": []})

    async def admin_stats(_request: Request) -> Response:
        return JSONResponse(ctx.stats.snapshot().as_dict())

    routes = [
        Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
        Route("/api/tasks/{user}/with-session/nemo_agent", create_session, methods=["POST"]),
        Route("/api/credits/balance/simple", credits, methods=["GET"]),
        Route("/api/state/nemo_agent/{user}/{sid}/latest", state, methods=["GET"]),
        Route("/api/upload-video/nemo_agent/{user}/{sid}", upload, methods=["POST"]),
        Route("/files/uploads/{sid}/{name}", upload_file, methods=["GET", "HEAD"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route("/api/auth/claim-token", claim_token, methods=["POST"]),
        Route("/workspace/claim", workspace_page, methods=["GET"]),
        *renders.routes(ctx),
    ]
    if ctx.options.admin:
        routes += [
            Route("/_admin/faults", admin_faults, methods=["GET", "POST"]),
            Route("/_admin/reset-faults", admin_reset, methods=["POST"]),
            Route("/_admin/stats", admin_stats, methods=["GET"]),
        ]

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> Any:
        ctx.loop = asyncio.get_running_loop()
        # Work a previous run left unfinished (a turn mid-render, a render job) is finished now.
        agent.resume_turns(ctx)
        renders.resume_jobs(ctx)
        yield

    middleware = []
    if urlsplit(ctx.base_url).hostname in LOOPBACK_NAMES:
        # A web page must not reach the backend through DNS rebinding: only loopback Host headers pass.
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK_NAMES)))

    async def client_gone(_request: Request, _exc: Exception) -> Response:
        # The client went away while sending its request: nobody is left to answer, nothing to log.
        return Response(status_code=499)

    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers={ClientDisconnect: client_gone},
    )


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
                    "url": uploads.file_url(ctx, record.session_id, u.stored_name),
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


def _session(ctx: BackendContext, caller: Caller, request: Request) -> SessionRecord | None:
    return owned_session(ctx, caller, request.path_params["user"], request.path_params["sid"])


async def _json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; {} for an empty or malformed body (the routes then use defaults)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _iso_seconds(ts: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = ["build_app", "session_state"]
