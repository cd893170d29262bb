"""The options a backend runs with and the state its routes share (store, fault plan, stats, workers)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from nemo_mcp.local.faults import FaultPlan
from nemo_mcp.local.stats import Stats
from nemo_mcp.local.store import Store

SEVEN_DAYS_S = 7 * 24 * 3600.0
# Renders use all cores through libx264's own threads; two jobs at once keep a 2-core machine busy.
RENDER_WORKERS = 2


@dataclass
class BackendOptions:
    # The cloud's credit rules (reserve, charge, 2001 when short). Off by default: rendering runs on the
    # person's own CPU, so nothing is charged and nothing runs out. Tests of the cloud's rules turn it on.
    metered: bool = False
    # What a new account starts with (reported by the balance either way).
    initial_credits: int = 1000
    # Seconds between heartbeat events while work runs in a run_sse stream.
    heartbeat_interval_s: float = 2.0
    # Enable the /_admin routes (fault plan, stats). Never needed outside tests.
    admin: bool = False
    # Let URL uploads fetch from loopback, link-local and private addresses.
    allow_private_urls: bool = False
    # How long an anonymous token is valid.
    token_ttl_s: float = SEVEN_DAYS_S
    # How long fetching one URL upload may take in all (a link that trickles a byte at a time never
    # trips a per-read timeout).
    url_fetch_timeout_s: float = 60.0


@dataclass
class RenderControl:
    """In-memory handles of one render: ask it to stop, know when it has stopped, what a stall waits for."""

    cancel: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    release: threading.Event | None = None


@dataclass
class BackendContext:
    store: Store
    options: BackendOptions
    faults: FaultPlan = field(default_factory=FaultPlan)
    stats: Stats = field(default_factory=Stats)
    # Known once the socket is bound: "http://127.0.0.1:PORT".
    base_url: str = ""
    # Set when the backend stops: running renders stop and stay resumable.
    stopping: threading.Event = field(default_factory=threading.Event)
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(RENDER_WORKERS, thread_name_prefix="nemo-local-render")
    )
    render_controls: dict[str, RenderControl] = field(default_factory=dict)
    # The loop serving the app (set at startup): other threads hand it work with run_coroutine_threadsafe.
    loop: asyncio.AbstractEventLoop | None = None
    # Background tasks (turns) that must outlive the request that started them.
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coro` on the current loop, independent of the request (a client going away does not stop it)."""
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def turns_finished(self) -> None:
        """Return once no turn task is running (new ones started meanwhile included)."""
        while self.tasks:
            await asyncio.wait(list(self.tasks))


__all__ = ["RENDER_WORKERS", "SEVEN_DAYS_S", "BackendContext", "BackendOptions", "RenderControl"]
