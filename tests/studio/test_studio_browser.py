"""The studio in a real headless Chromium, inside a test host page that speaks the host side of MCP Apps and
passes the view's requests to the real nemo-mcp server over streamable HTTP.

    pytest (this process, one event loop)
      |- nemo-mcp serve --local --http --port A      child process, own HOME and data folders, stopped by pid
      |- mcp.Client -> http://127.0.0.1:A/mcp        declares io.modelcontextprotocol/ui, like a host
      |- test web server on 127.0.0.1:B              GET / = host.html, POST /rpc -> that mcp.Client
      '- Playwright -> /usr/bin/chromium --headless  host.html -> <iframe sandbox=allow-scripts srcdoc=studio>

Nothing is installed here: CI installs Debian's `chromium` and the `playwright` package (never
`playwright install`). Under CI (CI set) a missing browser fails the test; elsewhere it is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import pytest
from mcp import Client
from mcp.client import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import CallToolResult, TextResourceContents

from nemo_mcp.server.studio import MAX_INLINE_VIDEO_BYTES
from tests.studio.hosting import CHROMIUM_FLAGS, HostServer, find_chromium, nemo_http_server, serve_host

if TYPE_CHECKING:
    from playwright.async_api import Frame, Page

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SAMPLE = Path(__file__).parents[2] / "src" / "nemo_mcp" / "local" / "assets" / "sample.jpg"
ARTIFACTS = Path(__file__).with_name("artifacts")
ONE_SECOND = "animate this image into a 1-second video clip"
TIMEOUT_MS = 60_000


def browser_or_skip() -> str:
    chromium = find_chromium()
    reason = None
    if importlib.util.find_spec("playwright") is None:
        reason = "the playwright package is not installed (pip install playwright)"
    elif chromium is None:
        reason = "no Chromium at /usr/bin/chromium (apt-get install -y chromium)"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"The studio's browser test cannot run under CI: {reason}.")
        pytest.skip(reason)
    assert chromium is not None
    return chromium


async def ok(client: Client, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(name, arguments, read_timeout_seconds=120)
    assert not result.is_error, result.content
    structured: dict[str, Any] | None = result.structured_content
    assert structured is not None
    return structured


async def exports_seen(client: Client) -> list[dict[str, Any]]:
    """What the server says it exported (its nemo://exports resource), newest first."""
    read = await client.read_resource("nemo://exports", cache_mode="refresh")
    content = read.contents[0]
    assert isinstance(content, TextResourceContents)
    listed: list[dict[str, Any]] = json.loads(content.text)
    return listed


@dataclass
class Rig:
    """The real server, an MCP client on it acting as the host's backend, the host page in Chromium."""

    client: Client
    host: HostServer
    page: Page
    photo: Path
    console: list[str] = field(default_factory=list)

    def calls(self, method: str, name: str | None = None) -> list[dict[str, Any]]:
        """The requests the host page passed on to the server (what the server saw), in order."""
        found = [c for c in self.host.calls if c["method"] == method]
        key = "name" if method == "tools/call" else "uri"
        return [c for c in found if name is None or c["params"].get(key) == name]

    async def open_studio(self, tool: str, arguments: dict[str, Any], result: CallToolResult) -> Frame:
        """Show the studio for one tool call, as a host does, once the call has its result."""
        await self.page.goto(self.host.url)
        await self.page.evaluate(
            "options => window.testHost.start(options)",
            {
                "toolName": tool,
                "arguments": arguments,
                "result": result.model_dump(mode="json", by_alias=True, exclude_none=True),
                "theme": "light",
            },
        )
        await self.page.wait_for_function("() => window.testHost.initialized", timeout=TIMEOUT_MS)
        handle = await self.page.wait_for_selector("#view")
        assert handle is not None
        view = await handle.content_frame()
        assert view is not None
        return view


@asynccontextmanager
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    chromium = browser_or_skip()
    from playwright.async_api import async_playwright

    await anyio.Path(ARTIFACTS).mkdir(exist_ok=True)
    photo = tmp_path / "photo.jpg"
    shutil.copyfile(SAMPLE, photo)
    apps = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
    async with (
        nemo_http_server(tmp_path) as server,
        Client(server.url, extensions=[apps], cache=None, read_timeout_seconds=120) as client,
        serve_host(client) as host,
        async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = await browser.new_page(viewport={"width": 800, "height": 1100})
            ready = Rig(client, host, page, photo)
            page.on("console", lambda message: ready.console.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: ready.console.append(f"pageerror: {error}"))
            yield ready
        finally:
            await browser.close()


def assert_clean(r: Rig) -> None:
    """Nothing went wrong in the page or the view: no script error, no refused load, no blocked action."""
    bad = [
        line for line in r.console if line.startswith(("error:", "pageerror:")) or "Content Security" in line
    ]
    assert bad == [], bad


PLAYING = (
    "() => { const v = document.getElementById('video');"
    " return !v.hidden && v.readyState >= 2 && v.currentTime > 0.1; }"
)


async def test_studio_plays_the_export_and_calls_the_server(tmp_path: Path) -> None:
    started = time.monotonic()
    async with rig(tmp_path) as r:
        client, page = r.client, r.page
        # The conversation so far: upload, a 1-second clip, an export. The host then shows the studio.
        await ok(client, "upload", {"source": str(r.photo)})
        made = await ok(client, "animate_image", {"instruction": ONE_SECOND, "wait_seconds": 55})
        assert made["status"] == "done", made
        export_args = {"session_id": made["session_id"], "wait_seconds": 55}
        exported = await client.call_tool("export", export_args, read_timeout_seconds=120)
        first = exported.structured_content
        assert first is not None
        assert first["status"] == "done", first
        width, height = (int(n) for n in first["resolution"].split("x"))
        assert len(await exports_seen(client)) == 1

        view = await r.open_studio("export", export_args, exported)

        # The clip plays: read through the host as a resource, at the export's size, and time advances.
        await view.wait_for_function(PLAYING, timeout=TIMEOUT_MS)
        video = await view.evaluate(
            "() => { const v = document.getElementById('video');"
            " return {w: v.videoWidth, h: v.videoHeight, t: v.currentTime, src: v.currentSrc.slice(0, 22)}; }"
        )
        assert (video["w"], video["h"]) == (width, height)
        assert video["src"] == "data:video/mp4;base64,"
        await view.wait_for_function(
            "t => document.getElementById('video').currentTime !== t", arg=video["t"], timeout=TIMEOUT_MS
        )
        videos = [c for c in r.calls("resources/read") if c["params"]["uri"].endswith(".mp4")]
        assert [c["params"]["uri"] for c in videos] == ["nemo://exports/" + Path(first["path"]).name]

        # The timeline is a readable list, fetched with get_state through the host.
        await view.wait_for_function(
            "() => document.querySelectorAll('#timeline li').length > 0", timeout=TIMEOUT_MS
        )
        state = await ok(client, "get_state", {"session_id": made["session_id"]})
        items = await view.locator("#timeline li").all_inner_texts()
        assert len(items) == len(state["tracks"])
        assert items[0].startswith("Video")
        assert r.calls("tools/call", "get_state")

        # The studio told the host its size, and the host followed it.
        sizes, iframe_height = await page.evaluate(
            "() => [window.testHost.sizes, document.getElementById('view').getBoundingClientRect().height]"
        )
        assert sizes
        assert sizes[-1]["height"] > 200
        assert abs(iframe_height - (sizes[-1]["height"] + 2)) <= 1  # plus the 1 px border each side

        await page.locator("#view").screenshot(path=str(ARTIFACTS / "studio.png"))

        # Usable from the keyboard: Tab reaches the Export button, which has a visible focus ring.
        await view.locator("body").focus()
        for _ in range(12):
            await page.keyboard.press("Tab")
            if await view.evaluate("() => document.activeElement && document.activeElement.id") == "export":
                break
        assert await view.evaluate("() => document.activeElement.id") == "export"
        outline = await view.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"

        # Export again from the studio: the host passes tools/call on and the server renders a second file.
        await view.get_by_role("button", name="Export MP4").click()
        await page.wait_for_function(
            "() => window.testHost.calls.some(c => c.method === 'tools/call' && c.name === 'export' && c.done)",
            timeout=TIMEOUT_MS,
        )
        export_calls = r.calls("tools/call", "export")
        assert export_calls
        assert all(c["ok"] for c in export_calls)
        assert export_calls[0]["params"]["arguments"]["session_id"] == made["session_id"]
        seen = await exports_seen(client)
        assert len(seen) == 2
        assert seen[0]["path"] != first["path"]
        # ...and plays the new file, and tells the model about it.
        new_name = Path(seen[0]["path"]).name
        await page.wait_for_function(
            "name => window.testHost.calls.some(c => c.method === 'resources/read' && c.name.endsWith(name) && c.done)",
            arg=new_name,
            timeout=TIMEOUT_MS,
        )
        await view.wait_for_function(PLAYING, timeout=TIMEOUT_MS)
        model_context = await page.evaluate("() => window.testHost.modelContext")
        assert model_context is not None
        assert new_name in model_context["content"][0]["text"]

        # The host switches to dark: the studio follows (a computed colour changes).
        light = await view.evaluate("() => getComputedStyle(document.body).backgroundColor")
        await page.evaluate("() => window.testHost.setTheme('dark')")
        await view.wait_for_function(
            "light => getComputedStyle(document.body).backgroundColor !== light",
            arg=light,
            timeout=TIMEOUT_MS,
        )
        dark = await view.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert dark == "rgb(31, 30, 29)"  # the host's dark value, through light-dark()
        await page.locator("#view").screenshot(path=str(ARTIFACTS / "studio-dark.png"))

        assert await page.evaluate("() => window.testHost.errors") == []
        assert_clean(r)

        # The view really runs under the strict policy: an image from an undeclared origin is refused. (Its
        # 'self' is the host page's origin, as srcdoc inherits it: the probe uses another name for this host.)
        other_origin = r.host.url.replace("127.0.0.1", "localhost")
        violated = await view.evaluate(
            """url => new Promise(resolve => {
                document.addEventListener('securitypolicyviolation', e => resolve(e.effectiveDirective));
                const probe = new Image();
                probe.onload = () => resolve('loaded');
                probe.onerror = () => setTimeout(() => resolve('failed without a violation'), 2000);
                probe.src = url + 'probe.png';
            })""",
            other_origin,
        )
        assert violated == "img-src"

        # A clip over the inline limit is never pulled through the host: the studio says where the file is.
        too_big = {**first, "size_bytes": MAX_INLINE_VIDEO_BYTES + 1, "download_url": None}
        mp4_reads = len([c for c in r.calls("resources/read") if c["params"]["uri"].endswith(".mp4")])
        view = await r.open_studio(
            "export", export_args, exported.model_copy(update={"structured_content": too_big})
        )
        await view.wait_for_selector("#notice:not([hidden])", timeout=TIMEOUT_MS)
        notice = await view.inner_text("#notice")
        assert "more than the 8.0 MB" in notice
        assert first["path"] in notice
        assert await view.locator("#video").is_hidden()
        assert len([c for c in r.calls("resources/read") if c["params"]["uri"].endswith(".mp4")]) == mp4_reads

    elapsed = time.monotonic() - started
    await anyio.Path(ARTIFACTS / "timing.txt").write_text(f"{elapsed:.1f} s\n")


async def test_studio_follows_a_running_instruction_with_its_poster(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        client, page = r.client, r.page
        await ok(client, "upload", {"source": str(r.photo)})
        arguments = {"instruction": ONE_SECOND, "wait_seconds": 0}
        running = await client.call_tool("animate_image", arguments, read_timeout_seconds=120)
        assert running.structured_content is not None
        assert running.structured_content["status"] == "running", running.structured_content
        sid = running.structured_content["session_id"]

        view = await r.open_studio("animate_image", arguments, running)

        # While the clip is being made: the photo's poster, read through the host from the server.
        await view.wait_for_function(
            "() => { const p = document.getElementById('poster'); return !p.hidden && p.naturalWidth > 0; }",
            timeout=TIMEOUT_MS,
        )
        width = await view.evaluate("() => document.getElementById('poster').naturalWidth")
        assert 0 < width <= 480
        posters = r.calls("resources/read", f"nemo://sessions/{sid}/poster.jpg")
        assert posters
        assert posters[0]["ok"]
        await page.locator("#view").screenshot(path=str(ARTIFACTS / "studio-running.png"))

        # It follows the job with bounded get_state calls through the host until the instruction is done.
        await view.wait_for_function(
            "() => document.getElementById('badge').textContent === 'ready to export'", timeout=TIMEOUT_MS
        )
        follows = [
            c for c in r.calls("tools/call", "get_state") if c["params"]["arguments"].get("wait_seconds")
        ]
        assert follows
        assert all(0 < c["params"]["arguments"]["wait_seconds"] <= 55 for c in follows)
        assert await view.locator("#timeline li").count() >= 1
        assert await view.locator("#progress").is_hidden()
        assert await view.get_attribute("html", "aria-busy") == "false"

        # From the keyboard: Enter on Export renders the clip, which then replaces the poster.
        await view.locator("#export").focus()
        await page.keyboard.press("Enter")
        await view.wait_for_function(PLAYING, timeout=TIMEOUT_MS)
        assert await view.locator("#poster").is_hidden()
        assert await view.locator("#notice").is_hidden()
        assert len(await exports_seen(client)) == 1

        # Opened later from get_state, the studio finds the session's export on the server and plays it.
        state_args = {"session_id": sid}
        state = await client.call_tool("get_state", state_args, read_timeout_seconds=120)
        view = await r.open_studio("get_state", state_args, state)
        await view.wait_for_function(PLAYING, timeout=TIMEOUT_MS)
        assert r.calls("resources/read", "nemo://exports")
        assert await view.locator("#timeline li").count() >= 1

        # Edits from the studio go to animate_image through the host: a format preset, then an instruction
        # typed in the box and sent with Ctrl+Enter. The clip shown is then marked as out of date.
        assert await view.locator("#notice").is_hidden()
        await view.get_by_role("button", name="9:16 portrait").click()
        await page.wait_for_function(
            "() => window.testHost.calls.some(c => c.name === 'animate_image' && c.done)", timeout=TIMEOUT_MS
        )
        await view.wait_for_selector("#notice:not([hidden])", timeout=TIMEOUT_MS)
        assert "changed" in await view.inner_text("#notice")
        box = view.get_by_label("Instruction for the video agent")
        await box.fill("add the title 'Summer'")
        await box.press("Control+Enter")
        await page.wait_for_function(
            "() => window.testHost.calls.filter(c => c.name === 'animate_image' && c.done).length === 2",
            timeout=TIMEOUT_MS,
        )
        edits = r.calls("tools/call", "animate_image")
        assert [c["params"]["arguments"]["instruction"] for c in edits] == [
            "make it 9:16 portrait",
            "add the title 'Summer'",
        ]
        assert all(c["ok"] for c in edits)
        assert all(c["params"]["arguments"]["session_id"] == sid for c in edits)
        await view.wait_for_function(
            "() => document.getElementById('instruction').value === ''", timeout=TIMEOUT_MS
        )
        tracks = (await ok(client, "get_state", state_args))["tracks"]
        assert any(t["kind"] == "text" and "Summer" in t["label"] for t in tracks), tracks

        # Export: the new clip is portrait, and it is what plays.
        await view.get_by_role("button", name="Export MP4").click()
        await view.wait_for_function(
            "() => { const v = document.getElementById('video');"
            " return v.readyState >= 2 && v.videoHeight > v.videoWidth && v.currentTime > 0.1; }",
            timeout=TIMEOUT_MS,
        )
        latest = (await exports_seen(client))[0]
        size = await view.evaluate(
            "() => [document.getElementById('video').videoWidth, document.getElementById('video').videoHeight]"
        )
        assert size == [latest["width"], latest["height"]]
        assert await view.locator("#notice").is_hidden()
        await page.locator("#view").screenshot(path=str(ARTIFACTS / "studio-portrait.png"))
        assert_clean(r)
