"""The instruction corpus (tests/local/corpus) scored for the parser this branch replaces and for the new one.

    python benchmarks/instruction_corpus.py [--failures]

BEFORE: every step goes through the local agent as it was (`agent.decide`, i.e. `instructions.parse` +
`draft.apply`), on a session built in memory, with the draft it leaves as the next step's starting point.
Plan fields the old plan cannot hold (motion speed, loop, title position and size, music mood, framing)
count as their implicit value (normal, no loop, bottom, 100%, no mood, automatic): a case that expects
anything else misses. What the old agent said is searched for the expected words: its `cannot`
sentences and notes for `cannot`, its whole reply for `problem`; it has no `not_understood` or `choice`,
so a case that expects one misses. Cost: 100 for a generated clip, 50 for an edit, 0 for an answer.
AFTER: `understanding.parse` + `planning.apply` + `planning.cost` (tests/local/corpus/check.py).
Not a test: it prints the tables and exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.local.corpus.check import Observation, failures, load, run_new, score, table, upload

from nemo_mcp.local import instructions
from nemo_mcp.local.agent import decide
from nemo_mcp.local.draft import ClipPlan, from_draft, to_draft
from nemo_mcp.local.store import SessionRecord

COSTS = {"generate": 100, "edit": 50, "answer": 0}


def _fields(plan: ClipPlan | None) -> dict[str, Any]:
    plan_fields: dict[str, Any] = {
        "duration_s": 5.0, "aspect": "16:9", "resolution": "720p", "width": 1280, "height": 720, "motion": "zoom_in",
        "title": None, "music": None, "music_volume": 0.35,
    }  # fmt: skip
    if plan is not None:
        aspect, hd = instructions.aspect_of(plan.width, plan.height)
        plan_fields.update(
            duration_s=plan.duration_s, aspect=aspect, resolution="1080p" if hd else "720p", width=plan.width,
            height=plan.height, motion=plan.motion, title=plan.title,
            music=plan.music.filename if plan.music else None, music_volume=plan.music_volume,
        )  # fmt: skip
    # what the old plan cannot hold, at the value it implicitly has
    implicit = {
        "motion_speed": "normal", "loop": False, "title_position": "bottom", "title_scale": 1.0, "music_mood": None,
        "fit": "auto", "background": None,
    }  # fmt: skip
    return {**plan_fields, **implicit}


def run_old(case: dict[str, Any]) -> list[Observation]:
    session = SessionRecord(session_id="s", task_id="t", user_id="u", uploads=[upload("photo.jpg", "image")])
    observations = []
    for step in case["steps"]:
        if "audio" in step:
            session.uploads.append(upload(step["audio"], "audio"))
        parsed = instructions.parse(step["say"])
        decision = decide(session, step["say"])
        if decision.plan is not None:
            session.draft = to_draft(decision.plan, {})
        plan = from_draft(session.draft, session) if session.draft else None
        said = {
            "cannot": [*parsed.cannot, *parsed.notes],
            "problem": [decision.intro],
            "not_understood": [],
            "choice": [],
        }
        observations.append(Observation(_fields(plan), COSTS[decision.kind], said))
    return observations


def main() -> None:
    cases = load()
    heldout = [case for case in cases if case["heldout"]]
    for name, runner in (
        ("BEFORE (instructions.py + draft.py)", run_old),
        ("AFTER (understanding + planning)", run_new),
    ):
        results = score(cases, runner)
        print(table(results, f"{name}, all {len(cases)} cases"))
        print()
        print(table(score(heldout, runner), f"{name}, the {len(heldout)} held-out cases"))
        print()
        if "--failures" in sys.argv:
            print(failures(results))
            print()


if __name__ == "__main__":
    main()
