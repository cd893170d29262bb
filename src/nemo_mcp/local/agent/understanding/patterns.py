"""How vocabularies become patterns: folded like the text they read, Latin words kept whole."""

from __future__ import annotations

import re

from nemo_mcp.local.agent.understanding.fold import fold

# A Latin word must not continue past its ends ("pan" is not "panorama"); CJK needs no boundary, and a
# Latin word glued to CJK text ("ig限时动态", "4K画质") still counts as a word.
_LEFT = r"(?<![a-zß0-9])"
_RIGHT = r"(?![a-zß0-9])"


def words(*alternatives: str) -> str:
    """Latin words or phrases (regex syntax allowed), each whole: bounded on both sides."""
    return _LEFT + "(?:" + "|".join(alternatives) + ")" + _RIGHT


def units(*alternatives: str) -> str:
    """Unit words right after a number ("10s", "8 segundos"): bounded on the right only."""
    return "(?:" + "|".join(alternatives) + ")" + _RIGHT


def chars(*alternatives: str) -> str:
    """CJK words (regex syntax allowed): no boundaries."""
    return "(?:" + "|".join(alternatives) + ")"


def either(*parts: str) -> str:
    return "(?:" + "|".join(parts) + ")"


def word_set(text: str) -> frozenset[str]:
    """The words of `text` (separated by spaces), folded."""
    return frozenset(fold(text).split())


def compile_(*parts: str) -> re.Pattern[str]:
    """One pattern for all `parts`, written in any spelling: folded the way the text is."""
    return re.compile(fold("|".join(parts)))


__all__ = ["chars", "compile_", "either", "units", "word_set", "words"]
