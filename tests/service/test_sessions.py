"""The session registry: survives restarts, follows replacements, merges with another process, and writes
the file only for what a restart must remember (sessions, replacements), never for a call that reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nemo_mcp.config import Settings
from nemo_mcp.service.facade import NemoService
from nemo_mcp.service.session_store import SessionRegistry, new_record

pytestmark = pytest.mark.anyio


async def test_registry_round_trip_and_replacements(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    registry = SessionRegistry(path, "http://a")
    await registry.add(new_record("1", "task_1", "anon_1", "http://a"))
    await registry.add(new_record("2", "task_2", "anon_1", "http://a"), replaces="1")
    again = SessionRegistry(path, "http://a")
    latest = again.latest
    assert latest is not None
    assert latest.session_id == "2"
    replaced = again.get("1")
    assert replaced is not None
    assert replaced.session_id == "2"
    assert SessionRegistry(path, "http://b").get("2") is None


async def test_two_processes_do_not_lose_each_others_sessions(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    first = SessionRegistry(path, "http://a")
    second = SessionRegistry(path, "http://a")
    await first.add(new_record("1", None, None, "http://a"))
    await second.add(new_record("2", None, None, "http://a"), replaces="0")
    await first.add(new_record("3", None, None, "http://a"))
    assert first.get("2") is not None, "a write learns what the other process wrote"
    merged = SessionRegistry(path, "http://a")
    for sid in ("1", "2", "3"):
        assert merged.get(sid) is not None
    found = merged.get("0")
    assert found is not None
    assert found.session_id == "2"


async def test_unreadable_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    path.write_text("[broken")
    registry = SessionRegistry(path, "http://a")
    assert registry.latest is None
    await registry.add(new_record("1", None, None, "http://a"))
    assert SessionRegistry(path, "http://a").get("1") is not None


async def test_touch_is_memory_only_and_the_latest_is_written_on_flush(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    registry = SessionRegistry(path, "http://a")
    await registry.add(new_record("1", None, None, "http://a"))
    await registry.add(new_record("2", None, None, "http://a"))
    written = path.stat()
    registry.touch("1")
    registry.touch("unknown")  # not a session of ours: ignored
    latest = registry.latest
    assert latest is not None
    assert latest.session_id == "1"
    assert path.stat().st_mtime_ns == written.st_mtime_ns
    assert path.stat().st_ino == written.st_ino
    # A crash now would leave "2" as the latest on disk: a known session, the one used before.
    assert json.loads(path.read_text())["http://a"]["latest"] == "2"
    await registry.flush()
    assert json.loads(path.read_text())["http://a"]["latest"] == "1"
    flushed = path.stat()
    await registry.flush()  # nothing moved since: nothing written
    assert path.stat().st_ino == flushed.st_ino


async def test_a_call_that_reads_writes_nothing(local_settings: Settings) -> None:
    """get_state's path (resolve a named session, read its state) leaves sessions.json as it was, even
    when the session it names is not the latest; closing the service then writes the new latest."""
    path = local_settings.data_dir / "sessions.json"
    async with NemoService.open(local_settings) as service:
        first = await service.workspace.new_session()
        second = await service.workspace.new_session()
        before = path.stat()
        for sid in (first, second, first):
            view = await service.state(sid)
            assert view.session_id == sid
        await service.credits()
        after = path.stat()
        assert (after.st_ino, after.st_mtime_ns, after.st_size) == (
            before.st_ino,
            before.st_mtime_ns,
            before.st_size,
        )
        assert await service.workspace.latest_id() == first
    assert json.loads(path.read_text())[local_settings.scope]["latest"] == first
