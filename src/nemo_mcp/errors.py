"""Every error nemo-mcp raises on purpose, one class per recovery.

    NemoError                     root: `message` is what a person reads, `hint` what to do next
    ├── ConfigError               a setting is invalid (raised at start-up, printed as one line)
    ├── InputError                bad input refused before anything was sent or written
    │   ├── PathNotAllowedError   outside the allowed folders, a symlink escape, not a regular file
    │   ├── UnsupportedFileError  content is not an accepted media type (also API code 4001)
    │   ├── FileTooLargeError     over 50 MB (also API code 4002)
    │   └── UnknownSessionError   a session id this process has never seen
    ├── ConnectionFailedError     the API cannot be reached (refused, DNS, timeout on connect)
    ├── ApiError                  the API answered with an error: `status`, `code`, `request_id`
    │   ├── TokenExpiredError     1001, HTTP 401/403: get a new anonymous token, retry once
    │   ├── ClientIdMissingError  HTTP 400 on the token call: send X-Client-Id
    │   ├── SessionGoneError      1002: a new session; earlier uploads are gone
    │   ├── NoCreditsError        2001: registration link for anonymous users, top-up otherwise
    │   ├── ExportBlockedError    HTTP 402: the plan does not allow export (not a credit problem)
    │   └── RateLimitedError      HTTP 429: wait, retry once
    ├── StreamDroppedError        the SSE connection broke after the message was accepted: poll the state
    ├── StreamLostError           the turn's outcome is unknown: the stream dropped and the state never
    │                             changed, or only heartbeats came for too long
    ├── RenderFailedError         a render ended in `failed`/`cancelled` or could not be submitted
    ├── RenderStillRunningError   the wait for a render ran out; its handle stays, export resumes it
    ├── JobRunningError           a turn is still running for this session: wait for it, never re-send
    ├── JobCancelledError         the server's work for a call was cancelled
    ├── JobCrashedError           the work failed with an error that is not a NemoError (a bug)
    ├── SharedStateUnavailableError  replicas: Redis cannot be reached; nothing falls back to local state
    ├── LeaseLostError            replicas: another replica took this job over; this one writes nothing more
    └── UnauthorizedError         replicas with users: a call without a verified user

No subclass stands for a different recovery than its parent, so the order of `except` clauses never
decides what happens: `StreamDroppedError` is not a `StreamLostError` (one is recovered from, the other is
reported), and a render still running is not a failed one.

Messages never contain a token: they are built from fixed text and ids only, and
`ApiError` keeps the response body out of its text.
"""

from __future__ import annotations

SUPPORTED_FORMATS = "jpg, jpeg, png, webp, bmp, gif, mp4, mov, avi, webm, mkv, mp3, wav, m4a, aac"


class NemoError(Exception):
    """Base of every error nemo-mcp raises on purpose."""

    default_hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = self.default_hint if hint is None else hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigError(NemoError):
    """A setting from the environment or the command line is invalid."""


class InputError(NemoError):
    """Input refused before anything was sent or written."""


class PathNotAllowedError(InputError):
    default_hint = "Move the file into an allowed folder or add its folder to NEMO_MCP_ALLOWED_DIRS."


class UnsupportedFileError(InputError):
    default_hint = f"Supported formats: {SUPPORTED_FORMATS}."


class FileTooLargeError(InputError):
    default_hint = "Files may be at most 50 MB: compress, resize or trim it and try again."


class UnknownSessionError(InputError):
    default_hint = "Call without a session_id to use the latest session, or upload a file to start a new one."


class ConnectionFailedError(NemoError):
    default_hint = "Check your network connection and NEMO_API_URL, or use the local backend (--local)."


class ApiError(NemoError):
    """The API answered with an error. The body stays out of the message on purpose."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code
        self.request_id = request_id


class TokenExpiredError(ApiError):
    default_hint = "The token is invalid or expired; unset NEMO_TOKEN to use a fresh anonymous token."


class ClientIdMissingError(ApiError):
    default_hint = "Set NEMO_CLIENT_ID or let nemo-mcp create one."


class SessionGoneError(ApiError):
    default_hint = "A new session was needed: upload your files again."


class NoCreditsError(ApiError):
    """Out of credits. `register_url` is set for anonymous users."""

    def __init__(
        self,
        message: str,
        *,
        register_url: str | None = None,
        status: int | None = None,
        code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        hint = (
            f"Register to get more credits: {register_url}"
            if register_url
            else "Top up credits in your NemoVideo account."
        )
        super().__init__(message, status=status, code=code, request_id=request_id, hint=hint)
        self.register_url = register_url


class ExportBlockedError(ApiError):
    default_hint = "Your plan does not allow export: register or upgrade your plan to export (this is not about credits)."


class RateLimitedError(ApiError):
    default_hint = "The API is rate limiting requests: wait a minute and try again."


class StreamLostError(NemoError):
    default_hint = (
        "The request was not sent again (that would charge twice); check the result with get_state."
    )


class RenderFailedError(NemoError):
    default_hint = "Check the timeline with get_state, then try export again."


class JobRunningError(NemoError):
    """A turn is still running for the session: a second instruction would run (and charge) twice."""

    default_hint = "Wait for it with get_state, or collect the result when it finishes."


class StreamDroppedError(NemoError):
    """The connection broke after the message was accepted: never re-send, poll the state instead."""

    default_hint = "The instruction was not sent again; the session's state tells whether it was carried out."


class RenderStillRunningError(NemoError):
    """The wait budget ran out; the render may still finish, and its handle stays on disk."""

    default_hint = "It may still finish: call export again to pick it up."


class JobCancelledError(NemoError):
    default_hint = "Nothing is running for this session now; call the tool again to start over."


class JobCrashedError(NemoError):
    """The work failed with an error that was not a NemoError: a bug. Details are in the server log."""

    default_hint = "This is a bug in nemo-mcp; the server log on stderr has the details."


class SharedStateUnavailableError(NemoError):
    """Replicas keep jobs, sessions and tokens in Redis; without it a call could run twice, so none runs."""

    default_hint = (
        "Nothing was done: without the shared state this server cannot know what runs on the other "
        "replicas. Try again in a moment; if it persists, the operator should check Redis."
    )


class LeaseLostError(NemoError):
    """This replica's lease on a job expired (it was paused, or cut off) and another replica owns it now."""

    default_hint = "Another replica carries the work on; call get_state or export to follow it."


class UnauthorizedError(NemoError):
    """A call reached the tools without a verified user; the HTTP layer should have refused it with 401."""

    default_hint = "Sign in again: the MCP client must send a valid bearer token for this server."
