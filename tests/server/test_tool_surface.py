"""What models see of the server, as a reviewed diff: `tools/list` (names, titles, descriptions, input and
output schemas, annotations) must equal `snapshots/tools_list.json`.

After a deliberate change, rewrite the snapshot with `UPDATE_SNAPSHOTS=1 pytest
tests/server/test_tool_surface.py` and review the diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

pytestmark = pytest.mark.anyio

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools_list.json"


async def test_the_tool_surface_matches_the_snapshot(client: Client) -> None:
    listed = await client.list_tools()
    surface: list[dict[str, Any]] = [
        tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in listed.tools
    ]
    text = json.dumps(surface, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.is_file(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1 once and commit it"
    assert text == SNAPSHOT.read_text(encoding="utf-8"), (
        "the tool surface changed: if that was meant, update the snapshot (see the module docstring)"
    )
