"""Numbers written as words, in every language the parser reads, turned into digits.

A number word is only read as a number when a unit follows it ("eight seconds", "ocho segundos", "十秒",
"thirty percent"): "un", "one", "dos" (Portuguese "of the") and "一点" ("a little") are too common as
other words to be numbers on their own. Compounds are read the way each language builds them: "twenty
five", "twenty-five", "veinticinco", "treinta y cinco", "vingt-cinq", "vingt et un", "fünfundzwanzig",
"vinte e cinco", "二十五".
"""

from __future__ import annotations

import re


def _split(text: str) -> list[str]:
    return text.split()


# 0 to 19 in each language, in order.
_UNITS_EN = _split(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen"
)
_UNITS_ES = _split(
    "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciseis diecisiete "
    "dieciocho diecinueve"
)
_UNITS_FR = _split(
    "zero un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize dix-sept dix-huit "
    "dix-neuf"
)
_UNITS_DE = _split(
    "null eins zwei drei vier funf sechs sieben acht neun zehn elf zwolf dreizehn vierzehn funfzehn sechzehn siebzehn "
    "achtzehn neunzehn"
)
_UNITS_PT = _split(
    "zero um dois tres quatro cinco seis sete oito nove dez onze doze treze catorze quinze dezesseis dezessete dezoito "
    "dezenove"
)
_TENS = {
    "en": ("twenty", "thirty", "forty", "fifty", "sixty"),
    "es": ("veinte", "treinta", "cuarenta", "cincuenta", "sesenta"),
    "fr": ("vingt", "trente", "quarante", "cinquante", "soixante"),
    "de": ("zwanzig", "dreissig", "vierzig", "funfzig", "sechzig"),
    "pt": ("vinte", "trinta", "quarenta", "cinquenta", "sessenta"),
}
# Words that only mean a number before a unit ("a minute", "un minuto", "eine Sekunde"), and spellings
# without accents or with ae/oe/ue.
_EXTRA_TEXT = (
    "a=1 an=1 una=1 un=1 une=1 uma=1 ein=1 eine=1 einer=1 einem=1 duas=2 catorze=14 quatorze=14 deza"
    "sseis=16 dezassete=17 dezanove=19 fuenf=5 zwoelf=12 fuenfzehn=15 dreißig=30 fuenfzig=50 veintiun=21 couple=2 zwo=2"
)
_EXTRA = {word: int(value) for word, _, value in (pair.partition("=") for pair in _split(_EXTRA_TEXT))}
_ES_20S = _split(
    "veintiuno veintidos veintitres veinticuatro veinticinco veintiseis veintisiete veintiocho veintinueve"
)
_DE_STEMS = ("ein", "zwei", "drei", "vier", "funf", "sechs", "sieben", "acht", "neun")


def _words() -> dict[str, int]:
    words: dict[str, int] = {}
    for units in (_UNITS_EN, _UNITS_ES, _UNITS_FR, _UNITS_DE, _UNITS_PT):
        words.update({w: i for i, w in enumerate(units)})
    for tens in _TENS.values():
        words.update({w: 20 + 10 * i for i, w in enumerate(tens)})
    words.update({w: 21 + i for i, w in enumerate(_ES_20S)})
    for t, tens_word in enumerate(_TENS["de"][:4]):
        for u, stem in enumerate(_DE_STEMS):
            words[f"{stem}und{tens_word}"] = 20 + 10 * t + u + 1
    for lang in ("en", "fr"):
        for t, tens_word in enumerate(_TENS[lang][:4]):
            units = _UNITS_EN if lang == "en" else _UNITS_FR
            for u in range(1, 10):
                words[f"{tens_word}-{units[u]}"] = 20 + 10 * t + u
            words[f"{tens_word}-et-un"] = 20 + 10 * t + 1
    words.update(_EXTRA)
    return words


WORDS = _words()
# A tens word, then (after a space, hyphen or "and"/"y"/"e"/"et") a units word: one number.
_JOIN = re.compile(r"^(?:\s*-\s*|\s+(?:(?:and|y|e|et|und)\s+)?)$")
_AND = frozenset({"and", "y", "e", "et", "und"})
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_HALF = r"(?:\s*(?:and a half|y medio|y media|et demie?|e meio|e meia|einhalb))?"
UNIT = (
    r"(?:s|secs?|seconds?|segundos?|segundit[oa]s|segs?|secondes?|sekunden?|sek|mins?|minutes?|minutos?|minuten?|"
    r"percent|per\s?cent|por\s?ciento|pour\s?cent|prozent|por\s?cento|%|fois|times|veces|vezes|mal)"
)
_FOLLOWS_UNIT = re.compile(_HALF + r"\s*-?\s*" + UNIT + r"(?![a-z])")
# About so many ("une quinzaine de secondes", "a dozen seconds", "una docena de segundos"): the number,
# with its "de"/"of" before the unit.
_ABOUT = {
    "dizaine": 10,
    "douzaine": 12,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "dozen": 12,
    "docena": 12,
    "duzia": 12,
    "dutzend": 12,
}
_ABOUT_OF = re.compile(r"\s+(?:de|of|d')(?=\s)")

_CJK_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CJK_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+")
# After a CJK numeral: a unit that makes it a number (秒 seconds, 分 minutes, 比 ratio, 倍 times, %).
_CJK_UNIT_AFTER = re.compile(r"^(?:秒|分|比|倍|%|个?百分点|パーセント)")
_CJK_BEFORE = re.compile(r"(?:比|百分之)$")


def _lookup(word: str) -> int | None:
    """The number a word names; German typed without umlauts ("fuenf") or ß ("dreissig") too."""
    if word in WORDS:
        return WORDS[word]
    return WORDS.get(word.replace("ue", "u").replace("oe", "o").replace("ae", "a").replace("ß", "ss"))


def cjk_value(numeral: str) -> int | None:
    """二十五 -> 25, 十 -> 10, 两 -> 2, 一百 -> 100; None for what is not a numeral."""
    total, current = 0, 0
    for char in numeral:
        if char in _CJK_DIGITS:
            current = _CJK_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def word_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, value) of each number written in words and followed by a unit, in order."""
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    found: list[tuple[int, int, int]] = []
    i = 0
    while i < len(tokens):
        start, end, word = tokens[i]
        if word in _ABOUT:
            of = _ABOUT_OF.match(text, end)
            if _FOLLOWS_UNIT.match(text, of.end() if of else end):
                found.append((start, of.end() if of else end, _ABOUT[word]))
            i += 1
            continue
        value = _lookup(word)
        if value is None:
            i += 1
            continue
        step = 1
        if value >= 20 and value % 10 == 0:
            # "twenty five", "treinta y cinco", "vingt et un", "vinte e cinco": skip the joining word
            for later in (i + 1, i + 2):
                if later >= len(tokens) or (later == i + 2 and tokens[i + 1][2] not in _AND):
                    continue
                n_start, n_end, n_word = tokens[later]
                unit = _lookup(n_word)
                if unit is not None and 0 < unit < 10 and _JOIN.match(text[end:n_start]):
                    value, end, step = value + unit, n_end, later - i + 1
                    break
        if _FOLLOWS_UNIT.match(text, end):
            found.append((start, end, value))
        i += step
    return found


def cjk_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, value) of each CJK numeral that a unit follows (十秒, 两分钟) or 比/百分之 precedes."""
    found: list[tuple[int, int, int]] = []
    for match in _CJK_NUMBER.finditer(text):
        value = cjk_value(match.group())
        if value is None:
            continue
        rest = text[match.end() :]
        if rest.startswith("分之"):  # 百分之三十: "hundredth parts", the 30 after it is the number
            continue
        after = _CJK_UNIT_AFTER.match(rest)
        before = _CJK_BEFORE.search(text[: match.start()])
        if after or before:
            found.append((match.start(), match.end(), value))
    return found


__all__ = ["UNIT", "WORDS", "cjk_spans", "cjk_value", "word_spans"]
