"""A NemoService on the local backend, with waits shrunk so fault tests take milliseconds, not minutes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from nemo_mcp.config import Settings
from nemo_mcp.service.facade import NemoService
from nemo_mcp.service.models import ProgressUpdate
from nemo_mcp.service.renders import PollPolicy
from nemo_mcp.service.sessions import Tuning

FAST = Tuning(
    poll=PollPolicy(first_s=0.05, factor=1.5, max_s=0.25, timeout_s=120.0),
    recovery_first_s=0.05,
    recovery_every_s=0.05,
    recovery_max_unchanged=3,
    heartbeat_limit_s=120.0,
    still_working_every_s=0.1,
)


class Recorder:
    """A progress sink that keeps every update."""

    def __init__(self) -> None:
        self.updates: list[ProgressUpdate] = []

    async def __call__(self, update: ProgressUpdate) -> None:
        self.updates.append(update)

    @property
    def messages(self) -> list[str]:
        return [u.message for u in self.updates]

    @property
    def fractions(self) -> list[float]:
        return [u.fraction for u in self.updates if u.fraction is not None]


@pytest.fixture
async def service(local_settings: Settings) -> AsyncIterator[NemoService]:
    async with NemoService.open(local_settings, tuning=FAST) as svc:
        yield svc


@pytest.fixture
def progress() -> Recorder:
    return Recorder()
