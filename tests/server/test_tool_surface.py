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


def test_refused_arguments_are_one_sentence_without_the_value() -> None:
    from typing import Annotated

    from pydantic import BaseModel, Field, ValidationError

    from nemo_mcp.server.arguments import argument_problems

    class Arguments(BaseModel):
        source: Annotated[list[str], Field(max_length=2)] | Annotated[str, Field(max_length=5)]
        flag: bool = False

    schema = {"properties": {"source": {"description": "A path or a URL."}}}
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "source is required (A path or a URL)"),
        ({"source": 5}, "source must be a list of texts or text"),
        ({"source": "x" * 99}, "source is too long (at most 5 characters)"),
        ({"source": "a", "flag": "perhaps"}, "flag must be true or false"),
    ]
    for given, expected in cases:
        with pytest.raises(ValidationError) as caught:
            Arguments.model_validate(given)
        sentence = argument_problems("upload", caught.value, schema)
        assert sentence == f"upload cannot run with these arguments: {expected}.", sentence
        assert "xxxxxx" not in sentence
