"""From a plan to what the renderer needs: the render spec, the cache key, and the timeline in words."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from nemo_mcp.local.agent.plan_types import FPS, MOTION_WORDS, ClipPlan, music_name
from nemo_mcp.local.render.spec import ClipSpec

# Part of every cache key: bump when the renderer's output for the same plan changes (2: subject-aware
# framing, titles in every script, mood music, shimmer-free prescale).
RENDER_CACHE_VERSION = 2
# How far the camera travels against the normal move (the renderer's `motion_speed`).
SPEED_FACTORS = {"slow": 0.6, "normal": 1.0, "fast": 1.6}


def to_spec(plan: ClipPlan, upload_dir: Path) -> ClipSpec:
    return ClipSpec(
        image=upload_dir / plan.image.stored_name,
        duration_s=plan.duration_s,
        width=plan.width,
        height=plan.height,
        fps=FPS,
        motion=plan.motion,
        motion_speed=SPEED_FACTORS[plan.motion_speed],
        loop=plan.loop,
        title=plan.title,
        title_duration_s=plan.title_duration_s,
        title_position=plan.title_position,
        title_scale=plan.title_scale,
        music=upload_dir / plan.music.stored_name if plan.music else None,
        music_mood=plan.music_mood,
        music_volume=plan.music_volume,
        fit=plan.fit,
        background=plan.background,
    )


def clip_key(plan: ClipPlan) -> str:
    """Names the rendered file: equal plans share one render."""
    fields = {
        "v": RENDER_CACHE_VERSION,
        "image": plan.image.sha256,
        "d": round(plan.duration_s, 3),
        "size": [plan.width, plan.height],
        "motion": [plan.motion, plan.motion_speed, plan.loop],
        "title": [plan.title, plan.title_position, round(plan.title_scale, 3), plan.title_duration_s],
        "music": [plan.music.sha256 if plan.music else None, plan.music_mood, round(plan.music_volume, 3)],
        "framing": [plan.fit, plan.background],
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:32]


def summary(plan: ClipPlan) -> str:
    """The timeline as a person reads it."""
    end = f"{plan.duration_s:g}s"
    speed = "" if plan.motion_speed == "normal" else f" ({plan.motion_speed})"
    items = [
        f"Video: {plan.image.filename} (0-{end}, {MOTION_WORDS[plan.motion]}{speed}{', looping' if plan.loop else ''}, "
        f"{plan.width}x{plan.height})"
    ]
    music = music_name(plan)
    if music is not None:
        items.append(f"BGM: {music} (0-{end}, {plan.music_volume:.0%})")
    if plan.title is not None:
        shown = plan.duration_s if plan.title_duration_s is None else plan.title_duration_s
        items.append(f'Title: "{plan.title}" (0-{shown:g}s, {plan.title_position})')
    listed = " ".join(f"{i}. {item}" for i, item in enumerate(items, 1))
    return f"Timeline ({len(items)} track{'s' if len(items) > 1 else ''}): {listed}"
