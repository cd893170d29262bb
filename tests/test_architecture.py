"""The layout's rules, checked on the source (docs/architecture.md says why each exists).

config, errors, files        under everything (addresses too: which IPs are public)
api/      the wire           may import: config, errors, files
service/  the domain         may import: api, config, errors, files (never mcp, never httpx)
server/   the MCP surface    may import: service, api, config, errors (never cli, never local)
cli/      the command line   may import anything above, and local (to start the embedded backend)
local/    the embedded backend: shares nothing with the client but the contract (and config's limits)
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import nemo_mcp
from nemo_mcp.errors import NemoError

PACKAGE = Path(nemo_mcp.__file__).parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80

# layer -> the nemo_mcp layers it may import
ALLOWED: dict[str, set[str]] = {
    "api": {"api", "addresses", "config", "errors", "files"},
    "service": {"service", "api", "addresses", "config", "errors", "files"},
    "server": {"server", "service", "api", "addresses", "config", "errors", "files"},
    "cli": {"cli", "server", "service", "api", "local", "addresses", "config", "errors", "files"},
    "local": {"local", "addresses", "config"},
}
# third-party packages only some layers may import
ONLY_IN: dict[str, set[str]] = {
    "mcp": {"server", "cli"},
    "httpx": {"api", "local"},
    "httpx_sse": {"api"},
    # Replicas (server/shared/, the `hosted` extra): shared state, the users' JWTs, their encrypted tokens.
    "redis": {"server"},
    "jwt": {"server"},
    "cryptography": {"server"},
}


def _modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts)


def _layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else Path(parts[0]).stem


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_top_level_holds_packages_and_at_most_six_modules() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= 6, modules
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert packages == ["api", "cli", "local", "server", "service"]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_layer_imports_only_what_it_may(path: Path) -> None:
    layer = _layer(path)
    for name in _imports(path):
        top, _, rest = name.partition(".")
        if top == "nemo_mcp" and layer in ALLOWED and rest:
            assert rest.split(".")[0] in ALLOWED[layer], f"{path.name} ({layer}) imports {name}"
        if top in ONLY_IN:
            assert layer in ONLY_IN[top], f"{path.name} ({layer}) imports {name}"


def test_httpx_sse_frames_the_stream() -> None:
    users = [p.name for p in _modules() if any(n.startswith("httpx_sse") for n in _imports(p))]
    assert users == ["stream.py"]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_stay_small(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES, path
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{path.name}:{node.lineno} {node.name} is {length} lines"


def test_every_nemo_error_lives_in_errors_py_and_is_drawn_in_its_tree() -> None:
    for info in pkgutil.walk_packages([str(PACKAGE)], "nemo_mcp."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    tree = (PACKAGE / "errors.py").read_text(encoding="utf-8").split('"""')[1]
    pending = [NemoError]
    while pending:
        cls = pending.pop()
        assert cls.__module__ == "nemo_mcp.errors", f"{cls.__qualname__} is defined in {cls.__module__}"
        assert cls.__name__ in tree, f"{cls.__name__} is missing from the tree in errors.py"
        pending.extend(cls.__subclasses__())


def test_stdio_and_a_single_http_server_never_load_the_replica_modules() -> None:
    """server/shared/ (redis, PyJWT, cryptography: the `hosted` extra) is imported only when Redis is set."""
    import subprocess
    import sys

    probe = (
        "import sys, nemo_mcp.cli.main, nemo_mcp.cli.commands, nemo_mcp.server.transports, nemo_mcp.server.app; "
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('redis', 'jwt') or 'server.shared.' in m "
        "and not m.endswith('shared.config')]; print(loaded); sys.exit(1 if loaded else 0)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
