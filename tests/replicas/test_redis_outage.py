"""Redis stopped and started again: every tool says so clearly, nothing runs on local state, health follows.
(And the HTTP face of a replica: Host checks with the public name, stateless answers.)

Falling back to what a replica remembers is how a turn gets sent twice, so while Redis is away no call
reaches the backend to change anything; once it is back the same replicas work again without a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from nemo_mcp.local.runner import LocalBackend
from tests.replicas.conftest import Cluster
from tests.replicas.helpers import PUBLIC_HOST, RedisServer, connect
from tests.replicas.test_any_replica import SHORT, ok
from tests.server.conftest import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

UNAVAILABLE = "The shared state (Redis) cannot be reached"
# Reading the balance changes nothing; everything else would.
READ_ONLY_ROUTES = {"credits"}


async def check_http(cluster: Cluster) -> None:
    """Each replica: its own names and the public one are served, any other Host refused; stateless."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    async with httpx2.AsyncClient(timeout=10) as http:
        for replica in (cluster.a, cluster.b):
            url = f"http://127.0.0.1:{replica.port}/mcp"
            headers = {"Accept": "application/json, text/event-stream", "Host": "evil.example"}
            assert (await http.post(url, json=body, headers=headers)).status_code == 421
            served = await http.post(url, json=body, headers={**headers, "Host": PUBLIC_HOST})
            assert served.status_code == 200, served.text
            assert "mcp-session-id" not in served.headers  # nothing ties a client to a replica


async def health(cluster: Cluster) -> list[int]:
    async with httpx2.AsyncClient(timeout=10) as http:
        return [
            (await http.get(f"http://127.0.0.1:{replica.port}/healthz")).status_code
            for replica in (cluster.a, cluster.b)
        ]


async def test_redis_stopped_and_restarted(
    start_cluster: Callable[..., Cluster], backend: LocalBackend, redis_server: RedisServer, sample_png: Path
) -> None:
    cluster = start_cluster()
    await check_http(cluster)
    assert await health(cluster) == [200, 200]
    async with connect(cluster.balancer, legacy=True) as older:
        # An older client: initialize on one replica, then calls on both (no "Session not found").
        for _ in range(3):
            assert ok(await older.call_tool("get_credits", {}))["available"] > 0
    assert len(set(cluster.balancer.served)) == 2
    async with connect(cluster.balancer) as client:
        sid = ok(await client.call_tool("upload", {"source": str(sample_png), "new_session": True}))[
            "session_id"
        ]
        redis_server.stop()
        assert await health(cluster) == [503, 503]
        before = {k: v for k, v in backend.stats.requests.items() if k not in READ_ONLY_ROUTES}
        calls: list[tuple[str, dict[str, object]]] = [
            ("get_state", {"session_id": sid}),
            ("get_state", {}),
            ("animate_image", {"instruction": SHORT, "session_id": sid}),
            ("animate_image", {"instruction": SHORT}),
            ("upload", {"source": str(sample_png)}),
            ("export", {"session_id": sid}),
            ("get_credits", {}),
        ]
        for name, args in calls:
            result = await client.call_tool(name, args)
            assert result.is_error, (name, result.structured_content)
            assert UNAVAILABLE in text_of(result), (name, text_of(result))
            assert "try again in a moment" in text_of(result).lower()
        after = {k: v for k, v in backend.stats.requests.items() if k not in READ_ONLY_ROUTES}
        assert after == before  # no session, upload, message or render went out on local state
        assert backend.stats.messages_for(sid) == []

        redis_server.start()  # the same port; its memory is empty, as after a real restart without persistence
        assert await health(cluster) == [200, 200]
        for _ in range(2):  # both replicas, round robin
            credits = ok(await client.call_tool("get_credits", {}))
            assert credits["available"] > 0
        again = ok(await client.call_tool("upload", {"source": str(sample_png), "new_session": True}))
        assert again["session_id"] != sid
