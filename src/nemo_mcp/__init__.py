"""nemo-mcp: an MCP server that animates still images into short MP4 clips.

The heavy work runs on the NemoVideo cloud; an embedded local backend serves the same
HTTP API on loopback and renders on the CPU, so everything also works offline.
"""

from importlib.metadata import PackageNotFoundError, version

from nemo_mcp.config import Settings
from nemo_mcp.errors import NemoError

try:
    __version__ = version("nemo-mcp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["NemoError", "Settings", "__version__"]
