"""Uploads: placeholder until the upload logic lands."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from nemo_mcp.local.context import BackendContext
from nemo_mcp.local.guards import fail
from nemo_mcp.local.store import SessionRecord


async def handle_upload(ctx: BackendContext, request: Request, session: SessionRecord) -> Response:
    return fail(501, "not implemented yet", status=501)


def stored_path(ctx: BackendContext, session_id: str, name: str) -> Path | None:
    return None
