"""Run the instruction corpus through a parser and planner, and score it: shared by the corpus test and
by benchmarks/instruction_corpus.py (which also scores the parser this one replaces)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nemo_mcp.local.agent.planning import ClipPlan, apply, cost
from nemo_mcp.local.agent.understanding import parse
from nemo_mcp.local.records import FileType, UploadRecord

HERE = Path(__file__).parent
LANGUAGES = ("en", "zh-Hans", "zh-Hant", "es", "fr", "de", "pt", "ja")
TEXT_CHECKS = ("problem", "cannot", "not_understood", "choice")


@dataclass
class Observation:
    """What one step produced: plan fields, the cost, and what was said (lists of sentences)."""

    fields: dict[str, Any]
    cost: int
    said: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class CaseResult:
    case: dict[str, Any]
    misses: list[str]

    @property
    def hit(self) -> bool:
        return not self.misses


Runner = Callable[[dict[str, Any]], list[Observation]]


def load(kind: str = "*") -> list[dict[str, Any]]:
    """Cases from `dev_*.jsonl` (kind "dev"), `heldout_*.jsonl` ("heldout") or both ("*")."""
    cases: list[dict[str, Any]] = []
    for path in sorted(HERE.glob(f"{kind}_*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                case = json.loads(line)
                case["source"] = f"{path.name}:{number}"
                case["heldout"] = path.name.startswith("heldout")
                cases.append(case)
    return cases


def upload(name: str, file_type: FileType) -> UploadRecord:
    """A fake upload: plain data, no file behind it."""
    return UploadRecord(
        filename=name,
        stored_name=f"x-{name}",
        file_type=file_type,
        sha256=f"sha-{name}",
        size=1000,
        width=4000,
        height=3000,
    )


def observe_plan(plan: ClipPlan) -> dict[str, Any]:
    return {
        "duration_s": plan.duration_s,
        "aspect": plan.aspect,
        "resolution": plan.resolution,
        "width": plan.width,
        "height": plan.height,
        "motion": plan.motion,
        "motion_speed": plan.motion_speed,
        "loop": plan.loop,
        "title": plan.title,
        "title_position": plan.title_position,
        "title_scale": plan.title_scale,
        "music_mood": plan.music_mood,
        "music": plan.music.filename if plan.music else None,
        "music_volume": plan.music_volume,
        "fit": plan.fit,
        "background": plan.background,
    }


def run_new(case: dict[str, Any]) -> list[Observation]:
    """Every step through `parse` + `apply` from a fresh plan of one photo, the way a session runs."""
    plan = ClipPlan(image=upload("photo.jpg", "image"))
    history: list[ClipPlan] = []
    audio: UploadRecord | None = None
    have_clip = False
    observations = []
    for step in case["steps"]:
        if "audio" in step:
            audio = upload(step["audio"], "audio")
        request = parse(step["say"])
        applied = apply(plan, request, audio=audio, history=history)
        charged = cost(applied, "edit" if have_clip else "generate")
        if charged or applied.changes:
            if applied.undone:
                history.pop()
            elif have_clip:
                history.append(plan)
            plan, have_clip = applied.plan, True
        said = {
            "problem": list(applied.problems),
            "cannot": list(request.cannot),
            "not_understood": list(request.not_understood),
            "choice": list(request.choices),
        }
        observations.append(Observation(observe_plan(plan), charged, said))
    return observations


def check(step: dict[str, Any], seen: Observation) -> list[str]:
    """What in `seen` differs from what `step` expects."""
    misses = []
    for name, wanted in step.get("expect", {}).items():
        got = seen.fields.get(name, "<not expressible>")
        same = got == wanted or (
            isinstance(wanted, float | int) and isinstance(got, float | int) and abs(got - wanted) < 1e-6
        )
        if not same or isinstance(got, bool) != isinstance(wanted, bool):
            misses.append(f"{name}: want {wanted!r}, got {got!r}")
    if "cost" in step and step["cost"] != seen.cost:
        misses.append(f"cost: want {step['cost']}, got {seen.cost}")
    for name in TEXT_CHECKS:
        if name in step:
            said = " | ".join(seen.said.get(name, []))
            if step[name].lower() not in said.lower():
                misses.append(f"{name}: want …{step[name]}…, got {said!r}")
    return misses


def score(cases: Iterable[dict[str, Any]], runner: Runner) -> list[CaseResult]:
    results = []
    for case in cases:
        try:
            observations = runner(case)
        except Exception as exc:  # a crash on one case is a miss, not the end of the run
            results.append(CaseResult(case, [f"crashed: {exc!r}"]))
            continue
        misses = []
        for number, (step, seen) in enumerate(zip(case["steps"], observations, strict=True), 1):
            misses += [f"step {number} ({step['say']!r}): {miss}" for miss in check(step, seen)]
        results.append(CaseResult(case, misses))
    return results


def table(results: list[CaseResult], title: str) -> str:
    """Hit rate per language and overall, as a Markdown table."""
    lines = [f"{title}", "", "| language | cases | hits | rate |", "|---|---:|---:|---:|"]
    for language in (*LANGUAGES, "all"):
        chosen = [r for r in results if language in ("all", r.case["lang"])]
        if chosen:
            hits = sum(r.hit for r in chosen)
            lines.append(f"| {language} | {len(chosen)} | {hits} | {hits / len(chosen):.0%} |")
    return "\n".join(lines)


def failures(results: list[CaseResult]) -> str:
    return "\n".join(
        f"{r.case['id']} ({r.case['source']}): " + "; ".join(r.misses) for r in results if not r.hit
    )


__all__ = [
    "LANGUAGES",
    "CaseResult",
    "Observation",
    "check",
    "failures",
    "load",
    "observe_plan",
    "run_new",
    "score",
    "table",
    "upload",
]
