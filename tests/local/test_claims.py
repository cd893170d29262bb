"""Claim links and the session page the local backend serves in place of the web app."""

from __future__ import annotations

from pathlib import Path

import httpx
from PIL import Image

from nemo_mcp.local.runner import BackendOptions, LocalBackend
from tests.local.helpers import client, data, new_session, run_message, upload


def _claim(http: httpx.Client, session_id: str) -> str:
    answer = data(http.post("/api/auth/claim-token", json={"task_id": "t", "session_id": session_id}))
    assert answer["expires_in"] == 7 * 24 * 3600
    token: str = answer["claim_token"]
    assert token.startswith("clm_")
    return token


def test_a_claim_link_opens_a_page_with_the_timeline_and_survives_a_restart(tmp_path: Path) -> None:
    photo = tmp_path / "beach<script>.png"
    Image.new("RGB", (320, 240), "orange").save(photo)
    data_dir = tmp_path / "backend"
    with LocalBackend(data_dir, options=BackendOptions()) as first, client(first.url) as http:
        sid = new_session(http)
        upload(http, sid, photo)
        run_message(http, sid, 'animate this image into a 1-second video clip with the title "Summer"')
        token = _claim(http, sid)
        page = httpx.get(f"{first.url}/workspace/claim", params={"ct": token})
        assert page.status_code == 200
        assert "Summer" in page.text
        assert "beach&lt;script&gt;.png" in page.text  # names people chose are escaped, never markup
        assert "<script>" not in page.text
        assert f'src="{first.url}/files/clips/' in page.text

    with LocalBackend(data_dir, options=BackendOptions()) as second:
        page = httpx.get(f"{second.url}/workspace/claim", params={"ct": token})
        assert page.status_code == 200
        # The clip's address follows the backend to its new port.
        assert f'src="{second.url}/files/clips/' in page.text
        assert first.url not in page.text


def test_forged_and_foreign_claims_are_refused(local_backend: LocalBackend) -> None:
    with client(local_backend.url, "owner") as owner, client(local_backend.url, "stranger") as stranger:
        sid = new_session(owner)
        token = _claim(owner, sid)
        refused = stranger.post("/api/auth/claim-token", json={"session_id": sid}).json()
        assert refused["code"] == 1002
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    for bad in (forged, f"clm_{sid}_", "nonsense", ""):
        assert httpx.get(f"{local_backend.url}/workspace/claim", params={"ct": bad}).status_code == 404


def test_a_quoted_file_name_comes_back_as_written(local_backend: LocalBackend, tmp_path: Path) -> None:
    photo = tmp_path / 'say "cheese".png'
    Image.new("RGB", (64, 48)).save(photo, "PNG")
    with client(local_backend.url) as http:
        files = upload(http, new_session(http), photo)
    assert [f["filename"] for f in files] == ['say "cheese".png']
