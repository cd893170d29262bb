from __future__ import annotations

import subprocess
import sys

from nemo_mcp import __version__


def test_version_and_help_run_as_a_module() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "nemo_mcp", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip() == f"nemo-mcp {__version__}"
    helptext = subprocess.run(
        [sys.executable, "-m", "nemo_mcp", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "animate", "demo", "credits", "state", "local-backend"):
        assert command in helptext.stdout
