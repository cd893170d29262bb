"""`POST /run_sse`: one message to the local agent, answered as an SSE stream (contract §4)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from nemo_mcp.local.agent.turns import handle_run_sse
from nemo_mcp.local.routes.guards import begin, context_of


async def run_sse(request: Request) -> Response:
    ctx = context_of(request)
    caller = await begin(ctx, request, "run_sse")
    if isinstance(caller, Response):
        return caller
    return await handle_run_sse(ctx, request, caller)


ROUTES: list[BaseRoute] = [Route("/run_sse", run_sse, methods=["POST"])]
