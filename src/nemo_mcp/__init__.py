"""nemo-mcp: an MCP server that animates still images into short MP4 clips.

The heavy work runs on the NemoVideo cloud; an embedded local backend serves the same
HTTP API on loopback and renders on the CPU, so everything also works offline.
"""

from nemo_mcp.config import Settings
from nemo_mcp.errors import NemoError

# The one place the version is written: hatch reads it for the package metadata. A literal, because
# importlib.metadata costs 40-65 ms of every server start.
__version__ = "0.1.0"

__all__ = ["NemoError", "Settings", "__version__"]
