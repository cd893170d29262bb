"""The rules that read one clause, in order. Each takes what it recognises (masking it, so no later rule
reads it again) and records its meaning in the Reading; what no rule takes is what nobody understood."""

from __future__ import annotations

import re

from nemo_mcp.local.understanding import common, limits, media, wishes
from nemo_mcp.local.understanding import vocabulary as v
from nemo_mcp.local.understanding.common import CJK_FILLER, FILLER_WORDS
from nemo_mcp.local.understanding.reading import Aspect, Motion, Reading, Resolution
from nemo_mcp.local.understanding.text import QUOTE_BASE, QUOTE_CHAR, Clause, quoted

_QUOTE = re.compile(QUOTE_CHAR)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_LATIN_TOKEN = re.compile(r"[a-zß]+(?:'[a-z]+)?|\d+(?:\.\d+)?")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\u30fc]+")
_CONTENT_CJK = re.compile(r"[\u3400-\u9fff\u30a0-\u30ff]")
_TRAILING_JOINERS = re.compile(
    r"(?:\s+(?:with|and|in|at|on|the|a|con|avec|mit|com|en|de|y|et|und|e|im|am|a|la|le|el|o|para|pour|fur|for))+\s*$"
)
_TITLE_STOPS: tuple[re.Pattern[str], ...] = (
    v.DURATION,
    v.RATIO,
    v.SIZE,
    v.VERTICAL,
    v.SQUARE,
    v.LANDSCAPE,
    v.HD,
    v.KEN_BURNS,
    v.ZOOM_OUT,
    v.ZOOM_IN,
    v.STATIC,
    v.FASTER,
    v.SLOWER,
    v.SLOW,
    v.FAST,
    v.LOOP,
    v.FIT,
    v.CROP,
    media.PERCENT,
    media.BIGGER,
    media.SMALLER,
    media.REMOVE_MUSIC,
    media.UPLOADED,
    common.UNDO,
    *v.FROM_TO.values(),
    *v.PAN_DIRECTION.values(),
    *media.TITLE_SIDE.values(),
    *media.MUSIC_MOOD.values(),
)
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
    (v.FOUR_FIVE, "4:5"),
    (v.VERTICAL, "9:16"),
    (v.SQUARE, "1:1"),
    (v.LANDSCAPE, "16:9"),
)
# "zoom out" before "zoom" (which alone means in).
_MOTION_WORDS: tuple[tuple[re.Pattern[str], Motion], ...] = (
    (v.KEN_BURNS, "ken_burns"),
    (v.ZOOM_OUT, "zoom_out"),
    (v.ZOOM_IN, "zoom_in"),
    (v.STATIC, "static"),
)


def read_limits(clause: Clause, r: Reading) -> None:
    for sentence, pattern in limits.CANNOT:
        if clause.take_all(pattern):
            r.say(r.cannot, sentence)
            if sentence == limits.VOICE_SENTENCE:
                clause.flags.add("voice")
    if limits.WANTS_BIGGER.search(clause.original) and r.resolution is None:
        r.resolution = "1080p"
    if clause.take(common.LOW_VRAM):
        r.low_vram = True
    if clause.take(common.UNDO):
        r.undo = True


def read_title(clause: Clause, r: Reading) -> None:
    """A title in quotes next to a title word, or the words after a title marker up to the next setting."""
    if "voice" in clause.flags:
        return
    if (match := media.FILE_NAME.search(clause.low)) is not None:
        r.music = clause.cased[match.start() : match.end()].strip()
        clause.mask(match.start(), match.end())
    quote = _QUOTE.search(clause.low)
    if quote is not None and _quote_is_title(clause, quote.start()):
        text = clause.quotes[ord(quote.group()) - QUOTE_BASE]
        if media.FILE_NAME.fullmatch(text.lower()):
            r.music = text
        else:
            r.title = text
        clause.mask(quote.start(), quote.end())
        clause.take(media.TITLE_MARKER)
        return
    marker = media.TITLE_MARKER.search(clause.low)
    if marker is None or quote is not None:
        return
    span = _unquoted_title(clause, marker.end())
    colon = clause.low.find(":", marker.end())
    if span is None and colon >= 0:  # "Titel oben: Willkommen": the title follows the colon
        span = _unquoted_title(clause, colon + 1)
    if span is not None:
        r.title = clause.cased[span[0] : span[1]].strip()
        clause.mask(marker.start(), marker.end())
        clause.mask(*span)


def _quote_is_title(clause: Clause, start: int) -> bool:
    """A quote is the title next to a title word, a place for it ("at the top") or a verb that puts text on."""
    if clause.has(media.TITLE_MARKER) or clause.has(media.TITLE_CONTEXT):
        return True
    if any(clause.has(side) for side in media.TITLE_SIDE.values()):
        return True
    return media.TITLE_VERB.search(clause.original[:start]) is not None


def _unquoted_title(clause: Clause, start: int) -> tuple[int, int] | None:
    """Where an unquoted title after a marker starts and ends, or None when only settings follow it."""
    lead = media.TITLE_LEAD.match(clause.low, start)
    begin = lead.end() if lead else start
    rest = clause.low[begin:]
    end = len(rest)
    for pattern in _TITLE_STOPS:
        if (stop := pattern.search(rest)) is not None and stop.start() < end:
            end = stop.start()
    end = min(end, rest.find("\0") if "\0" in rest else end)
    if rest[:1] and _CJK.match(rest[:1]) and (space := re.search(r"\s", rest[:end])):
        end = space.start()
    text = rest[:end]
    for pattern in (_TRAILING_JOINERS, media.TITLE_TAIL):
        if (tail := pattern.search(text)) is not None:
            text = text[: tail.start()]
    if not text.strip() or _is_filler(text) or media.TITLE_NOT_START.match(text.lstrip()):
        return None
    return begin + (len(text) - len(text.lstrip())), begin + len(text.rstrip())


def _is_filler(text: str) -> bool:
    tokens = _LATIN_TOKEN.findall(text)
    if any(t not in FILLER_WORDS for t in tokens):
        return False
    return all(not _CONTENT_CJK.search(_strip_cjk_filler(run)) for run in _CJK_RUN.findall(text))


def read_title_removal(clause: Clause, r: Reading) -> None:
    """Before titles are read: "remove the title" / "タイトルを消して" has no title in it."""
    if clause.take(media.REMOVE_TITLE) or (r.previous_removal and clause.take(media.BARE_TITLE)):
        r.remove_title = True
    if r.previous_removal and clause.take(media.BARE_MUSIC):
        r.remove_music = True


def read_directions(clause: Clause, r: Reading, position: int) -> None:
    """Camera directions, read before title positions unless the clause speaks of the title."""
    if clause.has(media.TITLE_CONTEXT):
        return
    for table in (v.FROM_TO, v.PAN_DIRECTION):
        for motion, pattern in table.items():
            r.motions += [(position + m.start(), motion) for m in clause.take_all(pattern)]
    for motion, pattern in v.PAN_TO.items():
        for match in list(pattern.finditer(clause.low)):
            clause.mask(*match.span("verb"))
            clause.mask(match.end("gap"), match.end())
            if not _negated(clause, match.start()):
                r.motions.append((position + match.start(), motion))


def read_title_edits(clause: Clause, r: Reading) -> None:
    about_title = clause.has(media.TITLE_CONTEXT) or r.previous_title_context
    # "at the top" with nothing about the camera in the clause: only the title has a place to be.
    about_other = clause.has(v.MOTION_CONTEXT) or clause.has(media.VOLUME_CONTEXT) or r.previous_music_context
    if not about_title and about_other:
        return
    for side, pattern in media.TITLE_SIDE.items():
        if clause.take(pattern):
            r.title_position = side
    if not about_title:
        return
    if (match := clause.take(media.TITLE_DURATION)) is not None:
        r.title_duration_s = _amount(match)
    if clause.take(media.BIGGER):
        r.title_size_change = "bigger"
    elif clause.take(media.SMALLER):
        r.title_size_change = "smaller"


def read_music(clause: Clause, r: Reading) -> None:
    if clause.take(media.REMOVE_MUSIC):
        r.remove_music = True
        clause.take_all(media.MUSIC)
    if clause.take(media.UPLOADED):
        r.music = r.music or "uploaded"
    for mood, pattern in media.MUSIC_MOOD.items():
        if clause.take(pattern):
            r.music = mood
    _read_volume(clause, r)
    if clause.take_all(media.MUSIC) and r.music is None and not r.remove_music:
        r.music = "any"


def _read_volume(clause: Clause, r: Reading) -> None:
    context = clause.has(media.VOLUME_CONTEXT) or r.music_context
    if context and (match := clause.take(media.PERCENT) or clause.take(media.VOLUME_NUMBER)):
        _set_volume(r, float(match.group("n")) / 100)
    elif match := clause.take(media.VOLUME_FRACTION):
        _set_volume(r, float(match.group("n")))
    elif clause.take(media.HALF_VOLUME):
        _set_volume(r, 0.5)
    elif clause.take(media.FULL_VOLUME):
        _set_volume(r, 1.0)
    elif clause.take(media.LOW_VOLUME):
        _set_volume(r, 0.2)
    near_music = (clause.has(media.VOLUME_CONTEXT) or r.previous_music_context) and not clause.has(
        media.TITLE_CONTEXT
    )
    if clause.take(media.LOUDER) or (near_music and clause.take(media.LOUDER_NEAR_MUSIC)):
        r.volume_change = "louder"
    elif clause.take(media.QUIETER) or (near_music and clause.take(media.QUIETER_NEAR_MUSIC)):
        r.volume_change = "quieter"
    else:
        return
    clause.take_all(media.VOLUME_CONTEXT)  # "turn the music down": the music is what changes, not added


def _set_volume(r: Reading, volume: float) -> None:
    if volume <= 0:  # "music at 0%": no music
        r.remove_music = True
        return
    clamped = min(max(volume, 0.05), 1.0)
    if clamped != volume:
        r.say(r.notes, f"Music volume can be 5% to 100%; I used {clamped:.0%}.")
    r.music_volume = clamped


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
            r.durations.append(_amount(match))


def _seconds(text: str) -> float | None:
    match = v.DURATION.search(text)
    return None if match is None else _amount(match)


def _amount(match: re.Match[str]) -> float:
    value = float(match.group("n"))
    return value * 60 if match.group("min") else value


def read_format(clause: Clause, r: Reading) -> None:
    if (match := clause.take(v.SIZE)) is not None:
        size = (int(match.group("w")), int(match.group("h")))
        if size in _SIZES:
            r.aspect, r.resolution = _SIZES[size]
        else:
            r.say(
                r.notes,
                f"I render 16:9, 9:16, 1:1 and 4:5 at 720p or 1080p; {size[0]}x{size[1]} is not one of them.",
            )
    for match in list(v.RATIO.finditer(clause.low)):
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
        (m.start(), aspect) for aspect, pattern in v.PLATFORMS.items() for m in clause.take_all(pattern)
    ]
    if platforms:
        r.platform_aspect = max(platforms)[1]  # "YouTube Shorts": the last word decides
    if clause.take_all(v.HD):
        r.resolution = "1080p"
    elif clause.take_all(v.SD):
        r.resolution = "720p"
    if clause.take(v.INSTAGRAM):
        r.instagram = True


def read_motion(clause: Clause, r: Reading, position: int) -> None:
    if clause.take(v.NO_ZOOM):
        r.weak_static = True
    named: list[tuple[int, Motion]] = []
    for table in (v.FROM_TO, v.PAN_DIRECTION):
        for motion, pattern in table.items():
            named += [
                (m.start(), motion) for m in clause.take_all(pattern) if not _negated(clause, m.start())
            ]
    for pattern, motion in _MOTION_WORDS:
        for match in clause.take_all(pattern):
            if _negated(clause, match.start()):
                r.weak_static = r.weak_static or motion != "static"
                continue
            named.append((match.start(), motion))
            if motion in ("zoom_in", "zoom_out"):
                _zoom_target(clause, match.end(), r)
    if not clause.has(media.TITLE_CONTEXT) and clause.take(v.PAN_ONLY) and not named:
        r.bare_pan = True
    r.motions += [(position + start, motion) for start, motion in named]


def _negated(clause: Clause, start: int) -> bool:
    """ "not vertical", "don't zoom", "不要竖屏": the words just before `start` say no."""
    return v.NEGATED.search(clause.original[:start]) is not None


def _zoom_target(clause: Clause, end: int, r: Reading) -> None:
    """ "zoom in on the face": the renderer zooms on the centre, and says so unless the centre was asked."""
    target = v.ZOOM_TARGET.match(clause.low, end)
    if target is None or (target.group("what") in FILLER_WORDS and not v.CENTRE.match(target.group("what"))):
        return
    clause.mask(target.start(), target.end())
    if not v.CENTRE.match(target.group("what")):
        r.say(r.cannot, limits.TARGET_SENTENCE)


def finish_clause(clause: Clause, r: Reading) -> None:
    """What the next clause may refer back to."""
    r.previous_title_context = clause.has(media.TITLE_CONTEXT)
    r.previous_music_context = clause.has(media.VOLUME_CONTEXT)
    r.previous_removal = "yes" if clause.has(media.REMOVE_TITLE) or clause.has(media.REMOVE_MUSIC) else None


def read_speed(clause: Clause, r: Reading) -> None:
    if clause.take(v.FASTER):
        r.speed_change = "faster"
    elif clause.take(v.SLOWER):
        r.speed_change = "slower"
    if clause.take(v.NORMAL_SPEED):
        r.motion_speed = "normal"
    elif clause.take_all(v.SLOW):
        r.motion_speed = "slow"
    elif clause.take_all(v.FAST):
        r.motion_speed = "fast"
    if clause.take(v.NO_LOOP):
        r.loop = False
    elif clause.take(v.LOOP):
        r.loop = True


def read_framing(clause: Clause, r: Reading) -> None:
    if clause.take(v.FIT):
        r.fit = "fit"
    elif clause.take(v.CROP):
        r.fit = "crop"
    for colour, pattern in v.BACKGROUNDS.items():
        if clause.take(pattern):
            r.background = colour


def read_wishes(clause: Clause, r: Reading) -> None:
    for name, pattern, *_rest in wishes.WISHES:
        if clause.take(pattern) and name not in r.wishes:
            r.wishes.append(name)
    # "how long can the video be?" asks a question, not for a video
    if clause.take_all(common.INTENT) and not common.QUESTION.match(clause.original):
        r.intent = True


def read_leftover(clause: Clause, r: Reading) -> None:
    """Quote back each part of the clause that no rule took and that is more than politeness or grammar."""
    clause.take_all(media.TITLE_CONTEXT)  # "the title", "音量": what a rule changed, not a request of its own
    clause.take_all(media.VOLUME_CONTEXT)
    clause.take_all(common.PHOTO_OF)
    spans = [m.span() for m in _LATIN_TOKEN.finditer(clause.low) if _content(m.group())]
    for match in _CJK_RUN.finditer(clause.low):
        rest = _strip_cjk_filler(match.group())
        if len(_CONTENT_CJK.findall(rest)) >= 2:
            spans.append(match.span())
    spans += [m.span() for m in _QUOTE.finditer(clause.low)]
    for start, end in _fragments(sorted(spans), clause.low):
        r.say(r.not_understood, quoted(clause.cased[start:end].strip(), clause.quotes))


def _content(token: str) -> bool:
    """A word that carries a request: not filler, not one letter, and not a filler with "'s" ("that's")."""
    return len(token) > 1 and token not in FILLER_WORDS and token.split("'")[0] not in FILLER_WORDS


def _fragments(spans: list[tuple[int, int]], low: str) -> list[tuple[int, int]]:
    """Neighbouring spans joined into one fragment, unless something a rule took lies between them."""
    fragments: list[tuple[int, int]] = []
    for start, end in spans:
        if fragments and "\0" not in low[fragments[-1][1] : start]:
            fragments[-1] = (fragments[-1][0], end)
        else:
            fragments.append((start, end))
    return fragments


def _strip_cjk_filler(run: str) -> str:
    for word in CJK_FILLER:
        run = run.replace(word, "")
    return run


__all__ = [
    "read_duration",
    "read_format",
    "read_framing",
    "read_leftover",
    "read_limits",
    "read_motion",
    "read_music",
    "read_speed",
    "read_title",
    "read_title_edits",
    "read_title_removal",
    "read_wishes",
]
