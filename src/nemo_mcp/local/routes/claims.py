"""Claim links and the one web page the embedded backend serves: a session as a person sees it.

The cloud hands out `<web>/workspace/claim?ct=<claim_token>`; offline there is no web app, so the backend
serves a plain page at the same path. Claim tokens are signed, not stored: they survive a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
import secrets
from pathlib import Path
from typing import Any

CLAIM_TTL_S = 7 * 24 * 3600
_KEY_FILE_NAME = "claim-key"


def claim_token(root: Path, session_id: str) -> str:
    return f"clm_{session_id}_{_mac(root, session_id)}"


def session_for_claim(root: Path, token: str) -> str | None:
    """The session a claim token opens, or None for a token this backend did not sign."""
    prefix, _, rest = token.partition("_")
    session_id, _, mac = rest.partition("_")
    if prefix != "clm" or not session_id or not mac:
        return None
    return session_id if hmac.compare_digest(mac, _mac(root, session_id)) else None


def render_page(state: dict[str, Any]) -> str:
    """The session's timeline and clips as HTML. Every value is escaped: file names come from users."""
    inner = state.get("state") or {}
    draft = inner.get("draft") or {}
    meta = draft.get("m") or {}
    title = str(meta.get("title") or "Untitled project")
    rows = []
    for track in draft.get("t") or []:
        for seg in track.get("sg") or []:
            label = seg.get("text") or seg.get("name") or "segment"
            start, length = seg.get("st", 0) / 1000, seg.get("d", 0) / 1000
            rows.append(f"<li>{_e(label)} ({start:g}-{start + length:g} s)</li>")
    clips = [
        f'<figure><video controls src="{_e(m.get("url", ""))}" width="640"></video>'
        f"<figcaption>{_e(m.get('name', 'clip'))}</figcaption></figure>"
        for m in inner.get("generated_media") or []
        if isinstance(m, dict)
    ]
    uploads = [
        f"<li>{_e(m.get('name', 'file'))} ({_e(m.get('type', ''))})</li>"
        for m in inner.get("video_infos") or []
        if isinstance(m, dict)
    ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{_e(title)} · nemo-mcp local</title></head><body>"
        f"<h1>{_e(title)}</h1><p>Session {_e(str(state.get('session_id', '')))} on the nemo-mcp local backend.</p>"
        f"<h2>Timeline</h2><ul>{''.join(rows) or '<li>empty</li>'}</ul>"
        f"<h2>Clips</h2>{''.join(clips) or '<p>No clip yet.</p>'}"
        f"<h2>Uploads</h2><ul>{''.join(uploads) or '<li>none</li>'}</ul></body></html>"
    )


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _mac(root: Path, session_id: str) -> str:
    return hmac.new(_secret(root), session_id.encode(), hashlib.sha256).hexdigest()[:32]


def _secret(root: Path) -> bytes:
    path = root / _KEY_FILE_NAME
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    value = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, value)
    finally:
        os.close(fd)
    return value
