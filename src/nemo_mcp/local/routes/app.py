"""The Starlette app: the routes of the contract (§3), each module's `ROUTES`, thin; the work is elsewhere.

accounts.py     token, sessions, credits, state, claim links, the workspace page
ingest.py       uploads (multipart and URLs) and the files they are served back from
messages.py     /run_sse: one message, one turn of the local agent, streamed as SSE
render_jobs.py  render submit, poll, cancel, download
admin.py        the fault plan and stats (tests only)
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from nemo_mcp.local import render_queue
from nemo_mcp.local.agent.turns import resume_turns
from nemo_mcp.local.context import BackendContext
from nemo_mcp.local.routes import accounts, admin, ingest, messages, render_jobs
from nemo_mcp.local.routes.bodies import BodyError, BodyLimit, body_refused

LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def build_app(ctx: BackendContext) -> Starlette:
    routes = [*accounts.ROUTES, *ingest.ROUTES, *messages.ROUTES, *render_jobs.ROUTES]
    if ctx.options.admin:
        routes += admin.ROUTES

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> Any:
        ctx.loop = asyncio.get_running_loop()
        # Work a previous run left unfinished (a turn mid-render, a render job) is finished now.
        resume_turns(ctx)
        render_queue.resume(ctx)
        yield

    middleware = [Middleware(BodyLimit)]  # every body bounded as it streams, before any route reads it
    if urlsplit(ctx.base_url).hostname in LOOPBACK_NAMES:
        # A web page must not reach the backend through DNS rebinding: only loopback Host headers pass.
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK_NAMES)))

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers={ClientDisconnect: _client_gone, BodyError: body_refused},
    )
    app.state.ctx = ctx
    return app


async def _client_gone(_request: Request, _exc: Exception) -> Response:
    # The client went away while sending its request: nobody is left to answer, nothing to log.
    return Response(status_code=499)


__all__ = ["build_app"]
