"""What the video agent says, made readable in a chat: GUI talk rewritten, tool activity named.

The backend writes as if a GUI existed ("click Export"); contract §4 asks for those words to become what a
chat user does ("ask me to export"). Its tools have internal names; people hear what they do.
"""

from __future__ import annotations

import re

_GUI_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in (
        (
            r"\b(?:click|press|tap|hit|use)\s+(?:on\s+)?(?:the\s+)?[\"'“\[]?export[\"'”\]]?(?:\s+button)?",
            "ask me to export",
        ),
        (r"(?:the\s+)?[\"'“\[]?export[\"'”\]]?\s+button", "the export command"),
        (
            r"\bpreview\s+(?:it\s+|this\s+|the\s+result\s+)?(?:in|on)\s+the\s+timeline",
            "ask me for the timeline summary",
        ),
        (
            r"\b(?:open|check|view|go\s+to)\s+(?:the\s+)?[\"'“\[]?([\w\s]{1,30}?)[\"'”\]]?\s+(?:panel|tab|sidebar)",
            "ask me for the session state",
        ),
        (r"\bdrag(?:\s*(?:and|&|/|-|'n')\s*drop)?\b", "tell me to move"),
        (
            r"\b(?:click|press|tap|hit)\s+(?:on\s+)?(?:the\s+)?[\"'“\[]?([\w\s]{1,30}?)[\"'”\]]?\s+button",
            r"ask me to \1",
        ),
        (r"\b(?:click|press|tap)\s+(?:on\s+)?(?:the\s+)?[\"'“\[]([^\"'”\]]{1,30})[\"'”\]]", r"ask me to \1"),
        (r"点击\s*[「“\[]?导出[」”\]]?(?:按钮)?", "让我导出"),
        (r"导出按钮", "导出命令"),
        (r"点击", "让我"),
        (r"打开", "让我查看"),
        (r"拖拽|拖动", "告诉我移动"),
        (r"在时间轴(?:上|中)?预览", "让我给出时间轴摘要"),
    )
)
_TEMPORARY_ISSUE = re.compile(r"\s*I encountered a temporary issue[^.\n]*[.!]?\s*$", re.IGNORECASE)


def translate_gui(text: str) -> str:
    """Rewrite GUI instructions ("click Export") into what a chat user does ("ask me to export").

    A trailing "I encountered a temporary issue" after a normal answer is dropped (contract §4).
    """
    stripped = _TEMPORARY_ISSUE.sub("", text)
    if stripped.strip():
        text = stripped
    for pattern, replacement in _GUI_RULES:
        text = pattern.sub(replacement, text)
    return text


def tool_label(name: str) -> str:
    """What a backend tool does, in a word or two ("video generation", "music")."""
    lowered = name.lower()
    if any(k in lowered for k in ("video", "seedance", "animate", "i2v", "kling", "veo")):
        return "video generation"
    if any(k in lowered for k in ("music", "bgm", "audio", "sound")):
        return "music"
    if any(k in lowered for k in ("title", "text", "caption", "subtitle")):
        return "title"
    return name.replace("_", " ")[:40]


_TOOL_MESSAGES = {
    "video generation": "generating video…",
    "music": "adding music…",
    "title": "adding a title…",
}


def tool_message(name: str) -> str:
    """The progress message for a backend tool that started."""
    label = tool_label(name)
    return _TOOL_MESSAGES.get(label, f"working ({label})…")
