"""The embedded local backend in its own process, plus one benchmark-only hook: timestamped SSE bursts.

    python benchmarks/bench_backend.py DATA_DIR   # prints "... listening on http://127.0.0.1:PORT"

Everything is the real `nemo_mcp.local` backend (admin routes on, for request counts), except one thing:
a `POST /run_sse` whose message contains `bench-burst N RATE` is answered, after the usual token and
session checks are skipped, by N `text` events paced at RATE a second, each carrying its sequence number
and the `time.perf_counter_ns()` at which it was handed to the server (CLOCK_MONOTONIC on Linux, so the
client process can compare it with its own clock). Any other request reaches the real app untouched.

The local backend has no hook of its own for a burst of events: its turns send about five events. A
benchmark-only wrapper is used rather than a change to the backend.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import nemo_mcp.local.runner as runner
from nemo_mcp.local.context import BackendContext, BackendOptions
from nemo_mcp.local.routes.app import build_app

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

BURST = re.compile(rb"bench-burst (\d+) (\d+)")


async def _burst(count: int, rate: float) -> AsyncIterator[bytes]:
    started = time.perf_counter()
    for seq in range(count):
        due = started + seq / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        event = {"type": "text", "content": f"bench seq={seq} t={time.perf_counter_ns()}"}
        yield f"data: {json.dumps(event)}\n\n".encode()


def with_bursts(inner: App) -> App:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/run_sse" or scope["method"] != "POST":
            await inner(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        found = BURST.search(body)
        if found is None:
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if replayed:
                    return await receive()
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}

            await inner(scope, replay, send)
            return
        headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        async for chunk in _burst(int(found[1]), float(found[2])):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    return app


def main() -> None:
    # LocalBackend.start builds its app through the name `build_app` in the runner module: wrap it there.
    def build_with_bursts(ctx: BackendContext) -> Any:
        return with_bursts(build_app(ctx))

    setattr(runner, "build_app", build_with_bursts)  # noqa: B010
    runner.serve_forever(Path(sys.argv[1]), options=BackendOptions(admin=True, initial_credits=10**9))


if __name__ == "__main__":
    main()
