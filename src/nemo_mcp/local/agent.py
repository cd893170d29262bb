"""run_sse: placeholder until the turn logic lands."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from nemo_mcp.local.context import BackendContext
from nemo_mcp.local.guards import Caller, fail


async def handle_run_sse(ctx: BackendContext, request: Request, caller: Caller) -> Response:
    return fail(501, "not implemented yet", status=501)


def resume_turns(ctx: BackendContext) -> None:
    return None
