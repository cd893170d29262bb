"""The `nemo-mcp` command: parse the arguments, build settings, call the right runner.

Nothing here knows how a command works; it only turns argv into a call and errors into one clean line.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from nemo_mcp import __version__
from nemo_mcp.cli import commands as runners
from nemo_mcp.config import Settings
from nemo_mcp.errors import ConfigError, NemoError

log = logging.getLogger("nemo_mcp")

Runner = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nemo-mcp",
        description="Animate still images into short MP4 clips: an MCP server plus one-shot commands.",
    )
    parser.add_argument("--version", action="version", version=f"nemo-mcp {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the MCP server (stdio by default)")
    serve.add_argument(
        "--local", action="store_true", help="use the embedded local backend (offline, no account)"
    )
    serve.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="HTTP port (default: 8765)")
    serve.add_argument(
        "--redis",
        metavar="URL",
        help="with --http: one of several replicas sharing their state in this Redis",
    )
    serve.add_argument(
        "--allowed-host",
        metavar="HOST[:PORT]",
        help="with --http: also accept requests addressed to this name",
    )

    animate = commands.add_parser("animate", help="animate one image into an MP4 and print where it is")
    animate.add_argument("image", help="path or http(s) URL of the image")
    animate.add_argument(
        "instruction", help='what to make, e.g. "animate this image into a 5-second video clip"'
    )
    animate.add_argument("-o", "--output", help="where to write the MP4 (default: in NEMO_MCP_OUTPUT_DIR)")
    animate.add_argument("--local", action="store_true", help="use the embedded local backend")

    demo = commands.add_parser(
        "demo", help="animate the bundled sample photo into ./nemo-demo.mp4 (local backend)"
    )
    demo.add_argument("-o", "--output", default="nemo-demo.mp4", help="where to write the MP4")

    commands.add_parser("credits", help="show the credit balance")

    state = commands.add_parser("state", help="show a session's timeline")
    state.add_argument("session", help="the session id")

    backend = commands.add_parser("local-backend", help="serve the embedded local backend over HTTP")
    backend.add_argument("--host", default="127.0.0.1", help="bind address (default: 127.0.0.1)")
    backend.add_argument("--port", type=int, default=0, help="port (default: an ephemeral one, printed)")
    backend.add_argument(
        "--data-dir", help="where the backend keeps its state (default: in NEMO_MCP_DATA_DIR)"
    )
    return parser


RUNNERS: dict[str, Runner] = {
    "serve": runners.run_serve,
    "animate": runners.run_animate,
    "demo": runners.run_demo,
    "credits": runners.run_credits,
    "state": runners.run_state,
    "local-backend": runners.run_local_backend,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # stdout belongs to the stdio protocol: every log line goes to stderr.
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        parser.print_help()
        return 0
    try:
        settings = Settings.from_env()
        return RUNNERS[args.command](args, settings)
    except ConfigError as exc:
        print(f"nemo-mcp: configuration error: {exc}", file=sys.stderr)
        return 2
    except NemoError as exc:
        print(f"nemo-mcp: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


__all__ = ["build_parser", "main"]
