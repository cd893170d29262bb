"""Progress for a person at a terminal: a redrawn bar, or plain timestamped lines when piped or logged."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

from nemo_mcp.service.models import ProgressUpdate
from nemo_mcp.service.text import format_duration

BAR_WIDTH = 24


class TerminalProgressSink:
    """A ProgressSink for the terminal: progress on stderr: one redrawn bar on a terminal, plain timestamped lines when piped or logged."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._tty = self._stream.isatty() if tty is None else tty
        self._started = time.monotonic()
        self._last_line = ""
        self._drawn = False

    async def __call__(self, update: ProgressUpdate) -> None:
        self.show(update)

    def show(self, update: ProgressUpdate) -> None:
        elapsed = format_duration(time.monotonic() - self._started)
        message = " ".join(update.message.split())
        if self._tty:
            fraction = update.fraction
            if fraction is not None:
                done = round(BAR_WIDTH * min(1.0, max(0.0, fraction)))
                bar = f"[{'#' * done}{'.' * (BAR_WIDTH - done)}] {round(100 * min(1.0, max(0.0, fraction))):3d}%"
            else:
                bar = f"[{'~' * BAR_WIDTH}]     "
            width = shutil.get_terminal_size((100, 20)).columns
            line = f"{bar} {elapsed:>10}  {message}"[: max(20, width - 1)]
            self._stream.write("\r\x1b[2K" + line)
            self._drawn = True
        else:
            line = f"[{elapsed}] {message}"
            if line == self._last_line:
                return
            self._last_line = line
            self._stream.write(line + "\n")
        self._stream.flush()

    def finish(self) -> None:
        """End the bar's line so that what follows starts on a fresh one."""
        if self._tty and self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self._started
