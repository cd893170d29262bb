"""Sizes and durations as people read them, written once so every message agrees with every result."""

from __future__ import annotations


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
