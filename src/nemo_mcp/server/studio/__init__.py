"""The studio: an MCP App view (ext-apps `io.modelcontextprotocol/ui`) that plays, follows and edits a clip.

`studio.html` is one self-contained document (inline CSS and JS, no external anything) read here as package
data. The server names it in the `_meta.ui.resourceUri` of animate_image, get_state and export, and serves
each exported MP4 as a resource the studio reads through the host (`nemo_mcp.server.studio.wiring`).

STUDIO_URI               the ui:// URI of the document
studio_html()            the document
MAX_INLINE_VIDEO_BYTES   larger exports are not served as a base64 blob: the studio shows a link instead
export_resource_uri(p)   the resource URI of an exported MP4 (what the studio derives from `path`)
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import PurePath

STUDIO_URI = "ui://nemo-mcp/studio.html"
# A base64 blob is about 4/3 the file's size and travels in one JSON-RPC message through the host;
# the studio (MAX_INLINE in studio.html) and the server use the same limit.
MAX_INLINE_VIDEO_BYTES = 8 * 1000 * 1000
EXPORTS_URI_PREFIX = "nemo://exports/"


@cache
def studio_html() -> str:
    """The studio document, as shipped in the package."""
    return resources.files(__name__).joinpath("studio.html").read_text(encoding="utf-8")


def export_resource_uri(path: PurePath | str) -> str:
    """`nemo://exports/<file name>`: the studio plays the export whose file has that name."""
    name = path.name if isinstance(path, PurePath) else PurePath(path).name
    return EXPORTS_URI_PREFIX + name


__all__ = ["EXPORTS_URI_PREFIX", "MAX_INLINE_VIDEO_BYTES", "STUDIO_URI", "export_resource_uri", "studio_html"]
