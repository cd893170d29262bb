"""What each `nemo-mcp` command does. The one-shot commands call `NemoService` directly (no MCP).

Results go to stdout (a path, a summary); progress and errors go to stderr, so `nemo-mcp animate … | xargs`
sees only the path.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import anyio

from nemo_mcp.cli.embedded import embedded_backend, embedded_options, folder_in_use, start_backend
from nemo_mcp.cli.progress import TerminalProgressSink
from nemo_mcp.config import Settings
from nemo_mcp.errors import ConfigError, InputError
from nemo_mcp.service.models import ExportOutcome, ProgressUpdate, TurnOutcome
from nemo_mcp.service.text import format_duration, format_size, quoted

if TYPE_CHECKING:
    from nemo_mcp.server.shared.config import SharedSettings

if TYPE_CHECKING:
    from nemo_mcp.service.facade import NemoService

log = logging.getLogger(__name__)

# The brief's own example, with a title and music so the demo shows what the offline renderer does with
# them (a bold title in any script, a bundled track mixed to a steady loudness).
DEMO_INSTRUCTION = (
    'animate this image into a 5-second video clip using low VRAM mode, with the title "Hello from nemo-mcp" '
    "and calm background music"
)


def _open_service(settings: Settings) -> AbstractAsyncContextManager[NemoService]:
    # Imported here: `serve` imports this module, and its server makes its own service on the first call.
    from nemo_mcp.service.facade import NemoService

    return NemoService.open(settings)


@asynccontextmanager
async def _backend(settings: Settings, local: bool) -> AsyncIterator[Settings]:
    """`settings`, pointed at a freshly started embedded backend when `local`."""
    if not local:
        yield settings
        return
    backend = embedded_backend(settings)
    await anyio.to_thread.run_sync(start_backend, backend)
    try:
        yield settings.with_local_backend(backend.url)
    finally:
        await anyio.to_thread.run_sync(backend.stop)


async def animate_file(
    settings: Settings,
    image: str,
    instruction: str,
    output: Path | None,
    progress: Callable[[ProgressUpdate], Awaitable[None]],
    *,
    local: bool,
) -> tuple[TurnOutcome, ExportOutcome]:
    """Upload `image` into a new session, send `instruction`, export the clip; move it to `output` if given."""
    async with _backend(settings, local) as active, _open_service(active) as service:
        # A fresh session each run: an earlier run's clip must not become part of this one.
        uploaded = await service.uploads.upload([image], await service.workspace.new_session(), progress)
        turn = await service.turns.send(instruction, uploaded.session_id, progress)
        if not turn.ready_to_export:
            raise InputError(
                f"The video agent did not make a clip; it said {quoted(turn.reply, 200)}",
                hint='Try a clearer instruction, e.g. "animate this image into a 5-second video clip".',
            )
        out_dir = output.parent if output is not None else None
        exported = await service.exports.export(turn.session_id, out_dir, progress)
    if output is not None:
        exported = await anyio.to_thread.run_sync(_place, exported, output)
    return turn, exported


def _place(exported: ExportOutcome, output: Path) -> ExportOutcome:
    """Move the exported file to the name the person asked for."""
    if exported.path.resolve() == output.resolve():
        return exported
    output.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(exported.path, output)
    return exported.model_copy(update={"path": output.resolve()})


def _from_here(image: str) -> str:
    """A relative path on the command line is in the current folder, as for every other command."""
    from nemo_mcp.service.media import is_url

    if is_url(image):
        return image
    path = Path(image).expanduser()
    return str(path if path.is_absolute() else Path.cwd() / path)


def _allow_parent(settings: Settings, image: str) -> Settings:
    """A file the person named on the command line may be uploaded from its own folder."""
    from nemo_mcp.service.media import is_url

    if is_url(image):
        return settings
    return replace(settings, allowed_dirs=(*settings.allowed_dirs, Path(image).parent))


def _output_path(raw: str | None) -> Path | None:
    if raw is None:
        return None
    path = Path(raw).expanduser()
    if path.suffix.lower() != ".mp4":
        path = path.with_name(path.name + ".mp4") if not path.is_dir() else path / "nemo-video.mp4"
    return (path if path.is_absolute() else Path.cwd() / path).resolve()


def _report(turn: TurnOutcome, exported: ExportOutcome, elapsed_s: float, out: TextIO) -> None:
    facts = [format_size(exported.size_bytes)]
    if exported.duration_s is not None:
        facts.append(f"{exported.duration_s:.1f} s")
    if exported.width and exported.height:
        facts.append(f"{exported.width}x{exported.height}")
    print(f"the video agent: {turn.reply}", file=sys.stderr)
    print(f"{turn.timeline}", file=sys.stderr)
    print(f"{', '.join(facts)}, made in {format_duration(elapsed_s)}", file=sys.stderr)
    print(exported.path, file=out)


# -- the runners ---------------------------------------------------------------------------------------------


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from nemo_mcp.server.transports import run_server

    local = bool(args.local) or settings.backend == "local"
    shared = _shared(args, local)
    serve = partial(run_server, http=bool(args.http), host=args.host, port=args.port, shared=shared)
    if not local:
        serve(settings)
        return 0
    backend = start_backend(embedded_backend(settings))
    try:
        log.info("local backend listening on %s", backend.url)
        serve(settings.with_local_backend(backend.url))
    finally:
        backend.stop()
    return 0


def _shared(args: argparse.Namespace, local: bool) -> SharedSettings | None:
    """The replica settings for `serve --http` with Redis (None: one process, as ever)."""
    from nemo_mcp.server.shared.config import SharedSettings

    redis_url, allowed_host = getattr(args, "redis", None), getattr(args, "allowed_host", None)
    if not args.http:
        if redis_url or allowed_host:
            raise ConfigError("--redis and --allowed-host serve replicas over HTTP: add --http.")
        return None
    shared = SharedSettings.from_env(os.environ, redis_url=redis_url, allowed_host=allowed_host)
    if shared is not None and local:
        raise ConfigError(
            "--local cannot be used with Redis: the local backend renders on this machine's CPU and keeps its "
            "state on this disk, so it cannot be shared by replicas."
        )
    return shared


def run_animate(args: argparse.Namespace, settings: Settings) -> int:
    local = bool(args.local) or settings.backend == "local"
    printer = TerminalProgressSink()
    image = _from_here(args.image)
    try:
        turn, exported = anyio.run(
            partial(
                animate_file,
                _allow_parent(settings, image),
                image,
                args.instruction,
                _output_path(args.output),
                printer,
                local=local,
            )
        )
    finally:
        printer.finish()
    _report(turn, exported, printer.elapsed_s, sys.stdout)
    return 0


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    from nemo_mcp.local.render.clip import sample_image_path

    printer = TerminalProgressSink()
    output = _output_path(args.output)
    with tempfile.TemporaryDirectory(prefix="nemo-demo-") as scratch:
        # A copy outside the installation: site-packages may sit in a hidden folder, which uploads refuse.
        image = Path(scratch) / "sample.jpg"
        shutil.copyfile(sample_image_path(), image)
        demo_settings = replace(settings, allowed_dirs=(Path(scratch),), backend="local")
        print(
            f"Animating the sample photo on the embedded local backend: {DEMO_INSTRUCTION!r}", file=sys.stderr
        )
        try:
            turn, exported = anyio.run(
                partial(
                    animate_file, demo_settings, str(image), DEMO_INSTRUCTION, output, printer, local=True
                )
            )
        finally:
            printer.finish()
    _report(turn, exported, printer.elapsed_s, sys.stdout)
    return 0


def run_credits(args: argparse.Namespace, settings: Settings) -> int:
    from nemo_mcp.server.results import CreditsResult

    async def credits() -> str:
        async with (
            _backend(settings, settings.backend == "local") as active,
            _open_service(active) as service,
        ):
            return CreditsResult.from_view(await service.credits()).message

    print(anyio.run(credits))
    return 0


def run_state(args: argparse.Namespace, settings: Settings) -> int:
    async def state() -> str:
        async with (
            _backend(settings, settings.backend == "local") as active,
            _open_service(active) as service,
        ):
            view = await service.state(args.session)
        lines = [view.timeline, f"ready to export: {'yes' if view.ready_to_export else 'no'}"]
        lines += [f"media: {item.name} ({item.kind})" for item in view.media]
        if view.web_url:
            lines.append(f"open in the web app: {view.web_url}")
        return "\n".join(lines)

    print(anyio.run(state))
    return 0


def run_local_backend(args: argparse.Namespace, settings: Settings) -> int:
    from nemo_mcp.local.runner import serve_forever
    from nemo_mcp.local.store import DataFolderBusyError
    from nemo_mcp.server.transports import cannot_listen

    data_dir = Path(args.data_dir).expanduser().resolve() if args.data_dir else settings.local_backend_dir
    try:
        serve_forever(data_dir, host=args.host, port=args.port, options=embedded_options(settings))
    except DataFolderBusyError as exc:
        raise folder_in_use(exc.root) from None
    except OSError as exc:
        raise cannot_listen(args.host, args.port, exc) from None
    return 0
