"""The instruction corpus (tests/local/corpus): every case through parse + apply from a fresh plan.

Prints the hit rate per language (run with -s to see it) and asserts at least 95% overall, listing the
cases that missed. A case hits when every step produces every field, cost and message it expects.
"""

from __future__ import annotations

from tests.local.corpus.check import LANGUAGES, failures, load, run_new, score, table

TARGET = 0.95


def test_the_corpus_is_large_and_covers_every_language() -> None:
    cases = load()
    assert len(cases) >= 250
    for language in LANGUAGES:
        assert sum(case["lang"] == language for case in cases) >= 25, language
    assert len({case["id"] for case in cases}) == len(cases)


def test_hit_rate_per_language() -> None:
    results = score(load(), run_new)
    heldout = [r for r in results if r.case["heldout"]]
    print()
    print(table(results, "All cases"))
    print()
    print(table(heldout, "Held-out cases (written after the parser; their first run is in corpus/README.md)"))
    rate = sum(r.hit for r in results) / len(results)
    assert rate >= TARGET, f"{rate:.1%} of the corpus hits; the misses:\n{failures(results)}"
