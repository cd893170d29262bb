"""With the embedded backend, get_state's web link opens the backend's own page, not the cloud's."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from nemo_mcp.config import Settings
from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.service.facade import NemoService


@pytest.mark.anyio
async def test_the_web_link_of_a_local_session_opens_its_page(
    local_settings: Settings, local_backend: LocalBackend, sample_png: Path
) -> None:
    settings = local_settings.with_local_backend(local_backend.url)
    async with NemoService.open(settings) as service:
        uploaded = await service.uploads.upload([str(sample_png)])
        state = await service.state(uploaded.session_id)
    assert state.web_url is not None
    assert state.web_url.startswith(f"{local_backend.url}/workspace/claim?ct=clm_")
    async with httpx.AsyncClient() as http:
        page = await http.get(state.web_url)
    assert page.status_code == 200
    assert sample_png.name in page.text
