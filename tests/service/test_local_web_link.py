"""With the embedded backend, get_state gives no web link: the backend's own page lives on a port that dies
with the process (issue 15); the page itself still serves a claim link while the backend runs."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.service.facade import NemoService


@pytest.mark.anyio
async def test_a_local_session_hands_out_no_link_to_a_passing_port(
    local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    settings = local_settings.with_local_backend(local_backend.url)
    async with NemoService.open(settings) as service:
        uploaded = await service.uploads.upload([str(sample_png)])
        state = await service.state(uploaded.session_id)
        claim = await service.workspace.client.claim_token("task", uploaded.session_id)
    assert state.web_url is None
    async with httpx.AsyncClient() as http:
        page = await http.get(f"{local_backend.url}/workspace/claim", params={"ct": claim.claim_token})
    assert page.status_code == 200
    assert sample_png.name in page.text
