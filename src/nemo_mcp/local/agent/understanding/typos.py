"""One-letter typos in the words that matter most ("vertcal", "tittle", "musci", "secnods").

A word that no vocabulary knows, at least five letters long, one edit (a letter added, dropped, changed,
or two swapped) from one of these and starting with the same letter, is read as it. The list is short
on purpose: only words whose misreading would lose a request, and none a correct word in a language read
here is one edit from with another meaning.
"""

from __future__ import annotations

from nemo_mcp.local.agent.understanding.common import FILLER_WORDS
from nemo_mcp.local.agent.understanding.numbers import WORDS

_TARGET_WORDS = (
    "vertical horizontal landscape portrait square title titled caption music seconds second minute minutes "
    "slower faster slowly quickly louder quieter remove background cinematic dramatic instagram tiktok zooming "
    "panning subtitles volume duration longer shorter bigger smaller center centre bottom uploaded animate "
    "animation video smoothly gently dreamy"
)
TARGETS = frozenset(_TARGET_WORDS.split(" "))
_KNOWN = FILLER_WORDS | frozenset(WORDS) | TARGETS


def correct(word: str) -> str:
    """`word`, or the target it is one typo away from."""
    if len(word) < 5 or word in _KNOWN or not word.isascii():
        return word
    for target in TARGETS:
        if target[0] == word[0] and abs(len(target) - len(word)) <= 1 and _one_edit(word, target):
            return target
    return word


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one insertion, deletion, substitution or swap of neighbours."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


__all__ = ["TARGETS", "correct"]
