"""What one message asks of a session, decided without side effects: generate, edit, or only answer.

The words are read by `understanding.parse`; the client's settings sentence, if any, is laid over them
(`settings_sentence`: the settings win where they disagree, and the reply says so). The request is then
applied to the session's plan (`planning.apply`), and the reply says what will change, what was chosen
for a vague wish, and, plainly, what was asked and will not be done. What it costs follows
`planning.cost`: in full when all was done, half when only part, nothing when nothing was.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from nemo_mcp.local.agent import planning
from nemo_mcp.local.agent.plan_types import ClipPlan, music_name
from nemo_mcp.local.agent.settings_sentence import overlay, split

if TYPE_CHECKING:
    from nemo_mcp.local.agent.understanding import Request
from nemo_mcp.local.records import SessionRecord

CPU_ONLY = (
    "Everything here runs on your CPU: I move a virtual camera over your still image; no generative video "
    "model is involved."
)
HELP = (
    "Tell me what to make, in your own words, for example: “animate this image into an 8-second vertical clip "
    'with a slow zoom in and the title "Summer"”. I understand a duration (1-30 s), 16:9, 9:16, 1:1 or 4:5, '
    "720p or 1080p, zoom in/out, pan left/right/up/down, Ken Burns or no move, slow or fast, a loop, a title "
    "(in quotes) at the top, centre or bottom, background music by mood (calm, upbeat, cinematic) or from an "
    "audio file you upload, and its volume; also faster, slower, longer, shorter, bigger title and undo."
)

Kind = Literal["generate", "edit", "answer"]


@dataclass
class Decision:
    kind: Kind
    intro: str
    plan: ClipPlan | None = None
    cost: int = 0
    changes: list[str] = field(default_factory=list)
    # What was asked and will not be done, one plain sentence each (reported in the tool result too).
    not_done: list[str] = field(default_factory=list)
    undo: bool = False


def decide(session: SessionRecord, text: str, history: list[ClipPlan], current: ClipPlan | None) -> Decision:
    """What `text` asks of `session` (its current plan and the plans before it, oldest first)."""
    request, conflicts = _read(text)
    image = session.latest_upload("image")
    audio = session.latest_upload("audio")
    new_image = image is not None and (current is None or current.image.sha256 != image.sha256)
    wants = request.intent or request.has_settings or request.undo
    if current is None or (new_image and wants):
        if image is None:
            return Decision(
                "answer",
                _join("Upload an image first (jpg, png, webp, bmp or gif) and I will animate it.", HELP),
            )
        if not wants:
            return _answer(request, f"I have your image {image.filename}.")
        base = ClipPlan(image=image) if current is None else replace(current, image=image)
        applied = planning.apply(base, request, audio=audio, history=())
        return _generate(applied, image.filename, conflicts)
    applied = planning.apply(current, request, audio=audio, history=history)
    if not applied.changes:
        unchanged = (
            "I did not change anything in the clip."
            if wants
            else "I did not find anything to change in the clip."
        )
        return _answer(request, unchanged, problems=applied.problems, extra=conflicts)
    not_done = _not_done(request, applied.problems)
    intro = _join(
        "Understood: " + "; ".join(applied.changes) + ".",
        *_spoken(request),
        *conflicts,
        *applied.problems,
        *_missing(request),
    )
    return Decision(
        "edit",
        intro,
        applied.plan,
        planning.cost(applied, "edit"),
        list(applied.changes),
        not_done,
        undo=applied.undone,
    )


def _read(text: str) -> tuple[Request, list[str]]:
    # The parser compiles its patterns on first use (~100 ms), with the first message, not at start.
    from nemo_mcp.local.agent.understanding import parse

    words, settings = split(text)
    request = parse(words)
    if settings is None:
        return request, []
    return overlay(request, settings)


def _generate(applied: planning.Applied, image_name: str, conflicts: list[str]) -> Decision:
    plan, request = applied.plan, applied.request
    what = [f"a {plan.duration_s:g}-second {plan.aspect} clip ({plan.width}x{plan.height}) of {image_name}"]
    speed = "" if plan.motion_speed == "normal" else f" {plan.motion_speed}"
    what.append(f"with a{speed} {_motion_words(plan)}" + (" that loops back" if plan.loop else ""))
    if plan.title:
        what.append(f'the title "{plan.title}" at the {plan.title_position}')
    music = music_name(plan)
    if music:
        what.append(f"{music} as music at {plan.music_volume:.0%}")
    intro = _join(
        "Understood: " + ", ".join(what) + ".",
        CPU_ONLY,
        *_spoken(request),
        *conflicts,
        *applied.problems,
        *_missing(request),
    )
    return Decision(
        "generate",
        intro,
        plan,
        planning.cost(applied, "generate"),
        [],
        _not_done(request, applied.problems),
    )


def _answer(
    request: Request, opening: str, *, problems: tuple[str, ...] = (), extra: list[str] | None = None
) -> Decision:
    understood_nothing = not request.understood and request.text.strip()
    lead = (
        f"I did not understand “{_short(request.text)}”, so nothing was done and nothing was charged."
        if understood_nothing
        else opening
    )
    return Decision(
        "answer",
        _join(lead, *(extra or []), *problems, *_spoken(request), *_missing(request), HELP),
        not_done=_not_done(request, problems),
    )


def _spoken(request: Request) -> list[str]:
    """What the person should hear about choices made for them and adjustments."""
    said = list(request.choices) + list(request.notes)
    if request.low_vram:
        said.append("Low-VRAM mode: nothing to switch, no GPU is used at all.")
    return said


def _missing(request: Request) -> list[str]:
    said = list(request.cannot)
    if request.not_understood:
        parts = "; ".join(f"“{_short(part)}”" for part in request.not_understood)
        said.append(f"I did not understand {parts}, so I left that out.")
    return said


def _not_done(request: Request, problems: tuple[str, ...]) -> list[str]:
    return [*request.cannot, *problems, *(f"not understood: “{_short(p)}”" for p in request.not_understood)]


def _motion_words(plan: ClipPlan) -> str:
    return {
        "zoom_in": "zoom in",
        "zoom_out": "zoom out",
        "pan_left": "pan to the left",
        "pan_right": "pan to the right",
        "pan_up": "pan upward",
        "pan_down": "pan downward",
        "ken_burns": "Ken Burns move (zoom and pan)",
        "static": "still camera",
    }[plan.motion]


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)
