"""Render jobs: placeholder until the job logic lands."""

from __future__ import annotations

from starlette.routing import BaseRoute

from nemo_mcp.local.context import BackendContext


def routes(ctx: BackendContext) -> list[BaseRoute]:
    return []


def resume_jobs(ctx: BackendContext) -> None:
    return None
