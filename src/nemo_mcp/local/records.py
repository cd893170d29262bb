"""The records the local backend keeps: tokens, accounts, uploads, turns, sessions, renders (pydantic, so
each is checked when a file is read back). `store.Store` keeps them on disk."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

MAX_HISTORY = 20

FileType = Literal["image", "video", "audio"]
RenderState = Literal["pending", "processing", "completed", "failed"]


class TokenRecord(BaseModel):
    token: str
    user_id: str
    client_id: str
    expires_at: float


class Account(BaseModel):
    user_id: str
    available: int
    frozen: int = 0
    # reservation key -> amount frozen for it
    reservations: dict[str, int] = Field(default_factory=dict)


class UploadRecord(BaseModel):
    filename: str
    stored_name: str
    file_type: FileType
    sha256: str
    size: int
    width: int = 0
    height: int = 0
    duration: float = 0.0
    fps: float = 0.0
    uploaded_at: float = 0.0


class TurnRecord(BaseModel):
    """Work started by a run_sse message, kept until it is done so that a restart can finish it."""

    id: str
    kind: Literal["generate", "edit"]
    cost: int
    draft: dict[str, Any]
    clip_key: str | None = None
    started_at: float = 0.0
    # An undo restores the newest draft of `history` (and drops it) instead of pushing the current one.
    undo: bool = False
    # What was asked and will not be done, told again when the turn ends.
    not_done: list[str] = Field(default_factory=list)


class SessionRecord(BaseModel):
    session_id: str
    task_id: str
    user_id: str
    task_name: str = "project"
    language: str = "en"
    created_at: float = 0.0
    uploads: list[UploadRecord] = Field(default_factory=list)
    draft: dict[str, Any] | None = None
    generated_media: list[dict[str, Any]] = Field(default_factory=list)
    turn: TurnRecord | None = None
    messages: int = 0
    # The drafts before each change, oldest first (at most MAX_HISTORY): what "undo" goes back to.
    history: list[dict[str, Any]] = Field(default_factory=list)

    def latest_upload(self, file_type: FileType) -> UploadRecord | None:
        for upload in reversed(self.uploads):
            if upload.file_type == file_type:
                return upload
        return None

    def upload_by_hash(self, sha256: str) -> UploadRecord | None:
        for upload in reversed(self.uploads):
            if upload.sha256 == sha256:
                return upload
        return None


class RenderRecord(BaseModel):
    id: str
    session_id: str
    user_id: str
    status: RenderState = "pending"
    progress: int = 5
    created_at: float = 0.0
    completed_at: float | None = None
    # the ClipSpec as JSON (paths as strings) and the clip cache key it renders to
    spec: dict[str, Any] = Field(default_factory=dict)
    clip_key: str = ""
    error: str | None = None
    # set by the fault plan at submit time
    fault: Literal["render_fail", "stall"] | None = None
