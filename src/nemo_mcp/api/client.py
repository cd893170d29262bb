"""`NemoClient`: every endpoint of the contract (§3), typed, with auth and safe retries built in.

Retries are decided here, in `_call`, and nowhere else:
- a refused token (1001, HTTP 401/403) → a new anonymous token with the same client id, the call once more;
- HTTP 429 → wait `rate_limit_wait_seconds`, once more, but only for calls marked `safe` (reads, polls,
  cancel; the token call has its own) — a message is never sent twice;
- a connection broken mid-answer → once more, again only for `safe` calls;
- `/run_sse` is re-sent only when it was refused before the backend accepted it (auth), never after.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx

from nemo_mcp.api.auth import Authenticator, Credential, TokenStore
from nemo_mcp.api.downloads import MAX_DOWNLOAD_REDIRECTS, check_public_url, download_url, downloaded_failure
from nemo_mcp.api.events import SseEvent
from nemo_mcp.api.headers import attribution_headers, platform_for, sendable_in_header
from nemo_mcp.api.http import (
    CONNECT_TIMEOUT_S,
    SSE_TIMEOUT,
    UPLOAD_TIMEOUT,
    HttpClient,
    LazyHttpClient,
    Who,
    error_for,
    network_error,
    read_answer,
    redact,
)
from nemo_mcp.api.multipart import FilePart, multipart_body
from nemo_mcp.api.stream import events as stream_events
from nemo_mcp.api.stream import refusal
from nemo_mcp.api.wire import (
    ClaimToken,
    Credits,
    RenderStatus,
    SessionInfo,
    StateAnswer,
    UploadAnswer,
    parse,
    parse_render,
    parse_state,
)
from nemo_mcp.config import Settings
from nemo_mcp.errors import (
    ApiError,
    ConfigError,
    NemoError,
    RateLimitedError,
    StreamDroppedError,
    TokenExpiredError,
)

logger = logging.getLogger(__name__)

APP_NAME = "nemo_agent"


class NemoClient:
    """One token, one API. The HTTP client is given, never created here."""

    def __init__(
        self,
        http: HttpClient,
        settings: Settings,
        *,
        client_name: str | None = None,
        tokens: TokenStore | None = None,
    ) -> None:
        if settings.token and not sendable_in_header(settings.token):
            raise ConfigError(
                "NEMO_TOKEN contains characters that cannot be sent in a header; check its value."
            )
        self._http = http if isinstance(http, LazyHttpClient) else LazyHttpClient.wrapping(http)
        self._settings = settings
        self._api = settings.api_url.rstrip("/")
        self._auth = Authenticator(
            self._http, settings, platform_for(settings.skill_source, client_name), tokens
        )
        self._timeout = httpx.Timeout(settings.request_timeout_seconds, connect=CONNECT_TIMEOUT_S)

    def __repr__(self) -> str:
        return f"NemoClient(api_url={self._api!r}, platform={self.platform!r})"

    # --- identity ------------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return self._api

    @property
    def http(self) -> LazyHttpClient:
        """The HTTP client requests go through (`made` says whether it exists yet)."""
        return self._http

    @property
    def scope(self) -> str:
        """The key under which this backend's token, sessions and render handles are kept."""
        return self._settings.scope

    @property
    def platform(self) -> str:
        return self._auth.platform

    def set_client_name(self, client_name: str | None) -> None:
        self._auth.platform = platform_for(self._settings.skill_source, client_name)

    @property
    def user_id(self) -> str | None:
        return self.who().user_id

    @property
    def anonymous(self) -> bool:
        return self.who().anonymous

    @property
    def token_requests(self) -> int:
        """How many anonymous tokens this client asked for (tests: the cache works)."""
        return self._auth.token_requests

    def who(self) -> Who:
        return self._auth.who()

    def redact(self, text: str) -> str:
        """Remove tokens from text that came from outside (a backend error that echoes the request):
        ours, and anything shaped like a bearer credential or a NemoVideo token."""
        return redact(
            text, self._auth.credential.token if self._auth.credential else None, self._settings.token
        )

    async def ensure_token(self) -> Credential:
        return await self._auth.ensure()

    def _headers(self, credential: Credential | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = attribution_headers(self.platform)
        if credential is not None:
            headers["Authorization"] = f"Bearer {credential.token}"
        if extra:
            headers.update(extra)
        return headers

    # --- the one request path -------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        files: Sequence[FilePart] = (),
        safe: bool = False,
        limits: httpx.Timeout | None = None,
        raw: bool = False,
    ) -> Any:
        """Send one request; renew the token once on refusal; if `safe` to repeat, wait out one 429 and
        try once more after a connection broken mid-answer."""
        renewed = False
        waited = not safe
        reconnected = not safe
        while True:
            credential = await self.ensure_token()
            try:
                kwargs: dict[str, Any] = {}
                headers = self._headers(credential)
                if files:
                    body = multipart_body("files", files)  # streamed from the checked handles
                    kwargs["content"] = body.stream()
                    headers["Content-Type"] = body.content_type
                    headers["Content-Length"] = str(body.length)
                elif json is not None:
                    kwargs["json"] = json
                http = await self._http.get()
                response = await http.request(
                    method,
                    f"{self._api}{path}",
                    headers=headers,
                    timeout=limits or self._timeout,
                    **kwargs,
                )
            except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
                if reconnected:
                    raise network_error(exc, self._api) from None
                reconnected = True
                logger.info(
                    "%s %s: the connection broke (%s); trying once more", method, path, type(exc).__name__
                )
                continue
            except httpx.HTTPError as exc:
                raise network_error(exc, self._api) from None
            except OSError as exc:
                raise NemoError(f"Could not read a file to upload: {exc.strerror}.") from None
            data, failure = read_answer(response)
            if failure is None:
                return response if raw else data
            error = error_for(failure, self.who())
            if isinstance(error, TokenExpiredError) and not renewed:
                renewed = True
                if await self._auth.renew(credential):
                    continue
                raise TokenExpiredError(
                    "NEMO_TOKEN was refused by the NemoVideo API.",
                    status=error.status,
                    code=error.code,
                    hint="Set a valid NEMO_TOKEN, or unset it to use a free anonymous token.",
                )
            if isinstance(error, RateLimitedError) and not waited:
                waited = True
                await self._auth.rate_limit_wait()
                continue
            logger.debug("%s %s failed: %s", method, path, type(error).__name__)
            raise error

    # --- endpoints ------------------------------------------------------------------------------------

    async def create_session(self, *, task_name: str = "project", language: str = "en") -> SessionInfo:
        data = await self._call(
            "POST",
            f"/api/tasks/me/with-session/{APP_NAME}",
            json={"task_name": task_name, "language": language},
        )
        info = parse(SessionInfo, data, "session")
        self._auth.remember_user(info.user_id)
        return info

    async def upload_files(self, session_id: str, files: Sequence[FilePart]) -> UploadAnswer:
        """Multipart upload, field `files` repeated; streamed from each part's reader, never read whole."""
        data = await self._call(
            "POST", f"/api/upload-video/{APP_NAME}/me/{_seg(session_id)}", files=files, limits=UPLOAD_TIMEOUT
        )
        return parse(UploadAnswer, data, "upload")

    async def upload_urls(self, session_id: str, urls: Sequence[str]) -> UploadAnswer:
        data = await self._call(
            "POST",
            f"/api/upload-video/{APP_NAME}/me/{_seg(session_id)}",
            json={"urls": list(urls), "source_type": "url"},
            limits=UPLOAD_TIMEOUT,
        )
        return parse(UploadAnswer, data, "upload")

    async def credits(self) -> Credits:
        return parse(Credits, await self._call("GET", "/api/credits/balance/simple", safe=True), "credits")

    async def state(self, session_id: str) -> StateAnswer:
        data = await self._call("GET", f"/api/state/{APP_NAME}/me/{_seg(session_id)}/latest", safe=True)
        return parse_state(data)

    async def claim_token(self, task_id: str, session_id: str) -> ClaimToken:
        data = await self._call(
            "POST",
            "/api/auth/claim-token",
            json={"task_id": task_id, "session_id": session_id},
            safe=True,
        )
        return parse(ClaimToken, data, "claim token")

    async def submit_render(self, render_id: str, session_id: str, draft: dict[str, Any]) -> RenderStatus:
        body = {
            "id": render_id,
            "sessionId": session_id,
            "draft": draft,
            "output": {"format": "mp4", "quality": "high"},
        }
        return self._redacted(parse_render(await self._call("POST", "/api/render/proxy/lambda", json=body)))

    async def render_status(self, render_id: str) -> RenderStatus:
        path = f"/api/render/proxy/lambda/{_seg(render_id)}"
        return self._redacted(parse_render(await self._call("GET", path, safe=True)))

    def _redacted(self, status: RenderStatus) -> RenderStatus:
        """A render's error is the backend's own text and reaches people and logs: never with a token."""
        return status.model_copy(update={"error": self.redact(status.error)}) if status.error else status

    async def cancel_render(self, render_id: str) -> None:
        await self._call("POST", f"/api/render/proxy/lambda/{_seg(render_id)}/cancel", safe=True)

    @asynccontextmanager
    async def download(self, url: str) -> AsyncIterator[httpx.Response]:
        """Stream a finished video from `url` (absolute, or a path on the API).

        The token goes only to the API's own origin. Any other origin, named by the link or by a
        redirect, is fetched only when its host is public: never loopback, link-local or private, so
        a backend cannot aim this process at another service on the machine or its network. An error
        answer, or JSON where a video should be, is read as an error; a refused token is renewed once.
        """
        target = download_url(self._api, url)
        renewed = False
        while True:
            try:
                response, credential = await self._open_download(target)
            except httpx.HTTPError as exc:
                raise network_error(exc, self._api) from None
            try:
                failure = await downloaded_failure(response)
                if failure is None:
                    try:
                        yield response
                    except httpx.HTTPError as exc:
                        raise network_error(exc, self._api) from None
                    return
            finally:
                await response.aclose()
            error = error_for(failure, self.who())
            if isinstance(error, TokenExpiredError) and credential is not None and not renewed:
                renewed = True
                if await self._auth.renew(credential):
                    continue
            raise error

    async def _open_download(self, target: httpx.URL) -> tuple[httpx.Response, Credential | None]:
        """The answer at `target`, redirects followed by hand (each hop checked); the token if it was sent."""
        api = httpx.URL(self._api)
        for _ in range(MAX_DOWNLOAD_REDIRECTS + 1):
            own = (target.scheme, target.host, target.port) == (api.scheme, api.host, api.port)
            if not own:
                await check_public_url(target)
            credential = await self.ensure_token() if own else None
            http = await self._http.get()
            request = http.build_request(
                "GET", target, headers=self._headers(credential) if own else {}, timeout=self._timeout
            )
            response = await http.send(request, stream=True, follow_redirects=False)
            if not (response.is_redirect and "location" in response.headers):
                return response, credential
            await response.aclose()
            try:
                target = target.join(response.headers["location"])
            except (httpx.InvalidURL, ValueError):
                raise ApiError("The download link redirected to an address nemo-mcp cannot use.") from None
        raise ApiError("The download link redirected too many times.")

    def fallback_download_path(self, render_id: str) -> str:
        return f"/api/render/proxy/{_seg(render_id)}/download"

    # --- the stream -----------------------------------------------------------------------------------

    @asynccontextmanager
    async def run_sse(self, session_id: str, message: str) -> AsyncIterator[AsyncIterator[SseEvent]]:
        """Send one message and yield the event stream. Re-sent only if refused for the token, before any event.

        Raises StreamDroppedError when the connection breaks after the message was accepted.
        """
        body = {
            "app_name": APP_NAME,
            "user_id": "me",
            "session_id": session_id,
            "new_message": {"parts": [{"text": message}]},
        }
        renewed = False
        while True:
            credential = await self.ensure_token()
            headers = self._headers(credential, {"Accept": "text/event-stream"})
            http = await self._http.get()
            try:
                async with http.stream(
                    "POST", f"{self._api}/run_sse", json=body, headers=headers, timeout=SSE_TIMEOUT
                ) as response:
                    failure = await refusal(response)
                    if failure is None:
                        events = stream_events(response, self._api)
                        try:
                            yield events
                        finally:
                            await events.aclose()
                        return
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise network_error(exc, self._api) from None  # nothing was sent
            except httpx.HTTPError as exc:
                # The request may have reached the backend: treat it as a dropped stream (poll, never re-send).
                logger.info("the message request broke before the stream began: %s", type(exc).__name__)
                raise StreamDroppedError(
                    f"The connection to the NemoVideo API at {self._api} dropped while sending the message."
                ) from None
            error = error_for(failure, self.who())
            if isinstance(error, TokenExpiredError) and not renewed:
                renewed = True
                if await self._auth.renew(credential):
                    continue  # refused before the backend took it: sending again is safe
            if failure.status >= 500 or failure.status == 408:
                # A gateway's 504 (or any 5xx) says nothing about the backend behind it, which may have
                # taken the message and be working on it: the state tells, as after a dropped stream.
                raise StreamDroppedError(
                    f"The NemoVideo API answered the message with HTTP {failure.status}; it may have been "
                    "carried out anyway."
                )
            raise error


def _seg(value: str) -> str:
    """A path segment, quoted so an id can never walk out of its path."""
    return quote(value, safe="")
