"""Test-only routes (`BackendOptions.admin`): the fault plan and what the backend has seen."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from nemo_mcp.local.faults import FaultPlanError
from nemo_mcp.local.routes.guards import context_of, json_object


async def faults(request: Request) -> Response:
    ctx = context_of(request)
    if request.method == "GET":
        return JSONResponse({"rules": ctx.faults.rules()})
    body = await json_object(request)
    raw_rules = body.get("rules", [body] if "route" in body else [])
    if not isinstance(raw_rules, list) or not all(isinstance(r, dict) for r in raw_rules):
        return JSONResponse({"error": "give {'rules': [{route, effect, value?, times?}, ...]}"}, 400)
    try:
        ctx.faults.extend(raw_rules)
    except FaultPlanError as exc:
        return JSONResponse({"error": str(exc)}, 400)
    return JSONResponse({"rules": ctx.faults.rules()})


async def reset_faults(request: Request) -> Response:
    context_of(request).faults.reset()
    return JSONResponse({"rules": []})


async def stats(request: Request) -> Response:
    return JSONResponse(context_of(request).stats.snapshot().as_dict())


ROUTES: list[BaseRoute] = [
    Route("/_admin/faults", faults, methods=["GET", "POST"]),
    Route("/_admin/reset-faults", reset_faults, methods=["POST"]),
    Route("/_admin/stats", stats, methods=["GET"]),
]
