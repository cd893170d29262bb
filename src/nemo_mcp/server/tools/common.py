"""What the five MCP tools share: the lifespan state, the argument types, errors, budgets, progress.

A `NemoError` becomes a `ToolError` carrying its message and hint: the only way text reaches the client.
Anything else stays hidden behind the SDK's generic error (and is logged to stderr with its traceback).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from nemo_mcp.config import MAX_WAIT_SECONDS, Settings
from nemo_mcp.errors import JobRunningError, NemoError
from nemo_mcp.server.board import Jobs, JobView
from nemo_mcp.server.exported import ExportLog, LocalExports
from nemo_mcp.server.results import JobInfo
from nemo_mcp.service.models import ProgressUpdate
from nemo_mcp.service.text import one_line

MAX_JOB_ERROR_CHARS = 500

if TYPE_CHECKING:
    from nemo_mcp.service.facade import NemoService


@dataclass
class ServerState:
    """What the tools share, made by the lifespan: settings, the service, the jobs, what was exported.

    The service (the API client, httpx, the session list) is made by the first call, in a worker thread
    (`state_of`): starting the server and answering tools/list never load it (~30 ms of CPU). A state may
    also be given its service ready-made (`ready`).

    Replicas with OAuth users (`server/shared/`) give every caller a state of their own: `tenants` returns
    it from the caller's token, and `hosted` says the server's disk is not the caller's (URL uploads only,
    exports answered as download links).
    """

    settings: Settings
    jobs: Jobs
    exports: ExportLog = field(default_factory=LocalExports)
    hosted: bool = False
    tenants: Callable[[], ServerState] | None = None
    ready: NemoService | None = field(default=None, repr=False)
    _making: anyio.Lock = field(default_factory=anyio.Lock, init=False, repr=False)

    @property
    def service(self) -> NemoService:
        if self.ready is None:
            raise RuntimeError("state_of(ctx) makes the service before a tool uses it")
        return self.ready

    async def open_service(self) -> NemoService:
        if self.ready is None:
            async with self._making:  # two first calls at once make one service
                if self.ready is None:
                    self.ready = await anyio.to_thread.run_sync(_make_service, self.settings)
        return self.ready

    async def aclose(self) -> None:
        if self.ready is not None:
            await self.ready.aclose()


def _make_service(settings: Settings) -> NemoService:
    # In a worker thread, on the first call: the import loads the API client and httpx.
    from nemo_mcp.service.facade import NemoService

    return NemoService(settings)


Ctx = Context[ServerState, Any]

# Every argument is bounded in the input schema: what a model sends is never carried whole into an error.
MAX_PATH_CHARS = 4096
MAX_SOURCES = 10  # what one upload request to the backend takes
MAX_SESSION_ID_CHARS = 128
PathText = Annotated[str, Field(max_length=MAX_PATH_CHARS)]

SessionId = Annotated[
    str | None,
    Field(
        description="The session to use, as returned by upload or animate_image. Omit it for the latest session.",
        max_length=MAX_SESSION_ID_CHARS,
    ),
]
WaitSeconds = Annotated[
    float | None,
    Field(
        description=(
            "How long to wait for the work before answering (0 to 55 s; default about 45). If it is not done "
            "by then the answer has status 'running' and says what to call next; the work goes on."
        ),
        json_schema_extra={"minimum": 0, "maximum": MAX_WAIT_SECONDS},
    ),
]


async def state_of(ctx: Ctx) -> ServerState:
    state = ctx.request_context.lifespan_context
    if state.tenants is not None:
        state = state.tenants()
    service = await state.open_service()
    # The client's name becomes X-Skill-Platform (unless SKILL_SOURCE is set).
    params = ctx.session.client_params
    if params is not None and params.client_info is not None:
        service.workspace.client.set_client_name(params.client_info.name)
    return state


@contextmanager
def errors() -> Iterator[None]:
    """A NemoError reaches the client as its message and hint; the original traceback stays here."""
    try:
        yield
    except NemoError as exc:
        raise ToolError(str(exc)) from None


def wait_budget(state: ServerState, wait_seconds: float | None) -> float:
    if wait_seconds is None:
        return state.settings.wait_seconds
    if not math.isfinite(wait_seconds) or wait_seconds < 0:
        raise ToolError(f"wait_seconds={wait_seconds} is not valid: give 0 to {MAX_WAIT_SECONDS:g} seconds.")
    if wait_seconds > MAX_WAIT_SECONDS:
        raise ToolError(
            f"wait_seconds={wait_seconds:g} is too long: MCP clients give up on a call after about 60 s. "
            f"Use at most {MAX_WAIT_SECONDS:g}; the work keeps running and get_state collects it later."
        )
    return wait_seconds


def session_arg(session_id: str | None) -> str | None:
    if session_id is None:
        return None
    text = session_id.strip()
    return text or None


async def require_session(state: ServerState, session_id: str | None) -> str:
    with errors():
        sid = session_arg(session_id) or await state.service.workspace.latest_id()
    if sid is None:
        raise ToolError(
            "There is no session yet. Upload an image first: upload(source='/path/to/photo.jpg'), or pass "
            "image=... to animate_image."
        )
    return sid


def call(sid: str | None, name: str, **extra: str | float) -> str:
    args = [f'session_id="{sid}"'] if sid else []
    args += [
        f"{key}={value!r}" if isinstance(value, str) else f"{key}={value:g}" for key, value in extra.items()
    ]
    return f"{name}({', '.join(args)})"


class McpProgressSink:
    """A ProgressSink for one tool call: MCP progress notifications whose values only increase.

    The integer part counts the updates this call has seen; a known fraction adds detail below the next
    integer. A job's fractions may start over (an upload, then a generation), a call's values never do.
    The messages are the service's own ("uploading photo.jpg (12 MB)", "rendering 60%").
    """

    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx
        self._value = 0.0

    async def __call__(self, update: ProgressUpdate) -> None:
        fraction = update.fraction if update.fraction is not None and math.isfinite(update.fraction) else 0.0
        self._value = math.floor(self._value) + 1 + 0.99 * min(1.0, max(0.0, fraction))
        await self._ctx.report_progress(self._value, None, update.message)


def job_info(job: JobView) -> JobInfo:
    error = job.error
    return JobInfo(
        kind=job.kind,
        status=job.status,
        elapsed_s=round(job.elapsed_s, 1),
        progress=job.latest.message if job.latest is not None else None,
        # Repeated in every later get_state: short, whatever the error carried.
        error=one_line(str(error), MAX_JOB_ERROR_CHARS) if error is not None else None,
    )


def collect(state: ServerState, sid: str | None) -> str:
    """The call that waits for a running instruction, with the budget this server is configured for."""
    return call(sid, "get_state", wait_seconds=state.settings.wait_seconds)


async def refuse_while_running(state: ServerState, sid: str | None) -> None:
    """One turn at a time per session: a second instruction would run, and charge, twice."""
    job = await state.jobs.running("turn", sid) if sid is not None else None
    if job is not None:
        raise JobRunningError(
            f"Session {sid} is still working on the previous instruction ({job.describe()}). Do not send it "
            f"again: that would charge twice. Wait for it with {collect(state, sid)}."
        )
