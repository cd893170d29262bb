"""Requests and answers: the client made on first use, timeouts, envelopes (§8.3), and the ONE function that
maps failures to errors (§6)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from nemo_mcp.errors import (
    ApiError,
    ClientIdMissingError,
    ConnectionFailedError,
    ExportBlockedError,
    FileTooLargeError,
    NemoError,
    NoCreditsError,
    RateLimitedError,
    SessionGoneError,
    TokenExpiredError,
    UnsupportedFileError,
)

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
UPLOAD_TIMEOUT_S = 300.0
# A generation can run for minutes with only heartbeats in between: allow up to 15 minutes per read.
SSE_READ_TIMEOUT_S = 15 * 60.0

DEFAULT_TIMEOUT = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
UPLOAD_TIMEOUT = httpx.Timeout(UPLOAD_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
SSE_TIMEOUT = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S, read=SSE_READ_TIMEOUT_S)


class LazyHttpClient:
    """An `httpx.AsyncClient` made on the first request, in a worker thread, and closed by `aclose`.

    Making one costs 33-44 ms of CPU (httpx imports httpcore and h11 then, and loads certifi's CA bundle
    into an SSL context), so a server that only answers tools/list never pays it, and the first call does
    not block the event loop for it. A client given by the caller (`wrapping`) is used as is, never closed.
    """

    def __init__(self, make: Callable[[], httpx.AsyncClient] | None = None) -> None:
        self._make = make or (lambda: httpx.AsyncClient(timeout=DEFAULT_TIMEOUT))
        self._client: httpx.AsyncClient | None = None
        self._owned = True
        self._lock = asyncio.Lock()

    @classmethod
    def wrapping(cls, client: httpx.AsyncClient) -> LazyHttpClient:
        lazy = cls(lambda: client)
        lazy._client, lazy._owned = client, False
        return lazy

    @property
    def made(self) -> httpx.AsyncClient | None:
        """The client, if it was made (or given); None until the first request."""
        return self._client

    async def get(self) -> httpx.AsyncClient:
        client = self._client
        if client is not None:
            return client
        async with self._lock:
            if self._client is None:
                self._client = await asyncio.to_thread(self._make)
            return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._owned:
            await client.aclose()


CODE_OK = 0
CODE_TOKEN = 1001
CODE_SESSION_GONE = 1002
CODE_NO_CREDITS = 2001
CODE_UNSUPPORTED = 4001
CODE_TOO_LARGE = 4002
# Not in the public contract; the local backend answers it for a URL upload it will not fetch.
CODE_URL_REFUSED = 4003

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Failure:
    """What went wrong with one answer, before it becomes an exception."""

    status: int
    code: int | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class Who:
    """What the error messages may need to know about the user (never the token)."""

    web_url: str
    user_id: str | None = None
    anonymous: bool = True


# What NemoClient is given: a LazyHttpClient the service makes (and closes), or a client a caller owns
# (tests; replicas share one across their users).
HttpClient = httpx.AsyncClient | LazyHttpClient


@asynccontextmanager
async def open_http_client() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client with the default timeouts, closed when the block ends."""
    async with httpx.AsyncClient(timeout=DEFAULT_TIMEOUT) as http:
        yield http


def error_for(failure: Failure, who: Who, *, token_call: bool = False) -> NemoError:
    """The one mapping from a failed answer (HTTP status and body code) to the error a person can act on."""
    status, code, rid = failure.status, failure.code, failure.request_id
    if code == CODE_TOKEN or status in (401, 403):
        return TokenExpiredError(
            "The NemoVideo API did not accept the access token.", status=status, code=code, request_id=rid
        )
    if code == CODE_SESSION_GONE:
        return SessionGoneError(
            "The NemoVideo session no longer exists; earlier uploads are gone.",
            status=status,
            code=code,
            request_id=rid,
        )
    if code == CODE_NO_CREDITS:
        register = f"{who.web_url}/register?bind={who.user_id}" if who.anonymous and who.user_id else None
        if who.anonymous and register is None:
            register = f"{who.web_url}/register"
        return NoCreditsError(
            "You are out of NemoVideo credits.",
            register_url=register,
            status=status,
            code=code,
            request_id=rid,
        )
    if code == CODE_UNSUPPORTED:
        return UnsupportedFileError("NemoVideo does not accept this type of file.")
    if code == CODE_TOO_LARGE:
        return FileTooLargeError("NemoVideo refused the file as too large.")
    if code == CODE_URL_REFUSED:
        return ApiError(
            "NemoVideo could not fetch that URL.",
            status=status,
            code=code,
            request_id=rid,
            hint="Check that the link is public and points at an image, video or audio file, or upload the file itself.",
        )
    if status == 402:
        return ExportBlockedError(
            "NemoVideo refused the export: your plan does not include it.",
            status=status,
            code=code,
            request_id=rid,
        )
    if status == 429:
        return RateLimitedError(
            "The NemoVideo API is rate limiting requests.", status=status, code=code, request_id=rid
        )
    if status == 400 and token_call:
        return ClientIdMissingError(
            "The NemoVideo API refused the token request: no client id was sent.",
            status=status,
            code=code,
            request_id=rid,
        )
    if status < 400:
        what = "no details" if code is None else f"code {code}"
        return ApiError(
            f"The NemoVideo API reported an error ({what}).", status=status, code=code, request_id=rid
        )
    what = f"HTTP {status}" if code is None else f"HTTP {status}, code {code}"
    hint = (
        "The service may be having trouble; try again in a minute."
        if status >= 500 or status == 408
        else None
    )
    return ApiError(
        f"The NemoVideo API answered with an error ({what}).",
        status=status,
        code=code,
        request_id=rid,
        hint=hint,
    )


# "Bearer <anything>" (the scheme kept) and NemoVideo's token shape, wherever outside text carries them.
_CREDENTIAL = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+|\bnmv_[a-z]+_[A-Za-z0-9_\-]{8,}")


def redact(text: str, *secrets: str | None) -> str:
    """`text` from outside (a backend error that echoes the request) without `secrets` or anything shaped
    like a bearer credential or a NemoVideo token."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _CREDENTIAL.sub(lambda m: f"{m.group(1)}***" if m.group(1) else "***", text)


def network_error(exc: httpx.HTTPError, api_url: str) -> NemoError:
    """A request that got no answer. Messages name the API host, never a header or a body."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return ConnectionFailedError(f"Cannot reach the NemoVideo API at {api_url}.")
    if isinstance(exc, httpx.TimeoutException):
        return ConnectionFailedError(f"The NemoVideo API at {api_url} did not answer in time.")
    return ConnectionFailedError(f"The connection to the NemoVideo API at {api_url} failed.")


def read_answer(response: httpx.Response) -> tuple[Any, Failure | None]:
    """Open an already-read response: (data, None) on success, (None, Failure) otherwise.

    Envelopes (§8.3): `{code, data, message}`, `{success, data, error}`, or a bare object (returned whole).
    """
    rid = response.headers.get("x-request-id")
    body: Any = None
    if response.content:
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
    code = _code(body)
    if response.status_code >= 400:
        return None, Failure(response.status_code, code, rid)
    if body is None:
        if response.content:
            logger.debug("the API answered HTTP %d with a body that is not JSON", response.status_code)
            return None, Failure(response.status_code, None, rid)
        return {}, None
    if isinstance(body, dict):
        if code is not None and code != CODE_OK:
            return None, Failure(response.status_code, code, rid)
        if body.get("success") is False:
            return None, Failure(response.status_code, code, rid)
        if ("code" in body or "success" in body) and "data" in body:
            return body["data"], None
    return body, None


def _code(body: object) -> int | None:
    if not isinstance(body, dict):
        return None
    raw = body.get("code")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    return None
