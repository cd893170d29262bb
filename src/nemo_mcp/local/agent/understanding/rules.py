"""The rules that read one clause, in order. Each takes what it recognises (masking it, so no later rule
reads it again) and records its meaning in the Reading; what no rule takes is what nobody understood."""

from __future__ import annotations

import re

from nemo_mcp.local.agent.understanding import common, limits, media, speed, volume, wishes
from nemo_mcp.local.agent.understanding import formats as f
from nemo_mcp.local.agent.understanding import vocabulary as v
from nemo_mcp.local.agent.understanding.common import CJK_FILLER, FILLER_WORDS
from nemo_mcp.local.agent.understanding.reading import Reading
from nemo_mcp.local.agent.understanding.settings_rules import seconds_of
from nemo_mcp.local.agent.understanding.text import QUOTE_BASE, QUOTE_CHAR, Clause, quoted

_QUOTE = re.compile(QUOTE_CHAR)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_LATIN_TOKEN = re.compile(r"[a-zß]+(?:'[a-z]+)?|\d+(?:\.\d+)?")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\u30fc]+")
_CONTENT_CJK = re.compile(r"[\u3400-\u9fff\u30a0-\u30ff]")
_TRAILING_JOINERS = re.compile(
    r"(?:\s+(?:with|and|in|at|on|the|a|con|avec|mit|com|en|de|y|et|und|e|im|am|a|la|le|el|o|para|pour|fur|for))+\s*$"
)
_ELIDED = frozenset(["c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu"])
_PHOTO_ENDINGS = ("foto", "fotos", "bild", "bilder", "photo", "photos", "aufnahme")
_TITLE_STOPS: tuple[re.Pattern[str], ...] = (
    v.DURATION,
    f.RATIO,
    f.SIZE,
    f.VERTICAL,
    f.SQUARE,
    f.LANDSCAPE,
    f.HD,
    v.KEN_BURNS,
    v.ZOOM_OUT,
    v.ZOOM_IN,
    v.STATIC,
    speed.FASTER,
    speed.SLOWER,
    speed.SLOW,
    speed.FAST,
    speed.LOOP,
    f.FIT,
    f.CROP,
    volume.PERCENT,
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


def read_limits(clause: Clause, r: Reading) -> None:
    for sentence, pattern in limits.CANNOT:
        if clause.take_all(pattern):
            r.say(r.cannot, sentence)
            if sentence == limits.VOICE_SENTENCE:
                clause.flags.add("voice")
    if (pair := _living_and_action(clause)) is not None:
        r.say(r.cannot, limits.MOVE_SENTENCE)
        for span in pair:
            clause.mask(*span)
    if limits.WANTS_BIGGER.search(clause.original) and r.resolution is None:
        r.resolution = "1080p"
    if clause.take(common.LOW_VRAM):
        r.low_vram = True
    if clause.take_all(common.UNDO):  # "撤回上一步": every undo word, not only the first
        r.undo = True


def _living_and_action(clause: Clause) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Something alive or natural and, in other words of the same clause, something it would do."""
    for living in limits.LIVING.finditer(clause.original):
        for action in limits.ACTION.finditer(clause.original):
            if action.end() <= living.start() or living.end() <= action.start():  # "waves" is not both
                return living.span(), action.span()
    return None


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
        clause.flags.add("title")
        return
    marker = media.TITLE_MARKER.search(clause.low)
    if marker is None or quote is not None:
        return
    start = marker.end()
    while (
        chained := media.TITLE_MARKER.match(clause.low, start + 1)
    ) is not None and chained.end() > start + 1:
        start = (
            chained.end()
        )  # "título escrito X", "title saying X": the last marker is where the title starts
    colon = clause.low.find(":", start)
    near = colon >= 0 and len(clause.low[start:colon].split()) <= 2
    # "Titel oben: Willkommen", "füge einen Titel hinzu: Frohe Feiertage": the title follows a colon close by
    span = _unquoted_title(clause, colon + 1) if near else _unquoted_title(clause, start)
    if span is None and colon >= 0:
        span = _unquoted_title(clause, colon + 1)
    if span is not None:
        r.title = clause.cased[span[0] : span[1]].strip()
        clause.flags.add("title")
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
    led = clause.low[start:begin].strip() or clause.low[start - 1 : start] == ":"
    if not led and media.TITLE_NOT_START_CJK.match(text.lstrip()):
        return None
    return begin + (len(text) - len(text.lstrip())), begin + len(text.rstrip())


def _is_filler(text: str) -> bool:
    """Only words about the title itself ("font", "size", "it"): no title in them. "Te quiero" is one."""
    tokens = _LATIN_TOKEN.findall(text)
    if any(t not in media.NOT_A_TITLE for t in tokens):
        return False
    return all(not _CONTENT_CJK.search(_strip_cjk_filler(run)) for run in _CJK_RUN.findall(text))


def read_title_removal(clause: Clause, r: Reading) -> None:
    """Before titles are read: "remove the title" / "タイトルを消して" has no title in it."""
    if clause.take(media.REMOVE_TITLE) or (r.previous_removal and clause.take(media.BARE_TITLE)):
        r.remove_title = True
    if r.previous_removal and clause.take(media.BARE_MUSIC):
        r.remove_music = True


def read_title_edits(clause: Clause, r: Reading) -> None:
    about_title = clause.has(media.TITLE_CONTEXT) or r.previous_title_context or "title" in clause.flags
    # "at the top" with nothing about the camera in the clause: only the title has a place to be.
    about_other = clause.has(v.MOTION_CONTEXT) or clause.has(media.VOLUME_CONTEXT) or r.previous_music_context
    if not about_title and about_other:
        return
    for side, pattern in media.TITLE_SIDE.items():
        if clause.take(pattern):
            r.title_position = side
    if not about_title:
        return
    for side, pattern in media.TITLE_MOVE.items():
        if clause.take(pattern):
            r.title_position = side
    if (match := clause.take(media.TITLE_DURATION)) is not None:
        r.title_duration_s = seconds_of(match)
    if clause.take(media.BIGGER):
        r.title_size_change = "bigger"
    elif clause.take(media.SMALLER):
        r.title_size_change = "smaller"


def read_music(clause: Clause, r: Reading) -> None:
    if clause.take(media.REMOVE_MUSIC):
        r.remove_music = True
        clause.take_all(media.MUSIC)
    if clause.take(media.UPLOADED) or (r.music_context and clause.take(media.UPLOAD_VERB)):
        r.music = "uploaded" if r.music in (None, "any") else r.music  # the file, more precise than "music"
    for mood, pattern in media.MUSIC_MOOD.items():
        if clause.take(pattern):
            r.music = mood
    _read_volume(clause, r)
    if clause.take_all(media.MUSIC) and r.music is None and not r.remove_music:
        r.music = "any"


def _read_volume(clause: Clause, r: Reading) -> None:
    context = clause.has(media.VOLUME_CONTEXT) or r.music_context
    if context and (match := clause.take(volume.PERCENT) or clause.take(volume.VOLUME_NUMBER)):
        _set_volume(r, float(match.group("n")) / 100)
    elif match := clause.take(volume.VOLUME_FRACTION):
        _set_volume(r, float(match.group("n")))
    elif clause.take(volume.HALF_VOLUME):
        _set_volume(r, 0.5)
    elif clause.take(volume.FULL_VOLUME):
        _set_volume(r, 1.0)
    elif clause.take(volume.LOW_VOLUME):
        _set_volume(r, 0.2)
    near_music = (clause.has(media.VOLUME_CONTEXT) or r.previous_music_context) and not clause.has(
        media.TITLE_CONTEXT
    )
    if clause.take(volume.LOUDER) or (near_music and clause.take(volume.LOUDER_NEAR_MUSIC)):
        r.volume_change = "louder"
    elif clause.take(volume.QUIETER) or (near_music and clause.take(volume.QUIETER_NEAR_MUSIC)):
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


def finish_clause(clause: Clause, r: Reading) -> None:
    """What the next clause may refer back to."""
    r.previous_title_context = clause.has(media.TITLE_CONTEXT)
    r.previous_music_context = clause.has(media.VOLUME_CONTEXT)
    r.previous_removal = "yes" if clause.has(media.REMOVE_TITLE) or clause.has(media.REMOVE_MUSIC) else None


def read_wishes(clause: Clause, r: Reading) -> None:
    for name, pattern, *_rest in wishes.WISHES:
        if clause.take(pattern) and name not in r.wishes:
            r.wishes.append(name)
    # "how long can the video be?" asks a question, not for a video
    if clause.take_all(common.INTENT) and not common.QUESTION.match(clause.original):
        r.intent = True


def read_leftover(clause: Clause, r: Reading) -> None:
    """Quote back each part of the clause that no rule took and that is more than politeness or grammar.

    One unfamiliar word in a clause that was otherwise understood ("my *wedding* photo", "que la cámara
    *vaya* más lenta") is not a request of its own: it is not reported, so it does not halve the price. A
    clause nothing understood, or a fragment of several words, is.
    """
    understood = "\0" in clause.low
    clause.take_all(media.TITLE_CONTEXT)  # "the title", "音量": what a rule changed, not a request of its own
    clause.take_all(media.VOLUME_CONTEXT)
    for match in common.PHOTO_OF.finditer(clause.original):  # "a video of my grandma": read even when
        clause.mask(*match.span())  # a rule took its "video"
    spans = [m.span() for m in _LATIN_TOKEN.finditer(clause.low) if _content(m.group())]
    for match in _CJK_RUN.finditer(clause.low):
        rest = _strip_cjk_filler(match.group())
        if len(_CONTENT_CJK.findall(rest)) >= 2:
            spans.append(match.span())
    spans += [m.span() for m in _QUOTE.finditer(clause.low)]
    fragments = _fragments(sorted(spans), clause.low)
    if understood and len(fragments) == 1 and _one_word(clause.low[slice(*fragments[0])]):
        return
    for start, end in fragments:
        r.say(r.not_understood, quoted(clause.cased[start:end].strip(), clause.quotes))


def _one_word(text: str) -> bool:
    return bool(_LATIN_TOKEN.fullmatch(text.strip()))


def _content(token: str) -> bool:
    """A word that carries a request: not filler, not one letter, not a filler with "'s" ("that's"), and
    not a filler after a French elision ("c'est", "l'image", "qu'il")."""
    if token.endswith(_PHOTO_ENDINGS):  # "Hochzeitsfoto", "Urlaubsbild": a photo, described
        return False
    before, _, after = token.partition("'")
    if before in _ELIDED and after in FILLER_WORDS:
        return False
    return len(token) > 2 and token not in FILLER_WORDS and before not in FILLER_WORDS


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
