"""Render jobs on worker threads, off the event loop: run, cache, resume after a restart.

A job renders the clip its draft describes. Clips are cached by what they show (`plan.clip_key`), so
exporting right after a generation reuses the generated file. Jobs are kept in `renders/<id>.json`; a job
that was pending or processing when the backend stopped is run again at the next start (same id, so a
client that kept the id gets its file without submitting again). The HTTP face is `routes/render_jobs.py`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemo_mcp.local.context import BackendContext, RenderControl
from nemo_mcp.local.records import RenderRecord
from nemo_mcp.local.render.spec import ClipSpec, RenderCancelledError
from nemo_mcp.local.routes.guards import now
from nemo_mcp.local.store import write_json

log = logging.getLogger(__name__)

ACTIVE = ("pending", "processing")
_STALL_CHECK_S = 0.1

_key_locks: dict[str, threading.Lock] = {}
_key_locks_guard = threading.Lock()


@dataclass(frozen=True)
class RenderNotes:
    """What the renderer decided that a person should be told, kept beside the cached clip."""

    framing: str | None = None
    missing_glyphs: str = ""
    music_track: str | None = None


def render_cached(
    ctx: BackendContext,
    spec: ClipSpec,
    key: str,
    *,
    on_progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> tuple[Path, bool, RenderNotes]:
    """The clip for `spec` at its cache path, rendering it unless it is there: (path, was cached, notes)."""
    out = ctx.store.clip_path(key)
    notes_file = out.with_suffix(".json")
    with _key_locks_guard:
        lock = _key_locks.setdefault(str(out), threading.Lock())
    with lock:
        if out.is_file():
            if on_progress is not None:
                on_progress(1.0)
            return out, True, _read_notes(notes_file)
        # The renderer (Pillow, PyAV, NumPy) loads with the first render, not with the backend.
        from nemo_mcp.local.render.clip import render_clip

        clip = render_clip(spec, out, on_progress=on_progress, should_cancel=should_cancel)
        notes = RenderNotes(clip.framing, clip.missing_glyphs, clip.music_track)
        write_json(notes_file, dataclasses.asdict(notes))
        return out, False, notes


def _read_notes(path: Path) -> RenderNotes:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return RenderNotes(**raw) if isinstance(raw, dict) else RenderNotes()
    except (OSError, ValueError, TypeError):
        return RenderNotes()  # a clip cached before notes were kept: nothing more to say


def spec_to_json(spec: ClipSpec) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(spec).items()}


def spec_from_json(raw: dict[str, Any]) -> ClipSpec:
    values = dict(raw)
    values["image"] = Path(values["image"])
    values["music"] = Path(values["music"]) if values.get("music") else None
    return ClipSpec(**values)


def output_url(ctx: BackendContext, render_id: str) -> str:
    return f"{ctx.base_url}/files/renders/{render_id}.mp4"


def update(ctx: BackendContext, render_id: str, **changes: Any) -> RenderRecord | None:
    with ctx.store.lock:
        job = ctx.store.render(render_id)
        if job is None:
            return None
        updated = job.model_copy(update=changes)
        ctx.store.save_render(updated)
        return updated


def _run_render(ctx: BackendContext, render_id: str, control: RenderControl) -> None:
    """The worker: runs one job to completed or failed (or leaves it resumable when the backend stops)."""
    try:
        with ctx.store.lock:
            job = ctx.store.render(render_id)
            if job is None or job.status not in ACTIVE or control.cancel.is_set():
                return
            job = update(ctx, render_id, status="processing", progress=10)
        assert job is not None
        if job.fault == "stall" and control.release is not None:
            while not control.release.wait(_STALL_CHECK_S):
                if control.cancel.is_set() or ctx.stopping.is_set():
                    break
        if ctx.stopping.is_set():
            return
        if control.cancel.is_set():
            update(ctx, render_id, status="failed", error="Cancelled.", completed_at=now())
            return
        if job.fault == "render_fail":
            update(
                ctx, render_id, status="failed", error="The render failed (fault plan).", completed_at=now()
            )
            return
        last = [10]

        def on_progress(fraction: float) -> None:
            progress = 10 + int(85 * min(max(fraction, 0.0), 1.0))
            if progress >= last[0] + 5:
                last[0] = progress
                update(ctx, render_id, progress=progress)

        def should_cancel() -> bool:
            return control.cancel.is_set() or ctx.stopping.is_set()

        render_cached(
            ctx, spec_from_json(job.spec), job.clip_key, on_progress=on_progress, should_cancel=should_cancel
        )
        update(ctx, render_id, status="completed", progress=100, completed_at=now())
    except RenderCancelledError:
        if not control.cancel.is_set():
            return  # the backend is stopping: the job stays processing and runs again at the next start
        update(ctx, render_id, status="failed", error="Cancelled.", completed_at=now())
    except Exception as exc:
        log.exception("local backend: render %s failed", render_id)
        update(ctx, render_id, status="failed", error=f"The render failed: {exc}", completed_at=now())
    finally:
        control.done.set()


def schedule(ctx: BackendContext, render_id: str, control: RenderControl) -> None:
    ctx.render_controls[render_id] = control
    ctx.executor.submit(_run_render, ctx, render_id, control)


def resume(ctx: BackendContext) -> None:
    """Run again the jobs a previous run left pending or processing (a stall from that run is forgotten)."""
    for job in ctx.store.renders():
        if job.status in ACTIVE:
            log.info("local backend: resuming render %s", job.id)
            update(ctx, job.id, fault=None if job.fault == "stall" else job.fault)
            schedule(ctx, job.id, RenderControl())
