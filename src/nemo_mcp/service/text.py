"""Sizes and durations as people read them, written once so every message agrees with every result; and
outside text (file names, the video agent's words) made safe to show: one place decides what is stripped."""

from __future__ import annotations

import re


def format_size(size_bytes: int) -> str:
    """ "850 KB", "12.4 MB" (decimal units, as file managers and players show them)."""
    if size_bytes < 1000 * 1000:
        return f"{max(1, round(size_bytes / 1000))} KB"
    return f"{size_bytes / 1_000_000:.1f} MB"


def format_duration(seconds: float) -> str:
    """ "45 s", "1 min 40 s", "12 min": how people say elapsed time."""
    whole = max(0, int(seconds))
    minutes, secs = divmod(whole, 60)
    if minutes == 0:
        return f"{secs} s"
    if secs == 0 or minutes >= 10:
        return f"{minutes} min"
    return f"{minutes} min {secs} s"


# Control characters, bidi overrides and zero-width marks: outside text (a file name, the video agent's
# words, a backend's error) may use them to hide or reorder what a person or a model reads.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_HIDDEN_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def one_line(text: str, limit: int = 200) -> str:
    """Outside text for a single-line field: every control character a space, at most `limit` characters."""
    flat = " ".join(_HIDDEN_OR_NEWLINE.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def plain_text(text: str, limit: int = 4000) -> str:
    """Outside text for a field of several lines: newlines kept, every other control character removed."""
    lines = _HIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return lines if len(lines) <= limit else lines[: limit - 1] + "…"


def quoted(text: str, limit: int = 80) -> str:
    """A short, quoted prefix of outside text for our own sentences ('…' marks what was left out)."""
    return repr(one_line(text, limit))


def quoted_path(text: str, limit: int = 120) -> str:
    """A path for our own sentences, quoted; a long one keeps its end, where the file's name is."""
    flat = one_line(text, len(text) + 1)
    return repr(flat if len(flat) <= limit else "…" + flat[-(limit - 1) :])
