"""The studio as the server offers it, over real MCP: the ui:// document and its CSP, the tools' `_meta`, the
exported MP4 as a resource, and the poster fallback for clients that do not declare MCP Apps."""

from __future__ import annotations

import base64
import io
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.shared.exceptions import MCPError
from mcp.types import BlobResourceContents, ImageContent, TextResourceContents
from PIL import Image

from nemo_mcp.config import Settings
from nemo_mcp.server.app import build_server
from nemo_mcp.server.studio import MAX_INLINE_VIDEO_BYTES, STUDIO_URI, export_resource_uri, studio_html
from nemo_mcp.server.studio.poster import MAX_POSTER_BYTES
from tests.server.conftest import call_ok

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SAMPLE = Path(__file__).parents[2] / "src" / "nemo_mcp" / "local" / "assets" / "sample.jpg"
ONE_SECOND = "animate this image into a 1-second video clip"
APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})


async def exported(client: Client, tmp_path: Path) -> dict[str, Any]:
    photo = tmp_path / "photo.jpg"
    shutil.copyfile(SAMPLE, photo)
    await call_ok(client, "upload", {"source": str(photo)})
    done = await call_ok(client, "animate_image", {"instruction": ONE_SECOND, "wait_seconds": 55})
    assert done["status"] == "done", done
    result = await call_ok(client, "export", {"wait_seconds": 55})
    assert result["status"] == "done", result
    return result


@pytest.fixture
async def apps_client(local_settings: Settings) -> AsyncIterator[Client]:
    async with Client(build_server(local_settings), extensions=[APPS], cache=None) as connected:
        yield connected


def test_the_document_is_self_contained_and_small() -> None:
    html = studio_html()
    assert len(html.encode()) < 40_000
    lowered = html.lower()
    for external in ("<script src", "<link", "@import", "url(http", 'src="http', "fonts.googleapis"):
        assert external not in lowered, external
    assert str(MAX_INLINE_VIDEO_BYTES // 1_000_000) + " * 1000 * 1000" in html


async def test_apps_client_sees_the_studio_on_three_tools_and_its_csp(apps_client: Client) -> None:
    tools = {tool.name: tool for tool in (await apps_client.list_tools()).tools}
    for name in ("animate_image", "get_state", "export"):
        assert (tools[name].meta or {}).get("ui") == {"resourceUri": STUDIO_URI}, name
    assert not (tools["upload"].meta or {}).get("ui")
    read = await apps_client.read_resource(STUDIO_URI)
    content = read.contents[0]
    assert isinstance(content, TextResourceContents)
    assert content.mime_type == APP_MIME_TYPE
    assert content.text == studio_html()
    ui = (content.meta or {})["ui"]
    assert ui["prefersBorder"] is True
    domains = ui["csp"]["resourceDomains"]
    assert domains
    assert all(d.startswith("https://") for d in domains)
    assert not {"blob:", "data:"} & set(domains)


async def test_the_export_is_readable_as_a_resource_and_only_it(apps_client: Client, tmp_path: Path) -> None:
    result = await exported(apps_client, tmp_path)
    read = await apps_client.read_resource(export_resource_uri(result["path"]))
    content = read.contents[0]
    assert isinstance(content, BlobResourceContents)
    assert content.mime_type == "video/mp4"
    data = base64.b64decode(content.blob)
    assert data == await anyio.Path(result["path"]).read_bytes()
    assert len(data) == result["size_bytes"]

    poster = await apps_client.read_resource(f"nemo://sessions/{result['session_id']}/poster.jpg")
    assert isinstance(poster.contents[0], BlobResourceContents)
    assert base64.b64decode(poster.contents[0].blob)[:2] == b"\xff\xd8"

    # A name this server did not export is refused, whatever is on disk.
    await anyio.Path(tmp_path / "out" / "other.mp4").write_bytes(b"not ours")
    for name in ("other.mp4", "..%2Fphoto.jpg"):
        with pytest.raises(MCPError, match=r"(?i)no video named|unknown resource"):
            await apps_client.read_resource(f"nemo://exports/{name}")


async def test_apps_client_gets_no_poster_in_the_result(apps_client: Client, tmp_path: Path) -> None:
    await exported(apps_client, tmp_path)
    again = await apps_client.call_tool("export", {"wait_seconds": 55})
    assert not [block for block in again.content if isinstance(block, ImageContent)]


async def test_client_without_apps_gets_the_fallback_with_a_poster(
    local_settings: Settings, tmp_path: Path
) -> None:
    async with Client(build_server(local_settings), cache=None) as client:
        await exported(client, tmp_path)
        result = await client.call_tool("export", {"wait_seconds": 55})
    assert not result.is_error
    kinds = [block.type for block in result.content]
    assert kinds == ["text", "resource_link", "image"], kinds
    image = result.content[2]
    assert isinstance(image, ImageContent)
    assert image.mime_type == "image/jpeg"
    jpeg = base64.b64decode(image.data)
    assert len(jpeg) <= MAX_POSTER_BYTES
    with Image.open(io.BytesIO(jpeg)) as picture:
        assert picture.format == "JPEG"
        assert picture.width <= 480
    whole = result.model_dump_json(by_alias=True, exclude_none=True)
    assert len(whole.encode()) < 1_000_000


async def test_animate_image_adds_the_photo_poster_only_without_apps(
    local_settings: Settings, apps_client: Client, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.jpg"
    shutil.copyfile(SAMPLE, photo)
    arguments = {"instruction": ONE_SECOND, "image": str(photo), "wait_seconds": 55}
    async with Client(build_server(local_settings), cache=None) as plain:
        result = await plain.call_tool("animate_image", arguments)
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["status"] == "done"
    assert [block.type for block in result.content] == ["text", "image"]
    image = result.content[1]
    assert isinstance(image, ImageContent)
    assert len(base64.b64decode(image.data)) <= MAX_POSTER_BYTES

    with_apps = await apps_client.call_tool("animate_image", arguments)
    assert [block.type for block in with_apps.content] == ["text"]
