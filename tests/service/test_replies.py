"""The agent's words made readable in a chat: GUI talk rewritten (contract §4)."""

from __future__ import annotations

import pytest

from nemo_mcp.service.replies import translate_gui


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Click the Export button to download.", "ask me to export to download."),
        ("Preview in the timeline to check it.", "ask me for the timeline summary to check it."),
        ("Open the Media panel to see files.", "ask me for the session state to see files."),
        ("Drag and drop the clip to reorder.", "tell me to move the clip to reorder."),
        ('Click "Generate" to start.', "ask me to Generate to start."),
        ("点击导出按钮", "让我导出"),
        ("打开素材面板", "让我查看素材面板"),
        ("Your clip is ready. I encountered a temporary issue.", "Your clip is ready."),
        ("I encountered a temporary issue.", "I encountered a temporary issue."),
    ],
)
def test_gui_translation(source: str, expected: str) -> None:
    assert translate_gui(source) == expected
