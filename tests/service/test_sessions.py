"""The session registry on disk: survives restarts, follows replacements, merges with another process."""

from __future__ import annotations

from pathlib import Path

from nemo_mcp.service.session_store import SessionRegistry, new_record


def test_registry_round_trip_and_replacements(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    registry = SessionRegistry(path, "http://a")
    registry.add(new_record("1", "task_1", "anon_1", "http://a"))
    registry.add(new_record("2", "task_2", "anon_1", "http://a"), replaces="1")
    again = SessionRegistry(path, "http://a")
    latest = again.latest
    assert latest is not None
    assert latest.session_id == "2"
    replaced = again.get("1")
    assert replaced is not None
    assert replaced.session_id == "2"
    assert SessionRegistry(path, "http://b").get("2") is None


def test_two_processes_do_not_lose_each_others_sessions(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    first = SessionRegistry(path, "http://a")
    second = SessionRegistry(path, "http://a")
    first.add(new_record("1", None, None, "http://a"))
    second.add(new_record("2", None, None, "http://a"))
    merged = SessionRegistry(path, "http://a")
    assert merged.get("1") is not None
    assert merged.get("2") is not None


def test_unreadable_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    path.write_text("[broken")
    registry = SessionRegistry(path, "http://a")
    assert registry.latest is None
    registry.add(new_record("1", None, None, "http://a"))
    assert SessionRegistry(path, "http://a").get("1") is not None
