"""The rules that read a clause's settings: camera moves and their speed, loop, duration, format, framing.
Each takes what it recognises (masking it) and records it in the Reading; see rules.py for the rest."""

from __future__ import annotations

import re

from nemo_mcp.local.agent.understanding import formats as f
from nemo_mcp.local.agent.understanding import limits, media, speed
from nemo_mcp.local.agent.understanding import vocabulary as v
from nemo_mcp.local.agent.understanding.common import FILLER_WORDS
from nemo_mcp.local.agent.understanding.reading import Aspect, Motion, Reading, Resolution
from nemo_mcp.local.agent.understanding.text import Clause

CLAUSE_SPAN = 10_000  # positions of the motions read in one clause: index * CLAUSE_SPAN + offset

_SIZES: dict[tuple[int, int], tuple[Aspect, Resolution]] = {
    (1280, 720): ("16:9", "720p"),
    (1920, 1080): ("16:9", "1080p"),
    (720, 1280): ("9:16", "720p"),
    (1080, 1920): ("9:16", "1080p"),
    (720, 720): ("1:1", "720p"),
    (1080, 1080): ("1:1", "1080p"),
    (720, 900): ("4:5", "720p"),
    (1080, 1350): ("4:5", "1080p"),
}
_RATIOS: dict[tuple[int, int], Aspect] = {(16, 9): "16:9", (9, 16): "9:16", (1, 1): "1:1", (4, 5): "4:5"}
# Ratios I do not render, and the one I use instead.
_NEAR_RATIOS: dict[tuple[int, int], Aspect] = {
    (4, 3): "16:9",
    (3, 2): "16:9",
    (21, 9): "16:9",
    (3, 4): "4:5",
    (2, 3): "4:5",
    (5, 4): "1:1",
}


# Most specific first: "instagram portrait" is 4:5 before "portrait" can be 9:16.
_ASPECT_WORDS: tuple[tuple[re.Pattern[str], Aspect], ...] = (
    (f.FOUR_FIVE, "4:5"),
    (f.VERTICAL, "9:16"),
    (f.SQUARE, "1:1"),
    (f.LANDSCAPE, "16:9"),
)
# "zoom out" before "zoom" (which alone means in).
_MOTION_WORDS: tuple[tuple[re.Pattern[str], Motion], ...] = (
    (v.KEN_BURNS, "ken_burns"),
    (v.ZOOM_OUT, "zoom_out"),
    (v.ZOOM_IN, "zoom_in"),
    (v.STATIC, "static"),
)


def read_directions(clause: Clause, r: Reading, position: int) -> None:
    """Camera directions, read before title positions unless the clause speaks of the title."""
    if clause.has(media.TITLE_CONTEXT):
        return
    for table in (v.FROM_TO, v.PAN_DIRECTION):
        for motion, pattern in table.items():
            r.motions += [
                (position + m.start(), motion)
                for m in clause.take_all(pattern)
                if not _refused_move(clause, m)
            ]
    for motion, pattern in v.PAN_TO.items():
        for match in list(pattern.finditer(clause.low)):
            clause.mask(*match.span("verb"))
            clause.mask(match.end("gap"), match.end())
            if not _refused_move(clause, match):
                r.motions.append((position + match.start(), motion))
    for motion, pattern in v.PAN_SIDEWAYS.items():
        r.motions += [
            (position + m.start(), motion) for m in clause.take_all(pattern) if not _refused_move(clause, m)
        ]


def read_duration(clause: Clause, r: Reading) -> None:
    if clause.take(v.TWICE):
        r.duration_factor = 2.0
    elif clause.take(v.HALF_AS_LONG):
        r.duration_factor = 0.5
    for pattern, sign in ((v.ADD_TIME, 1.0), (v.CUT_TIME, -1.0)):
        if (match := clause.take(pattern)) is not None and (amount := _seconds(match.group())) is not None:
            r.duration_delta_s = sign * amount
    longer = clause.take(v.LONGER)
    shorter = None if longer else clause.take(v.SHORTER)
    if longer or shorter:
        r.duration_change = "longer" if longer else "shorter"
        amount_match = v.DURATION.search(clause.low)
        to_amount = amount_match is not None and (
            v.TO_BEFORE.search(clause.low[: amount_match.start()])
            or v.TO_AFTER.match(clause.low, amount_match.end())
        )
        if amount_match is not None and not to_amount:
            clause.mask(amount_match.start(), amount_match.end())
            amount = _seconds(amount_match.group()) or 0.0
            r.duration_delta_s = amount if longer else -amount
    for pattern in (v.DURATION_WORD, v.DURATION):
        for match in clause.take_all(pattern):
            r.durations.append(seconds_of(match))


def _seconds(text: str) -> float | None:
    match = v.DURATION.search(text)
    return None if match is None else seconds_of(match)


def seconds_of(match: re.Match[str]) -> float:
    """The seconds a DURATION-like match names (its `n`, times 60 when the unit is minutes)."""
    value = float(match.group("n"))
    return value * 60 if match.group("min") else value


def read_format(clause: Clause, r: Reading) -> None:
    if (match := clause.take(f.SIZE)) is not None:
        size = (int(match.group("w")), int(match.group("h")))
        if size in _SIZES:
            r.aspect, r.resolution = _SIZES[size]
        else:
            r.say(
                r.notes,
                f"I render 16:9, 9:16, 1:1 and 4:5 at 720p or 1080p; {size[0]}x{size[1]} is not one of them.",
            )
    for match in list(f.RATIO.finditer(clause.low)):
        pair = (int(match.group("a")), int(match.group("b")))
        if pair in _RATIOS or pair in _NEAR_RATIOS:
            clause.mask(match.start(), match.end())
            r.aspect = _RATIOS.get(pair) or _NEAR_RATIOS[pair]
            if pair in _NEAR_RATIOS:
                r.say(
                    r.notes, f"I do not render {pair[0]}:{pair[1]}; the closest format I have is {r.aspect}."
                )
    named: list[tuple[int, Aspect]] = []
    for pattern, aspect in _ASPECT_WORDS:
        named += [(m.start(), aspect) for m in clause.take_all(pattern) if not _negated(clause, m.start())]
    if named:
        r.aspect = max(named)[1]  # "square... no, vertical": the last one named
    platforms = [
        (m.start(), aspect) for aspect, pattern in f.PLATFORMS.items() for m in clause.take_all(pattern)
    ]
    if platforms:
        r.platform_aspect = max(platforms)[1]  # "YouTube Shorts": the last word decides
    if clause.take_all(f.HD):
        r.resolution = "1080p"
    elif clause.take_all(f.SD):
        r.resolution = "720p"
    if clause.take(f.INSTAGRAM):
        r.instagram = True


def read_motion(clause: Clause, r: Reading, position: int) -> None:
    if clause.take(v.NO_ZOOM):
        r.weak_static = True
    named: list[tuple[int, Motion]] = []
    for table in (v.FROM_TO, v.PAN_DIRECTION):
        for motion, pattern in table.items():
            named += [(m.start(), motion) for m in clause.take_all(pattern) if not _refused_move(clause, m)]
    for pattern, motion in _MOTION_WORDS:
        for match in clause.take_all(pattern):
            if _refused_move(clause, match):
                r.weak_static = r.weak_static or motion != "static"
                continue
            named.append((match.start(), motion))
            if motion in ("zoom_in", "zoom_out"):
                _zoom_target(clause, match.end(), r)
    # "Kamerafahrt langsamer", "运镜慢一点": the move that is there, only slower
    about_speed = clause.has(speed.FASTER) or clause.has(speed.SLOWER)
    if not clause.has(media.TITLE_CONTEXT) and clause.take(v.PAN_ONLY) and not named and not about_speed:
        r.bare_pan = True
    r.motions += [(position + start, motion) for start, motion in named]
    if r.bare_pan or any(position <= at < position + CLAUSE_SPAN for at, _ in r.motions):
        clause.take_all(v.PAN_SPAN)  # "from the sky to the beach": what the move passes, not a request


def _negated(clause: Clause, start: int) -> bool:
    """ "not vertical", "don't zoom", "不要竖屏", "instead of a zoom in": the words just before `start` say no."""
    return v.NEGATED.search(clause.original[:start]) is not None


def _refused_move(clause: Clause, match: re.Match[str]) -> bool:
    """A camera move said not to be wanted: negated before it, after a Spanish "no" ("no hacia fuera"), or
    followed by "じゃなくて" ("ズームインじゃなくて")."""
    before = clause.original[: match.start()]
    return (
        _negated(clause, match.start())
        or v.NO_BEFORE_MOVE.search(before) is not None
        or v.NEGATED_AFTER.match(clause.original, match.end()) is not None
    )


def _zoom_target(clause: Clause, end: int, r: Reading) -> None:
    """ "zoom in on the face": the renderer zooms on the centre, and says so unless the centre was asked."""
    target = v.ZOOM_TARGET.match(clause.low, end)
    if target is None or (target.group("what") in FILLER_WORDS and not v.CENTRE.match(target.group("what"))):
        return
    clause.mask(target.start(), target.end())
    if not v.CENTRE.match(target.group("what")):
        r.say(r.cannot, limits.TARGET_SENTENCE)


def read_speed(clause: Clause, r: Reading) -> None:
    if clause.take(speed.FASTER):
        r.speed_change = "faster"
    elif clause.take(speed.SLOWER):
        r.speed_change = "slower"
    if clause.take(speed.NORMAL_SPEED):
        r.motion_speed = "normal"
    elif clause.take_all(speed.SLOW):
        r.motion_speed = "slow"
    elif clause.take_all(speed.FAST):
        r.motion_speed = "fast"
    if clause.take(speed.NO_LOOP):
        r.loop = False
    elif clause.take(speed.LOOP):
        r.loop = True


def read_framing(clause: Clause, r: Reading) -> None:
    if clause.take(f.FIT):
        r.fit = "fit"
    elif clause.take(f.CROP):
        r.fit = "crop"
    for colour, pattern in f.BACKGROUNDS.items():
        if clause.take(pattern):
            r.background = colour
