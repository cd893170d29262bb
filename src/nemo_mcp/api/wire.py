"""Wire models: every variant of the contract (§8) accepted here and normalised once.

Each `parse_*` function takes whatever JSON the API sent (already out of its envelope, see `http.py`)
and returns one shape, or raises `ApiError` saying the answer could not be read. Nothing else escapes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nemo_mcp.errors import ApiError

logger = logging.getLogger(__name__)


class Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _opt_str(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        text = str(value).strip()
        return text or None
    return None


def _opt_float(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _opt_int(value: object) -> int | None:
    number = _opt_float(value)
    return int(number) if number is not None and abs(number) < 2**53 else None


def _opt_time(value: object) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value  # epoch in s or ms
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


class TokenGrant(Lenient):
    """`POST /api/auth/anonymous-token`. The token stays out of the repr."""

    token: str = Field(repr=False, min_length=1)
    user_id: str | None = None
    expires_at: datetime | None = None
    credits: float | None = None

    _s = field_validator("user_id", mode="before")(_opt_str)
    _t = field_validator("expires_at", mode="before")(_opt_time)
    _c = field_validator("credits", mode="before")(_opt_float)


class SessionInfo(Lenient):
    """`POST /api/tasks/me/with-session/nemo_agent`; `user_id` may be absent (§8.5)."""

    session_id: str
    task_id: str | None = None
    user_id: str | None = None

    _s = field_validator("session_id", "task_id", "user_id", mode="before")(_opt_str)


class UploadedWire(Lenient):
    filename: str | None = None
    file_type: str | None = None
    cdn_url: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    fps: float | None = None
    size: int | None = None

    _s = field_validator("filename", "file_type", "cdn_url", mode="before")(_opt_str)
    _i = field_validator("width", "height", "size", mode="before")(_opt_int)
    _f = field_validator("duration", "fps", mode="before")(_opt_float)


class UploadAnswer(Lenient):
    files: list[UploadedWire] = Field(default_factory=list)


class Credits(Lenient):
    available: float = 0.0
    frozen: float = 0.0
    total: float | None = None

    _f = field_validator("available", "frozen", mode="before")(lambda v: _opt_float(v) or 0.0)
    _t = field_validator("total", mode="before")(_opt_float)

    @property
    def total_or_sum(self) -> float:
        return self.total if self.total is not None else self.available + self.frozen


def _dict_or_none(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _list_of_dicts(value: object) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        value = list(value.values())
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


class SessionState(Lenient):
    draft: dict[str, Any] | None = None
    video_infos: list[dict[str, Any]] = Field(default_factory=list)
    generated_media: list[dict[str, Any]] = Field(default_factory=list)
    canvas_config: dict[str, Any] | None = None

    _d = field_validator("draft", "canvas_config", mode="before")(_dict_or_none)
    _l = field_validator("video_infos", "generated_media", mode="before")(_list_of_dicts)


class StateAnswer(Lenient):
    session_id: str | None = None
    task_id: str | None = None
    state: SessionState = Field(default_factory=SessionState)

    _s = field_validator("session_id", "task_id", mode="before")(_opt_str)


RenderPhase = Literal["pending", "processing", "completed", "failed", "cancelled"]

_PHASES: dict[str, RenderPhase] = {
    "pending": "pending",
    "queued": "pending",
    "waiting": "pending",
    "submitted": "pending",
    "created": "pending",
    "processing": "processing",
    "running": "processing",
    "rendering": "processing",
    "in_progress": "processing",
    "in-progress": "processing",
    "started": "processing",
    "completed": "completed",
    "complete": "completed",
    "succeeded": "completed",
    "success": "completed",
    "done": "completed",
    "finished": "completed",
    "failed": "failed",
    "failure": "failed",
    "error": "failed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}


class RenderStatus(Lenient):
    """One render job, whatever shape the answer had (§8.1, §8.2)."""

    render_id: str | None = None
    phase: RenderPhase = "pending"
    progress: float = 0.0
    output_url: str | None = None
    duration_s: float | None = None
    size_bytes: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        """`completed` without a URL still counts as running (§5)."""
        return self.phase == "completed" and bool(self.output_url)

    @property
    def finished_badly(self) -> bool:
        return self.phase in ("failed", "cancelled")


class ClaimToken(Lenient):
    claim_token: str
    expires_in: float | None = None

    _s = field_validator("claim_token", mode="before")(_opt_str)
    _f = field_validator("expires_in", mode="before")(_opt_float)


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: object, what: str) -> M:
    """Validate `data` as `model`; anything unreadable becomes one ApiError naming `what`."""
    if not isinstance(data, dict):
        logger.debug("%s answer is not a JSON object", what)
        raise ApiError(f"The NemoVideo API sent a {what} answer nemo-mcp cannot read.")
    try:
        return model.model_validate(data)
    except (ValidationError, ValueError, TypeError, RecursionError):
        logger.debug("unreadable %s answer", what)
        raise ApiError(f"The NemoVideo API sent a {what} answer nemo-mcp cannot read.") from None


def parse_state(data: object) -> StateAnswer:
    """`GET /api/state/...`: the state under `state`, or (leniently) the state fields at the top."""
    if isinstance(data, dict) and not isinstance(data.get("state"), dict) and "draft" in data:
        data = {"session_id": data.get("session_id"), "task_id": data.get("task_id"), "state": data}
    return parse(StateAnswer, data, "session state")


def parse_render(body: object) -> RenderStatus:
    """A render answer in any of the §8.1 shapes: top level, under `data`, or `render_id`/`output`."""
    if not isinstance(body, dict):
        raise ApiError("The NemoVideo API sent a render answer nemo-mcp cannot read.")
    job: dict[str, Any] = body
    inner = body.get("data")
    if isinstance(inner, dict) and ("status" in inner or "id" in inner or "state" in inner):
        job = inner
    status = job.get("status", job.get("state"))
    phase = _PHASES.get(status.strip().lower()) if isinstance(status, str) else None
    if phase is None:
        raise ApiError("The NemoVideo API sent a render status nemo-mcp cannot read.")
    output = job.get("output")
    output = output if isinstance(output, dict) else {}
    url = _opt_str(output.get("url")) or _opt_str(job.get("outputUrl")) or _opt_str(job.get("output_url"))
    url = url or _opt_str(job.get("url")) or _opt_str(job.get("downloadUrl"))
    if url is not None and not url.lower().startswith(("http://", "https://", "/")):
        url = None
    progress = _opt_float(job.get("progress")) or 0.0
    error = job.get("error", body.get("error"))
    if isinstance(error, dict):
        error = error.get("message")
    return RenderStatus(
        render_id=_opt_str(job.get("id")) or _opt_str(job.get("taskId")) or _opt_str(job.get("render_id")),
        phase=phase,
        progress=min(max(progress, 0.0), 100.0),
        output_url=url,
        duration_s=_opt_float(output.get("duration", job.get("duration"))),
        size_bytes=_opt_int(output.get("size", job.get("size"))),
        error=" ".join(error.split())[:300] if isinstance(error, str) and error.strip() else None,
    )
