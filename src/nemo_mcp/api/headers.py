"""The attribution headers every request carries, built in exactly one place (contract §2)."""

from __future__ import annotations

import re

from nemo_mcp import __version__
from nemo_mcp.config import SKILL_NAME

UNKNOWN_PLATFORM = "unknown"

# Substrings of an MCP client's name (lower-cased) and the platform they stand for; first match wins.
_CLIENT_PLATFORMS: tuple[tuple[str, str], ...] = (
    ("claude-code", "claude-code"),
    ("claude code", "claude-code"),
    ("claude-ai", "claude-desktop"),
    ("claude desktop", "claude-desktop"),
    ("claude-desktop", "claude-desktop"),
    ("cursor", "cursor"),
    ("clawhub", "clawhub"),
    ("openclaw", "clawhub"),
    ("windsurf", "windsurf"),
    ("vscode", "vscode"),
    ("visual studio code", "vscode"),
    ("zed", "zed"),
)
_SAFE = re.compile(r"[^a-z0-9._-]+")


def platform_for(skill_source: str | None, client_name: str | None) -> str:
    """`SKILL_SOURCE` when set, else the MCP client's name mapped to a known platform, else `unknown`."""
    if skill_source and skill_source.strip():
        return _header_safe(skill_source.strip())
    if client_name:
        name = client_name.strip().lower()
        for needle, platform in _CLIENT_PLATFORMS:
            if needle in name:
                return platform
    return UNKNOWN_PLATFORM


def attribution_headers(platform: str) -> dict[str, str]:
    """The three headers without which the API refuses exports (HTTP 402)."""
    return {
        "X-Skill-Source": SKILL_NAME,
        "X-Skill-Version": __version__,
        "X-Skill-Platform": platform,
    }


def sendable_in_header(value: str) -> bool:
    """Whether a value (a token given in NEMO_TOKEN) can go into a header exactly as it is."""
    return value.isascii() and value.isprintable() and value.strip() == value


def _header_safe(value: str) -> str:
    """Header values must be printable ASCII; anything else would make httpx refuse the request."""
    cleaned = _SAFE.sub("-", value.lower()).strip("-")
    return cleaned[:64] or UNKNOWN_PLATFORM
