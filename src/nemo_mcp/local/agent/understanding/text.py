"""From what a person typed to clauses the vocabularies can read.

Two strings travel together, always the same length: `low` (NFKC, lower case, accents dropped,
traditional Chinese simplified, numbers in digits, quotes replaced by one placeholder character each)
is what patterns match; `cased` holds what the person typed at the same positions, so a title or a
part nobody understood is quoted back exactly as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from nemo_mcp.local.agent.understanding.fold import fold, lower
from nemo_mcp.local.agent.understanding.numbers import UNIT, cjk_spans, word_spans

_LATIN_WORD = re.compile(r"(?<![a-z'])[a-z]{5,}(?![a-z'])")
# One private-use character stands for each quoted string (up to 32 of them).
QUOTE_BASE = 0xE000
QUOTE_CHAR = "[\ue000-\ue01f]"
# Quotes of every kind; single quotes only around words (not the apostrophes of "l'eau" or "don't").
_QUOTES = re.compile(
    r"\"([^\"]{1,120})\"|“([^”“]{1,120})[”“]|„([^“”]{1,120})[“”]|‚([^‘’]{1,120})[‘’]|‘([^’]{1,120})’"
    r"|«\s*([^»]{1,120}?)\s*»|»([^«]{1,120})«|‹([^›]{1,120})›|「([^」]{1,120})」|『([^』]{1,120})』"
    r"|《([^》]{1,120})》|【([^】]{1,120})】|(?<![\w])'(?!\s)([^']{1,120}?)(?<!\s)'(?![\w])"
)
# Where one thing asked ends and the next begins: punctuation (not a decimal point or comma inside a
# number), a dash between spaces, and the words that join requests in each language.
_SPLIT = re.compile(
    r"(?<!\d),(?!\d)|,(?=\s)|\.(?=\s|$)|[;!?\n()\[\]…，、。；！？]|\s[-–—]+\s|"
    r"(?<![^\W\d_])(?:and then|and also|and|then|after that|but|pero|aber|y luego|y|luego|despues|et puis|et|puis|"
    r"ensuite|und dann|und|dann|e depois|e|depois)(?![^\W\d_])|"
    r"然后|并且|而且|还有|同时|以及|另外|接着|再把|そして|それから|あと、"
)
# Phrases whose own "and" must not split them, rewritten to one word before clauses are cut.
_KEEP_TOGETHER: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b(?:zoom|zooming) (?:and|&|y|et|und|e) pan\w*|\bpan\w* (?:and|&|y|et|und|e) zoom\w*"),
        "ken burns",
    ),
    (
        re.compile(r"\bback (?:and|&) forth|\bde ida y vuelta|\bhin und her|\bvai e volta|\baller-retour"),
        "loop",
    ),
    (
        re.compile(
            r"\bblack (?:and|&) white|\bblanco y negro|\bnoir et blanc|\bschwarz-?wei(?:ß|ss)|\bpreto e branco"
        ),
        "monochrome",
    ),
)
# Halves said in words, read before number words become digits ("half a minute" has an "a" in it).
_HALVES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\b(?:half a minute|half-minute|half minute|a half minute|(?:une )?demi-minute|un demi minute|"
            r"medio minuto|meio minuto|(?:eine )?halbe minute)\b"
        ),
        "30 s",
    ),
    (
        re.compile(
            r"\b(?:a minute and a half|anderthalb minuten|un minuto y medio|um minuto e meio|une minute et demie)\b"
        ),
        "90 s",
    ),
    (re.compile(r"半分钟"), "30秒"),
)
_HALF_WORDS = r"(?:and a half|y medio|y media|et demie?|e meio|e meia)"
_FRACTIONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"(\d+)分半(?:钟)?"), lambda m: f"{int(m.group(1)) * 60 + 30}秒"),
    (re.compile(r"(\d+)秒半"), lambda m: f"{m.group(1)}.5秒"),
    (re.compile(r"(\d+) " + _HALF_WORDS + r" (" + UNIT + r")"), lambda m: f"{m.group(1)}.5 {m.group(2)}"),
    (re.compile(r"(\d+) (" + UNIT + r") " + _HALF_WORDS), lambda m: f"{m.group(1)}.5 {m.group(2)}"),
    (re.compile(r"(\d+),(\d+)(?=\s*(?:" + UNIT + r"|秒))"), lambda m: f"{m.group(1)}.{m.group(2)}"),
    (re.compile(r"百分之(\d+)"), lambda m: f"{m.group(1)}%"),
)


@dataclass
class Prepared:
    low: str
    cased: str
    quotes: list[str] = field(default_factory=list)

    def replace(self, start: int, end: int, low: str, cased: str | None = None) -> None:
        """Replace a span in both strings (by `low`, or `cased` in the typed one): they stay aligned."""
        cased = low if cased is None else cased
        if len(cased) != len(low):
            cased = cased.ljust(len(low))[: len(low)]
        self.low = self.low[:start] + low + self.low[end:]
        self.cased = self.cased[:start] + cased + self.cased[end:]

    def substitute(self, pattern: re.Pattern[str], make: Callable[[re.Match[str]], str]) -> None:
        """Each match of `pattern` replaced by `make(match)` (in both strings), where that changes it."""
        for match in reversed(list(pattern.finditer(self.low))):
            if (replacement := make(match)) != match.group():
                self.replace(match.start(), match.end(), replacement)


@dataclass
class Clause:
    """One request inside a message. `low` loses each span a rule has read (masked with NUL)."""

    low: str
    cased: str
    original: str  # `low` before any rule read it: context words stay visible here
    quotes: list[str]
    flags: set[str] = field(default_factory=set)

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match of `pattern` in what no rule has read yet, now marked as read."""
        match = pattern.search(self.low)
        if match is not None:
            self.mask(match.start(), match.end())
        return match

    def take_all(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        matches = list(pattern.finditer(self.low))
        for match in matches:
            self.mask(match.start(), match.end())
        return matches

    def mask(self, start: int, end: int) -> None:
        self.low = self.low[:start] + "\0" * (end - start) + self.low[end:]

    def has(self, pattern: re.Pattern[str]) -> bool:
        """`pattern` occurs in the clause, read or not (a context word such as "title" or "music")."""
        return pattern.search(self.original) is not None

    def corrected(self, fix: Callable[[str], str]) -> Clause | None:
        """The clause again with `fix` applied to the words no rule took ("vertcal"), or None if none changes."""
        edits = [(m.start(), m.end(), fix(m.group())) for m in _LATIN_WORD.finditer(self.low)]
        edits = [edit for edit in edits if edit[2] != self.low[edit[0] : edit[1]]]
        if not edits:
            return None
        low, cased = self.original, self.cased
        for start, end, word in reversed(edits):
            low, cased = low[:start] + word + low[end:], cased[:start] + word + cased[end:]
        return Clause(low, cased, low, self.quotes)


def prepare(text: str) -> Prepared:
    # NFKC would turn the Chinese comma into "," which could then read as a decimal comma ("16，10秒").
    cased = unicodedata.normalize("NFKC", text.replace("，", "、"))
    prepared = Prepared(low="", cased=cased)
    _extract_quotes(prepared)
    prepared.low = fold(lower(prepared.cased))
    for pattern, word in _KEEP_TOGETHER:
        prepared.substitute(pattern, lambda m, word=word: word)  # type: ignore[misc]
    for pattern, words in _HALVES:
        prepared.substitute(pattern, lambda m, words=words: words)  # type: ignore[misc]
    _numbers_to_digits(prepared)
    for pattern, make in _FRACTIONS:
        prepared.substitute(pattern, make)
    return prepared


def _extract_quotes(prepared: Prepared) -> None:
    def placeholder(match: re.Match[str]) -> str:
        inner = next(g for g in match.groups() if g is not None).strip()
        if len(prepared.quotes) >= 32:
            return match.group()
        prepared.quotes.append(inner)
        return chr(QUOTE_BASE + len(prepared.quotes) - 1)

    prepared.cased = _QUOTES.sub(placeholder, prepared.cased)


def _numbers_to_digits(prepared: Prepared) -> None:
    spans = sorted(word_spans(prepared.low) + cjk_spans(prepared.low), reverse=True)
    for start, end, value in spans:
        prepared.replace(start, end, str(value))


def clauses(prepared: Prepared) -> list[Clause]:
    found: list[Clause] = []
    start = 0
    for match in [*_SPLIT.finditer(prepared.low), None]:
        end = len(prepared.low) if match is None else match.start()
        low = prepared.low[start:end]
        if low.strip():
            found.append(Clause(low, prepared.cased[start:end], low, prepared.quotes))
        start = end if match is None else match.end()
    return found


def quoted(text: str, quotes: list[str]) -> str:
    """`text` with its placeholders back as the quoted strings they stand for."""
    return re.sub(QUOTE_CHAR, lambda m: f"“{quotes[ord(m.group()) - QUOTE_BASE]}”", text)


__all__ = ["QUOTE_BASE", "QUOTE_CHAR", "Clause", "Prepared", "clauses", "prepare", "quoted"]
