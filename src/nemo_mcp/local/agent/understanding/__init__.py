"""Read what a person asks of a clip, in English, Chinese (simplified and traditional), Japanese, Spanish,
French, German or Portuguese. Deterministic, no model: normalise the text, cut it into clauses, let each
rule take what it recognises, and report the rest.

    parse('把这张照片做成5秒的竖屏视频，标题“夏天”')
    -> Request(duration_s=5.0, aspect="9:16", title="夏天", intent=True, ...)

What a rule recognises but the local backend cannot do goes to `cannot`; what no rule recognised goes
to `not_understood`, quoted as the person wrote it; vague wishes ("cinematic") become concrete settings,
each said in `choices`. The grammar and the vocabularies are described in docs/understanding.md.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Literal

from nemo_mcp.local.agent.terms import MAX_DURATION_S, MIN_DURATION_S, MOODS, MUSIC_ANY, MUSIC_UPLOADED
from nemo_mcp.local.agent.understanding import rules, settings_rules
from nemo_mcp.local.agent.understanding.language import detect
from nemo_mcp.local.agent.understanding.media import VOLUME_CONTEXT
from nemo_mcp.local.agent.understanding.reading import (
    Aspect,
    Fit,
    Motion,
    Position,
    Reading,
    Resolution,
    Speed,
)
from nemo_mcp.local.agent.understanding.text import Clause, clauses, prepare
from nemo_mcp.local.agent.understanding.typos import correct
from nemo_mcp.local.agent.understanding.wishes import WISHES

_MOTION_WORDS = {
    "zoom_in": "a zoom in",
    "zoom_out": "a zoom out",
    "pan_left": "a pan to the left",
    "pan_right": "a pan to the right",
    "pan_up": "an upward pan",
    "pan_down": "a downward pan",
    "ken_burns": "a Ken Burns move",
    "static": "no camera move",
}


@dataclass(frozen=True)
class Request:
    """What one message asks for. None / False / () mean "not asked"."""

    text: str
    language: str = "en"
    intent: bool = False  # asks to make, animate or turn something into a video at all
    duration_s: float | None = None
    duration_change: Literal["longer", "shorter"] | None = None
    duration_delta_s: float | None = None  # "3 seconds longer" (+3), "cut 2 seconds" (-2)
    duration_factor: float | None = None  # "twice as long" (2), "half as long" (0.5)
    aspect: Aspect | None = None
    resolution: Resolution | None = None
    motion: Motion | None = None
    motion_speed: Speed | None = None
    speed_change: Literal["faster", "slower"] | None = None
    loop: bool | None = None  # True: the move returns to where it began
    title: str | None = None
    remove_title: bool = False
    title_position: Position | None = None
    title_size_change: Literal["bigger", "smaller"] | None = None
    title_duration_s: float | None = None  # "the title only for the first 3 seconds"
    music: str | None = None  # a mood, MUSIC_UPLOADED, MUSIC_ANY or a file name the person named
    remove_music: bool = False
    music_volume: float | None = None  # 0..1
    volume_change: Literal["louder", "quieter"] | None = None
    fit: Fit | None = None
    background: str | None = None  # a colour name ("black"), or "blur"
    undo: bool = False
    low_vram: bool = False
    choices: tuple[str, ...] = ()  # vague wishes and the settings chosen for them, one sentence each
    cannot: tuple[str, ...] = ()  # what the local backend cannot do, one plain sentence each
    not_understood: tuple[str, ...] = ()  # parts nothing recognised, as the person wrote them
    notes: tuple[str, ...] = ()  # adjustments the person should hear about
    suggested: frozenset[str] = frozenset()  # fields set by a vague wish rather than by name

    @property
    def understood(self) -> bool:
        """Something in it can be acted on (a setting, an edit, an undo, or simply "make a video")."""
        return self.intent or self.undo or self.has_settings

    @property
    def has_settings(self) -> bool:
        if self.loop is not None:  # "no loop" asks for something too
            return True
        return any(
            value not in (None, False)
            for value in (
                self.duration_s,
                self.duration_change,
                self.duration_delta_s,
                self.duration_factor,
                self.aspect,
                self.resolution,
                self.motion,
                self.motion_speed,
                self.speed_change,
                self.loop,
                self.title,
                self.remove_title,
                self.title_position,
                self.title_size_change,
                self.title_duration_s,
                self.music,
                self.remove_music,
                self.music_volume,
                self.volume_change,
                self.fit,
                self.background,
            )
        )


def parse(text: str) -> Request:
    """What `text` asks for. Pure and deterministic."""
    prepared = prepare(text)
    reading = Reading(language=detect(text), music_context=bool(VOLUME_CONTEXT.search(prepared.low)))
    for index, clause in enumerate(clauses(prepared)):
        trial = copy.deepcopy(reading)
        _read_clause(clause, trial, index * settings_rules.CLAUSE_SPAN)
        # A word no rule took may be a typo of one that matters ("vertcal"): read the clause again, fixed.
        if (fixed := clause.corrected(correct)) is not None:
            trial = copy.deepcopy(reading)
            _read_clause(fixed, trial, index * settings_rules.CLAUSE_SPAN)
        reading = trial
    return _request(text, reading)


def _read_clause(clause: Clause, reading: Reading, position: int) -> None:
    """Every rule, in order: each takes what it recognises, and the leftover is what nobody understood."""
    rules.read_limits(clause, reading)
    rules.read_title_removal(clause, reading)
    rules.read_title(clause, reading)
    settings_rules.read_directions(clause, reading, position)
    rules.read_title_edits(clause, reading)
    rules.read_music(clause, reading)
    settings_rules.read_duration(clause, reading)
    settings_rules.read_format(clause, reading)
    settings_rules.read_motion(clause, reading, position)
    settings_rules.read_speed(clause, reading)
    settings_rules.read_framing(clause, reading)
    rules.read_wishes(clause, reading)
    rules.read_leftover(clause, reading)
    rules.finish_clause(clause, reading)


def _request(text: str, r: Reading) -> Request:
    motion = _motion(r)
    duration = _duration(r)
    if r.aspect is None:
        r.aspect = r.platform_aspect
    if r.instagram and r.aspect is None:
        r.aspect = "1:1"
        r.say(
            r.choices,
            "Instagram: a square 1:1 clip (say 4:5, or story/reel for 9:16, if you want another format).",
        )
    if r.background is not None and r.fit is None:
        r.fit = "fit"
    motion, speed, music = _wishes(r, motion)
    return Request(
        text=text,
        language=r.language,
        intent=r.intent,
        duration_s=duration,
        duration_change=r.duration_change,
        duration_delta_s=r.duration_delta_s,
        duration_factor=r.duration_factor,
        aspect=r.aspect,
        resolution=r.resolution,
        motion=motion,
        motion_speed=speed,
        speed_change=r.speed_change,
        loop=r.loop,
        title=r.title,
        remove_title=r.remove_title and r.title is None,
        title_position=r.title_position,
        title_size_change=r.title_size_change,
        title_duration_s=r.title_duration_s,
        music=None if r.remove_music else music,
        remove_music=r.remove_music,
        music_volume=r.music_volume,
        volume_change=r.volume_change,
        fit=r.fit,
        background=r.background,
        undo=r.undo,
        low_vram=r.low_vram,
        choices=tuple(r.choices),
        cannot=tuple(r.cannot),
        not_understood=tuple(r.not_understood),
        notes=tuple(r.notes),
        suggested=frozenset(r.suggested),
    )


def _motion(r: Reading) -> Motion | None:
    if r.motions:
        distinct = {m for _, m in r.motions}
        chosen = max(r.motions)[1]
        if len(distinct) > 1:
            r.say(
                r.notes,
                f"A clip has one camera move; I used the last one you named: {_MOTION_WORDS[chosen]}.",
            )
        return chosen
    if r.weak_static:
        return "static"
    if r.bare_pan:
        r.say(
            r.choices,
            "pan: from the left of the picture to the right (say right to left if you want the other way).",
        )
        return "pan_right"
    return None


def _duration(r: Reading) -> float | None:
    if not r.durations:
        return None
    asked = r.durations[-1]
    if len(set(r.durations)) > 1:
        r.say(r.notes, f"You named several durations; I used the last one, {asked:g} s.")
    clamped = min(max(asked, MIN_DURATION_S), MAX_DURATION_S)
    if asked > MAX_DURATION_S:
        r.say(
            r.cannot,
            f"I render at most {MAX_DURATION_S:g} s, so the clip is {clamped:g} s long (you asked for {asked:g} s).",
        )
    elif asked < MIN_DURATION_S:
        r.say(
            r.cannot,
            f"I render at least {MIN_DURATION_S:g} s, so the clip is {clamped:g} s long (you asked for {asked:g} s).",
        )
    return clamped


def _wishes(r: Reading, motion: Motion | None) -> tuple[Motion | None, Speed | None, str | None]:
    """Vague wishes fill what the person did not name; the choice is said back."""
    speed, music = r.motion_speed, r.music
    for name, _pattern, wish_motion, wish_speed, wish_music in WISHES:
        if name not in r.wishes:
            continue
        chosen: list[str] = []
        if wish_motion and motion is None and r.speed_change is None:
            motion = wish_motion
            r.suggested.add("motion")
            chosen.append(_MOTION_WORDS[wish_motion])
        if wish_speed and speed is None and r.speed_change is None:
            speed = wish_speed
            r.suggested.add("motion_speed")
            chosen.append(f"a {wish_speed} camera speed")
        # "music with energy": music named without a mood takes the wish's mood
        if wish_music and music in (None, MUSIC_ANY) and not r.remove_music:
            music = wish_music
            r.suggested.add("music")
            chosen.append(f"{wish_music} music")
        said = ", ".join(chosen) if chosen else "the settings you named already cover it"
        r.say(r.choices, f"{name}: {said}.")
    return motion, speed, music


__all__ = [
    "MAX_DURATION_S",
    "MIN_DURATION_S",
    "MOODS",
    "MUSIC_ANY",
    "MUSIC_UPLOADED",
    "Aspect",
    "Motion",
    "Position",
    "Request",
    "Speed",
    "parse",
]
