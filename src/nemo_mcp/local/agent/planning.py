"""The clip a session describes (a ClipPlan), a Request applied to it, what that costs, and its draft.

Supersedes `draft.ClipPlan`/`draft.apply`: the plan now holds what people ask for (motion speed, loop,
title position and size, music by mood, framing); the renderer and the agent switch to it when the
package layout settles. Changes are found by comparing the plan before and after, so every change a
person would notice is said, and nothing is said that did not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from nemo_mcp.local.agent.plan_draft import DraftError, from_draft, to_draft
from nemo_mcp.local.agent.plan_types import (
    DEFAULT_MUSIC_MOOD,
    MAX_DURATION_S,
    MIN_DURATION_S,
    ClipPlan,
    describe_changes,
)
from nemo_mcp.local.agent.terms import MOODS, MUSIC_ANY, MUSIC_UPLOADED, Speed

if TYPE_CHECKING:
    from nemo_mcp.local.agent.understanding import Request
from nemo_mcp.local.records import UploadRecord

GENERATE_COST = 100
EDIT_COST = 50
# Relative edits: how far one "longer", "louder", "bigger" goes.
DURATION_STEP_S = 2.0
VOLUME_STEP = 0.15
MIN_VOLUME, MAX_VOLUME = 0.05, 1.0
TITLE_SCALE_STEP = 1.25
MIN_TITLE_SCALE, MAX_TITLE_SCALE = 0.6, 2.0
_SPEEDS: tuple[Speed, ...] = ("slow", "normal", "fast")


@dataclass(frozen=True)
class Applied:
    """A request applied to a plan: the new plan, what changed (one sentence each) and what could not be done."""

    plan: ClipPlan
    request: Request
    changes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    undone: bool = False  # the plan is the previous one from the history

    @property
    def understood(self) -> bool:
        return self.request.understood

    @property
    def partial(self) -> bool:
        """Understood, but some of it was not understood, cannot be done here, or could not be applied."""
        return self.understood and bool(self.request.cannot or self.request.not_understood or self.problems)


def apply(
    base: ClipPlan, req: Request, *, audio: UploadRecord | None, history: Sequence[ClipPlan]
) -> Applied:
    """`base` changed as `req` asks. `audio`: the session's latest uploaded audio; `history`: earlier plans, oldest first."""
    problems: list[str] = []
    plan, undone = base, False
    if req.undo:
        if history:
            plan, undone = history[-1], True
        else:
            problems.append("There is nothing to undo yet.")
    plan = _duration(plan, req, problems)
    plan = replace(plan, aspect=req.aspect or plan.aspect, resolution=req.resolution or plan.resolution)
    plan = _motion(plan, req, problems)
    plan = _title(plan, req, problems)
    plan = _music(plan, req, audio, problems)
    plan = _volume(plan, req, problems)
    if req.fit is not None or req.background is not None:
        plan = replace(plan, fit=req.fit or plan.fit, background=req.background or plan.background)
    changes = describe_changes(base, plan)
    if undone:
        changes = ["undid the last change: " + "; ".join(changes) if changes else "undid the last change"]
    return Applied(plan, req, tuple(changes), tuple(problems), undone)


def cost(applied: Applied, kind: Literal["generate", "edit"]) -> int:
    """Credits for a turn: in full when all of it was done, half when only part, nothing when nothing was."""
    if not applied.understood or (kind == "edit" and not applied.changes):
        return 0
    full = GENERATE_COST if kind == "generate" else EDIT_COST
    return full // 2 if applied.partial else full


def _duration(plan: ClipPlan, req: Request, problems: list[str]) -> ClipPlan:
    if req.duration_s is not None:
        return replace(plan, duration_s=req.duration_s)
    if req.duration_factor is not None:
        wanted = plan.duration_s * req.duration_factor
    elif req.duration_delta_s is not None:
        wanted = plan.duration_s + req.duration_delta_s
    elif req.duration_change is not None:
        wanted = plan.duration_s + (DURATION_STEP_S if req.duration_change == "longer" else -DURATION_STEP_S)
    else:
        return plan
    duration = round(min(max(wanted, MIN_DURATION_S), MAX_DURATION_S), 2)
    if duration == plan.duration_s:
        bound = "longest" if wanted > plan.duration_s else "shortest"
        problems.append(f"The clip is already {plan.duration_s:g} s, the {bound} I render.")
    elif duration != wanted:
        problems.append(
            f"I render {MIN_DURATION_S:g} to {MAX_DURATION_S:g} s, so the clip is {duration:g} s long."
        )
    return replace(plan, duration_s=duration)


def _motion(plan: ClipPlan, req: Request, problems: list[str]) -> ClipPlan:
    plan = replace(plan, motion=req.motion or plan.motion, motion_speed=req.motion_speed or plan.motion_speed)
    if req.loop is not None:
        plan = replace(plan, loop=req.loop)
    if req.speed_change is not None:
        step = 1 if req.speed_change == "faster" else -1
        index = _SPEEDS.index(plan.motion_speed) + step
        if 0 <= index < len(_SPEEDS):
            plan = replace(plan, motion_speed=_SPEEDS[index])
        else:
            end = "fastest" if step > 0 else "slowest"
            problems.append(f"The camera already moves at its {end} speed.")
    return plan


def _title(plan: ClipPlan, req: Request, problems: list[str]) -> ClipPlan:
    if req.title is not None:
        plan = replace(plan, title=req.title[:100])
    elif req.remove_title:  # no title to remove: already as asked, nothing to say
        # a title added later starts afresh: the draft keeps no place or size for a title it does not have
        plan = replace(plan, title=None, title_position="bottom", title_scale=1.0, title_duration_s=None)
    wants_title_edit = req.title_position or req.title_size_change or req.title_duration_s
    if wants_title_edit and plan.title is None:
        problems.append(
            "There is no title yet: tell me one (in quotes, or after “title:”) and I will place it."
        )
        return plan
    if req.title_position is not None:
        plan = replace(plan, title_position=req.title_position)
    if req.title_duration_s is not None:  # shown from the start for this long; the whole clip if longer
        plan = replace(
            plan, title_duration_s=req.title_duration_s if req.title_duration_s < plan.duration_s else None
        )
    if req.title_size_change is not None:
        factor = TITLE_SCALE_STEP if req.title_size_change == "bigger" else 1 / TITLE_SCALE_STEP
        scale = round(min(max(plan.title_scale * factor, MIN_TITLE_SCALE), MAX_TITLE_SCALE), 3)
        if scale == plan.title_scale:
            problems.append(f"The title is already as {'big' if factor > 1 else 'small'} as I make it.")
        plan = replace(plan, title_scale=scale)
    return plan


def _music(plan: ClipPlan, req: Request, audio: UploadRecord | None, problems: list[str]) -> ClipPlan:
    if req.remove_music:  # no music to remove: already as asked
        return replace(plan, music=None, music_mood=None)
    wanted = req.music
    if wanted is None:
        return plan
    has_music = plan.music is not None or plan.music_mood is not None
    if "music" in req.suggested and plan.music is not None:
        return plan  # a vague wish never replaces music the person uploaded
    if wanted in MOODS:
        return replace(plan, music_mood=wanted, music=None)
    if wanted == MUSIC_ANY:
        # A file the person uploaded beats a bundled track chosen for them; otherwise keep what plays.
        if audio is not None and plan.music is None:
            return replace(plan, music=audio, music_mood=None)
        if has_music:
            return plan
        return replace(plan, music_mood=DEFAULT_MUSIC_MOOD, music=None)
    if audio is None:
        problems.append(
            "I have no audio file from you: upload an mp3, wav, m4a or aac file, or ask for a mood (calm, upbeat, cinematic)."
        )
        return plan
    if wanted != MUSIC_UPLOADED and wanted.lower() not in (
        audio.filename.lower(),
        audio.filename.lower().rsplit(".", 1)[0],
    ):
        problems.append(
            f"I have no audio file named {wanted}; the one you uploaded is {audio.filename}, and I used it."
        )
    return replace(plan, music=audio, music_mood=None)


def _volume(plan: ClipPlan, req: Request, problems: list[str]) -> ClipPlan:
    if req.music_volume is None and req.volume_change is None:
        return plan
    if plan.music is None and plan.music_mood is None:
        problems.append(
            "There is no music to change the volume of: ask for music first (a mood such as calm or upbeat, or upload an audio file)."
        )
        return plan
    if req.music_volume is not None:
        return replace(plan, music_volume=req.music_volume)
    step = VOLUME_STEP if req.volume_change == "louder" else -VOLUME_STEP
    volume = round(min(max(plan.music_volume + step, MIN_VOLUME), MAX_VOLUME), 3)
    if volume == plan.music_volume:
        problems.append(
            f"The music is already at {volume:.0%}, the {'loudest' if step > 0 else 'quietest'} I make it."
        )
    return replace(plan, music_volume=volume)


__all__ = [
    "EDIT_COST",
    "GENERATE_COST",
    "Applied",
    "ClipPlan",
    "DraftError",
    "apply",
    "cost",
    "from_draft",
    "to_draft",
]
