"""Progress, one vocabulary for all long work:

    ProgressUpdate     one step: a message a person reads and, when known, a fraction 0..1
    ProgressSink       where updates go: an MCP tool call (server), a terminal (CLI), a test recorder
    ProgressReporter   what the work calls, `await report("rendering 40%", 0.4)`: passes an update to
                       its sink (the job board fans it out), keeps fractions from going backwards, never
                       lets a sink stop the work

`span(start, end)` gives a part of the work its own 0..1 scale inside the whole (polling a render is
0.1-0.9 of an export), so the parts need not know about each other.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable

from nemo_mcp.service.models import ProgressUpdate

logger = logging.getLogger(__name__)

ProgressSink = Callable[[ProgressUpdate], Awaitable[None]]


class ProgressReporter:
    """Passes updates to its sink (if any); fractions only ever increase; a failing sink is ignored."""

    def __init__(
        self, sink: ProgressSink | None = None, redact: Callable[[str], str] = lambda text: text
    ) -> None:
        self._sink = sink
        self._redact = redact
        self._fraction = 0.0

    async def __call__(self, message: str, fraction: float | None = None) -> None:
        if fraction is not None and math.isfinite(fraction):
            self._fraction = max(self._fraction, min(max(fraction, 0.0), 1.0))
            fraction = self._fraction
        else:
            fraction = None
        update = ProgressUpdate(message=self._redact(message), fraction=fraction)
        if self._sink is None:
            return
        try:
            await self._sink(update)
        except Exception:  # a listener that went away must not stop the work
            logger.debug("a progress listener failed; continuing")

    def span(self, start: float, end: float) -> ProgressReporter:
        """A reporter for one part of the work: its fractions 0..1 land between `start` and `end` here."""
        return _Span(self, start, end)


class _Span(ProgressReporter):
    def __init__(self, whole: ProgressReporter, start: float, end: float) -> None:
        super().__init__()
        self._whole, self._start, self._end = whole, start, end

    async def __call__(self, message: str, fraction: float | None = None) -> None:
        scaled = None if fraction is None else self._start + (self._end - self._start) * fraction
        await self._whole(message, scaled)
