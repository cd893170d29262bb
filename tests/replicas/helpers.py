"""Real parts for the replica tests: a redis-server, `nemo-mcp serve --http` replicas, a round-robin load
balancer in the client's HTTP transport, and an OAuth issuer (RSA keys and a JWKS on loopback).

Processes are started and stopped by their process ids; waits are on their output (a line appears) or on
a condition, each with a deadline, never a bare sleep.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx2
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

PUBLIC_HOST = "nemo.test"
PUBLIC_URL = f"http://{PUBLIC_HOST}"
SECRET_KEY = "test-secret-key-0123456789abcdef-0123456789"
LEASE_S = 1.0


class OutputLog:
    """The lines a process writes to one stream, collected by a thread; `wait_for` blocks on a condition."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self._cond = threading.Condition()
        if stream is not None:
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: Any) -> None:
        with stream:
            for raw in iter(stream.readline, b""):
                with self._cond:
                    self.lines.append(raw.decode("utf-8", "replace").rstrip())
                    self._cond.notify_all()
        with self._cond:
            self.lines.append("<eof>")
            self._cond.notify_all()

    def wait_for(self, pattern: str, timeout: float, *, after: int = 0) -> str:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[after:]:
                    if regex.search(line):
                        return line
                if "<eof>" in self.lines[after:]:
                    raise AssertionError(f"process ended before {pattern!r}:\n" + "\n".join(self.lines[-40:]))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"no line matching {pattern!r} in {timeout} s:\n" + "\n".join(self.lines[-40:])
                    )
                self._cond.wait(left)

    async def wait_async(self, pattern: str, limit_s: float, *, after: int = 0) -> str:
        return await anyio.to_thread.run_sync(lambda: self.wait_for(pattern, limit_s, after=after))

    def text(self) -> str:
        with self._cond:
            return "\n".join(self.lines)


class RedisServer:
    """`redis-server` on a loopback port, no persistence; stopped (and restartable) by its process id."""

    def __init__(self, binary: str, port: int, folder: Path) -> None:
        self.binary, self.port, self.folder = binary, port, folder
        self.process: subprocess.Popen[bytes] | None = None
        self.log = OutputLog(None)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        command += ["--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.log = OutputLog(self.process.stdout)
        self.log.wait_for("Ready to accept connections", 15)
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(10)
        if process is not None:
            self.log.wait_for("<eof>", 5)  # the reader has closed the pipe


@dataclass
class ReplicaProcess:
    """One `nemo-mcp serve --http` process; its stderr is collected for the test to wait on."""

    name: str
    port: int
    env: dict[str, str]
    args: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    log: OutputLog | None = None

    def start(self) -> ReplicaProcess:
        command = [sys.executable, "-m", "nemo_mcp", "serve", "--http", "--port", str(self.port), *self.args]
        self.process = subprocess.Popen(
            command, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.log = OutputLog(self.process.stderr)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        assert self.log is not None
        self.log.wait_for(r"nemo-mcp: replica \S+ serving MCP", timeout)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def replica_id(self) -> str:
        assert self.log is not None
        line = self.log.wait_for(r"nemo-mcp: replica (\S+) serving", 1)
        found = re.search(r"replica (\S+) serving", line)
        assert found is not None
        return found.group(1)

    def signal(self, sig: signal.Signals) -> None:
        os.kill(self.pid, sig)

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGCONT)  # a paused process cannot act on SIGTERM
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(5)

    def reap(self) -> None:
        """After the process ended (killed, or stopped): wait for it and for its stderr reader."""
        if self.process is not None:
            self.process.wait(15)
        if self.log is not None:
            self.log.wait_for("<eof>", 5)


class LoadBalancer(httpx2.AsyncBaseTransport):
    """The client's HTTP transport as a round-robin load balancer: requests addressed to PUBLIC_HOST go to
    the replicas in turn (real HTTP to each), keeping the public Host header as a proxy would."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = list(ports)
        self.pinned: int | None = None
        self.served: list[int] = []
        self._turn = 0
        # Every waiting tool call holds a connection: room for a crowd of them (benchmarks/bench_replicas.py).
        self._inner = httpx2.AsyncHTTPTransport(limits=httpx2.Limits(max_connections=1000))

    def remove(self, port: int) -> None:
        """A replica the load balancer's health check found dead gets no more requests."""
        self.ports = [p for p in self.ports if p != port]

    @contextmanager
    def pin(self, port: int) -> Iterator[None]:
        """Send every request to one replica while the block runs."""
        self.pinned = port
        try:
            yield
        finally:
            self.pinned = None

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self.pinned is not None:
            port = self.pinned
        else:
            port = self.ports[self._turn % len(self.ports)]
            self._turn += 1
        self.served.append(port)
        request.url = request.url.copy_with(host="127.0.0.1", port=port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@asynccontextmanager
async def connect(
    balancer: LoadBalancer, token: str | None = None, *, legacy: bool = False
) -> AsyncIterator[Client]:
    """An MCP client on PUBLIC_URL through `balancer`, with a bearer token when given; `legacy` speaks the
    2025-11-25 protocol (an initialize handshake, as older clients do)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx2.AsyncClient(transport=balancer, headers=headers, timeout=httpx2.Timeout(120, connect=5))
    transport = streamable_http_client(f"{PUBLIC_URL}/mcp", http_client=http)
    async with http, Client(transport, mode="legacy" if legacy else "auto") as client:
        yield client


class Issuer:
    """An OAuth issuer for tests: an RSA key, its JWKS served on loopback, tokens signed with it.

    The same little server also serves files (for hosted uploads by URL).
    """

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        self.jwks = json.dumps({"keys": [jwk]}).encode()
        self.files = files or {}
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None, "Issuer.start() first"
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return f"{self.base}/issuer"

    @property
    def jwks_url(self) -> str:
        return f"{self.base}/jwks.json"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = issuer.jwks if self.path == "/jwks.json" else issuer.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                kind = "application/json" if self.path.endswith(".json") else "image/png"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # the stdlib's name
                pass

        return Handler

    def start(self) -> Issuer:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def token(
        self,
        subject: str,
        *,
        audience: str,
        expires_in: float = 600,
        issuer: str | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload = {
            "iss": issuer or self.issuer,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "exp": now + int(expires_in),
        }
        return jwt.encode({**payload, **claims}, self.key, algorithm="RS256", headers={"kid": self.kid})
