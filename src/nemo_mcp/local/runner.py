"""Run the local backend: uvicorn on loopback in a thread with its own event loop, or in the foreground.

    with LocalBackend(data_dir) as backend:      # returns once the socket accepts connections
        client = httpx.Client(base_url=backend.url)
        backend.faults.add("run_sse", "drop_after", 2)
        backend.stats.messages_for(session_id)

The thread owns its loop, so the backend works the same from sync code, from async code and from a
process that also runs an MCP server on its own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self

import uvicorn

from nemo_mcp.local.context import BackendContext, BackendOptions
from nemo_mcp.local.faults import DroppedByFaultError, FaultPlan
from nemo_mcp.local.routes.app import build_app
from nemo_mcp.local.stats import StatsSnapshot
from nemo_mcp.local.store import Store

log = logging.getLogger(__name__)

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 15.0


class _QuietFaultDrops(logging.Filter):
    """Connections the fault plan cuts on purpose are not server errors: keep their tracebacks out of logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedByFaultError))


_QUIET = _QuietFaultDrops()


class _Server(uvicorn.Server):
    """uvicorn's server, telling a waiting thread when it is ready (or that it failed to start)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        try:
            await super().startup(sockets)
        finally:
            self.ready.set()

    async def main_loop(self) -> None:
        # uvicorn's own loop checks should_exit every 0.1 s; this one also wakes at once on request_exit().
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            assert self._wake is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    def request_exit(self) -> None:
        """Ask the server to stop, from any thread."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            # RuntimeError: the loop closed meanwhile, so it has stopped anyway
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)


class LocalBackend:
    """The embedded backend on `host` and an ephemeral (or given) port, serving `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        options: BackendOptions | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.options = options or BackendOptions()
        self._ctx: BackendContext | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._faults = FaultPlan()

    # ---- lifecycle -----------------------------------------------------------------------------
    def start(self) -> Self:
        """Bind, start serving in a thread and return once the socket accepts connections."""
        if self._thread is not None:
            raise RuntimeError("this LocalBackend is already started")
        store = Store(self.data_dir)  # takes the folder (DataFolderBusyError when another backend has it)
        try:
            sock = _bind(self.host, self.port)
        except BaseException:
            store.close()
            raise
        self.port = sock.getsockname()[1]
        ctx = BackendContext(store=store, options=self.options, faults=self._faults)
        ctx.base_url = self.url
        self._ctx = ctx
        logging.getLogger("uvicorn.error").addFilter(_QUIET)  # the same filter object: added once
        config = uvicorn.Config(
            build_app(ctx),
            log_level="warning",
            # Leave the process's logging alone: uvicorn's records go wherever the host sends its own.
            log_config=None,
            access_log=False,
            lifespan="on",
            ws="none",
            timeout_graceful_shutdown=3,
        )
        server = _Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=self._run, args=(server, sock), name=f"nemo-local-backend-{self.port}", daemon=True
        )
        self._thread.start()
        if not server.ready.wait(START_TIMEOUT_S) or not server.started:
            self.stop()
            raise RuntimeError(f"the local backend did not start on {self.url}") from self._error
        log.info("local backend listening on %s (data in %s)", self.url, self.data_dir)
        return self

    def _run(self, server: _Server, sock: socket.socket) -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:
            self._error = exc
            log.exception("local backend stopped with an error")
        finally:
            server.ready.set()
            sock.close()

    def stop(self) -> None:
        """Stop serving. Running renders stop too and are finished by the next start on this folder."""
        ctx, server, thread = self._ctx, self._server, self._thread
        if ctx is not None:
            ctx.stopping.set()
            # Release stalls so that no worker waits for a reset that will never come.
            ctx.faults.reset()
        if server is not None:
            server.request_exit()
        if thread is not None:
            thread.join(STOP_TIMEOUT_S)
            if thread.is_alive():
                log.warning("local backend thread did not stop within %.0f s", STOP_TIMEOUT_S)
        if ctx is not None:
            ctx.executor.shutdown(wait=True, cancel_futures=True)
            ctx.store.close()
        self._thread = None
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- what callers use ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def faults(self) -> FaultPlan:
        """The fault plan (the same object `POST /_admin/faults` changes)."""
        return self._faults

    @property
    def stats(self) -> StatsSnapshot:
        """What the backend has seen so far (a copy)."""
        return self._context().stats.snapshot()

    @property
    def context(self) -> BackendContext:
        """The backend's shared state, for tests that need to reach in (e.g. set credits)."""
        return self._context()

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Block until no turn and no render job is running; TimeoutError after `timeout` seconds.

        For tests: the way to wait for work a dropped stream left running, without sleeping.
        """
        ctx = self._context()
        deadline = time.monotonic() + timeout
        if ctx.loop is not None:
            future = asyncio.run_coroutine_threadsafe(ctx.turns_finished(), ctx.loop)
            try:
                future.result(timeout)
            except TimeoutError:
                future.cancel()
                raise
        for control in list(ctx.render_controls.values()):
            if not control.done.wait(max(0.0, deadline - time.monotonic())):
                raise TimeoutError("a render job is still running")

    def expire_tokens(self) -> None:
        """Make every issued token expired: the next call with one answers 1001."""
        self._context().store.expire_tokens()

    def _context(self) -> BackendContext:
        if self._ctx is None:
            raise RuntimeError("the LocalBackend is not started")
        return self._ctx


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Naming IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets whose protocol says TCP, and
    # without it Nagle plus delayed ACKs add ~40 ms to every request after a connection's first.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def serve_forever(
    data_dir: Path, host: str = "127.0.0.1", port: int = 0, options: BackendOptions | None = None
) -> None:
    """Serve until Ctrl-C or SIGTERM (`nemo-mcp local-backend`). Prints the one line saying where."""
    done = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        done.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    backend = LocalBackend(data_dir, host=host, port=port, options=options)
    try:
        backend.start()
        print(f"nemo-mcp local backend listening on {backend.url}", flush=True)
        # A short timeout keeps the main thread responsive to Ctrl-C on every platform.
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        backend.stop()
        signal.signal(signal.SIGTERM, previous)


__all__ = ["BackendOptions", "LocalBackend", "serve_forever"]
