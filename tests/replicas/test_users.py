"""Two people on the same two replicas, each with a JWT from an issuer the test runs (RSA keys, a JWKS on
loopback): the server is an OAuth resource server, and nothing of one person's reaches the other.

The backend proves the identities: it saw two client ids (one per person, derived by the server) and never
one of the MCP bearer tokens. Hosted mode: uploads by URL only, exports as download links, no file on the
replicas' disks, and `nemo://exports` lists only the caller's clips.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client

from nemo_mcp.local.runner import LocalBackend
from nemo_mcp.local.stats import bearer_digest
from tests.replicas.conftest import Cluster
from tests.replicas.helpers import PUBLIC_HOST, PUBLIC_URL, Issuer, connect
from tests.replicas.test_any_replica import SHORT, ok
from tests.server.conftest import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

AUDIENCE = f"{PUBLIC_URL}/mcp"
METADATA = f"{PUBLIC_URL}/.well-known/oauth-protected-resource/mcp"


@pytest.fixture
def issuer(sample_png: Path) -> Iterator[Issuer]:
    server = Issuer(files={"/photo.png": sample_png.read_bytes()}).start()
    try:
        yield server
    finally:
        server.stop()


def hosted(start_cluster: Callable[..., Cluster], issuer: Issuer) -> Cluster:
    return start_cluster(
        NEMO_MCP_AUTH_ISSUER=issuer.issuer,
        NEMO_MCP_AUTH_AUDIENCE=AUDIENCE,
        NEMO_MCP_AUTH_JWKS_URL=issuer.jwks_url,
    )


async def exports_of(client: Client) -> list[dict[str, Any]]:
    read = await client.read_resource("nemo://exports")
    text = read.contents[0]
    assert hasattr(text, "text")
    listing: list[dict[str, Any]] = json.loads(text.text)
    return listing


async def test_without_a_valid_token_the_answer_is_401_with_the_metadata_link(
    start_cluster: Callable[..., Cluster], issuer: Issuer
) -> None:
    cluster = hosted(start_cluster, issuer)
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"Accept": "application/json, text/event-stream", "Host": PUBLIC_HOST}
    bad = {
        "missing": None,
        "wrong audience": issuer.token("alice", audience="http://elsewhere.test/mcp"),
        "expired": issuer.token("alice", audience=AUDIENCE, expires_in=-120),
        "foreign key": Issuer().token("alice", audience=AUDIENCE, issuer=issuer.issuer),
        "another issuer": issuer.token("alice", audience=AUDIENCE, issuer="http://elsewhere.test"),
    }
    async with httpx2.AsyncClient(timeout=10, base_url=f"http://127.0.0.1:{cluster.a.port}") as http:
        for case, token in bad.items():
            auth = {"Authorization": f"Bearer {token}"} if token else {}
            refused = await http.post("/mcp", json=body, headers={**headers, **auth})
            assert refused.status_code == 401, case
            assert f'resource_metadata="{METADATA}"' in refused.headers["www-authenticate"], case
        for path in ("/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"):
            metadata = (await http.get(path, headers={"Host": PUBLIC_HOST})).json()
            assert metadata["resource"] == AUDIENCE
            assert metadata["authorization_servers"] == [issuer.issuer]
        good = issuer.token("alice", audience=AUDIENCE)
        served = await http.post("/mcp", json=body, headers={**headers, "Authorization": f"Bearer {good}"})
        assert served.status_code == 200, served.text
        assert (await http.get("/healthz")).status_code == 200  # health needs no token


async def test_two_users_share_nothing(
    start_cluster: Callable[..., Cluster],
    issuer: Issuer,
    backend: LocalBackend,
    sample_png: Path,
    tmp_path: Path,
) -> None:
    cluster = hosted(start_cluster, issuer)
    alice_token = issuer.token("alice", audience=AUDIENCE)
    bob_token = issuer.token("bob", audience=AUDIENCE)
    photo = f"{issuer.base}/photo.png"
    async with connect(cluster.balancer, alice_token) as alice, connect(cluster.balancer, bob_token) as bob:
        assert "This server is hosted" in (alice.instructions or "")
        # Hosted: a path names the server's disk, never the person's.
        refused = await alice.call_tool("upload", {"source": str(sample_png)})
        assert refused.is_error
        assert "not an http(s) URL" in text_of(refused)
        assert "hosted" in text_of(refused)

        sid = ok(await alice.call_tool("upload", {"source": photo}))["session_id"]
        done = ok(
            await alice.call_tool(
                "animate_image", {"instruction": SHORT, "session_id": sid, "wait_seconds": 50}
            )
        )
        assert done["status"] == "done", done

        for name, args in (("get_state", {"session_id": sid}), ("export", {"session_id": sid})):
            other = await bob.call_tool(name, args)
            assert other.is_error, name
            assert "Unknown session id" in text_of(other), name
        empty = await bob.call_tool("get_state", {})
        assert empty.is_error
        assert "no session yet" in text_of(empty)

        exported = ok(await alice.call_tool("export", {"session_id": sid, "wait_seconds": 50}))
        assert exported["status"] == "done", exported
        assert exported["path"] is None
        url = exported["download_url"]
        async with httpx2.AsyncClient(timeout=30) as http:
            video = await http.get(url)
        assert video.status_code == 200
        assert video.content[4:8] == b"ftyp"
        assert [item["download_url"] for item in await exports_of(alice)] == [url]
        assert await exports_of(bob) == []

        alice_credits = ok(await alice.call_tool("get_credits", {}))
        bob_credits = ok(await bob.call_tool("get_credits", {}))
    assert alice_credits["available"] < bob_credits["available"]  # alice's clip was charged to alice alone
    # Nothing was written on either replica's disk.
    for name in ("a", "b"):
        assert not await anyio.Path(tmp_path / name / "out").exists()
    # Two NemoVideo identities, derived by the server; the MCP tokens never reached the backend.
    client_ids = json.loads((backend.data_dir / "tokens.json").read_text())
    assert len(client_ids) == 2
    assert all(cid.startswith("nemo-mcp-") and len(cid) <= 64 for cid in client_ids)
    seen = backend.stats.bearer_digests
    assert seen
    assert bearer_digest(alice_token) not in seen
    assert bearer_digest(bob_token) not in seen
