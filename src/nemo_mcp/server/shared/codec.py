"""What a job keeps in Redis, as text: results, errors, progress, and the state before a turn's message.

Results are the domain's own models (`TurnOutcome`, `ExportOutcome`, `PublishedExport`), so a call on any
replica hands out exactly what the work returned. Errors come back as the same `NemoError` class with the
same message and hint: what the person reads does not depend on which replica answers.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import BaseModel, ValidationError

from nemo_mcp import errors
from nemo_mcp.errors import JobCrashedError, NemoError
from nemo_mcp.service.changes import facts_of
from nemo_mcp.service.models import (
    ExportOutcome,
    MediaView,
    ProgressUpdate,
    PublishedExport,
    TrackView,
    TurnOutcome,
)
from nemo_mcp.service.sessions import Snapshot

log = logging.getLogger(__name__)

_RESULTS: dict[str, type[BaseModel]] = {
    "turn": TurnOutcome,
    "export": ExportOutcome,
    "published": PublishedExport,
}


def encode_result(value: object) -> str:
    for name, model in _RESULTS.items():
        if isinstance(value, model):
            return json.dumps({"type": name, "data": value.model_dump(mode="json")})
    raise TypeError(f"a job returned {type(value).__name__}, which replicas cannot share")


def decode_result(text: str) -> Any:
    raw = json.loads(text)
    return _RESULTS[raw["type"]].model_validate(raw["data"])


def encode_error(error: NemoError) -> str:
    return json.dumps({"class": type(error).__name__, "message": error.message, "hint": error.hint})


def decode_error(text: str) -> NemoError:
    """The same class, message and hint; an unknown class reads as the plain root with the same words."""
    try:
        raw = json.loads(text)
        name, message, hint = str(raw["class"]), str(raw["message"]), str(raw.get("hint") or "")
    except (ValueError, KeyError, TypeError):
        log.warning("a job's stored error cannot be read")
        return JobCrashedError("The work failed, and its error could not be read back.")
    cls = getattr(errors, name, NemoError)
    # A job that failed because Redis was away is history, not a present outage: the root class keeps its
    # words without making the call that reads it fail as if Redis were down now.
    if (
        not (isinstance(cls, type) and issubclass(cls, NemoError))
        or cls is errors.SharedStateUnavailableError
    ):
        cls = NemoError
    # Built without the class's own __init__ (their signatures differ): the words are what matters.
    error: NemoError = cls.__new__(cls)
    NemoError.__init__(error, message, hint=hint)
    if isinstance(error, errors.ApiError):
        error.status = error.code = error.request_id = None
    return error


def encode_update(update: ProgressUpdate) -> str:
    return update.model_dump_json()


def decode_update(text: str | None) -> ProgressUpdate | None:
    if not text:
        return None
    try:
        return ProgressUpdate.model_validate_json(text)
    except ValidationError:
        return None


def encode_snapshot(snapshot: Snapshot) -> str:
    return json.dumps(
        {
            "task_id": snapshot.task_id,
            "draft": snapshot.draft,
            "tracks": [track.model_dump(mode="json") for track in snapshot.tracks],
            "media": [item.model_dump(mode="json") for item in snapshot.media],
        }
    )


def decode_snapshot(text: str) -> Snapshot:
    raw = json.loads(text)
    draft = raw.get("draft")
    return Snapshot(
        raw.get("task_id"),
        draft,
        [TrackView.model_validate(track) for track in raw.get("tracks") or []],
        [MediaView.model_validate(item) for item in raw.get("media") or []],
        facts_of(draft),  # read again from the draft: the facts are what the draft says
    )


__all__ = [
    "decode_error",
    "decode_result",
    "decode_snapshot",
    "decode_update",
    "encode_error",
    "encode_result",
    "encode_snapshot",
    "encode_update",
]
