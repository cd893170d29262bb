"""Replicas: `serve --http` with Redis, several processes behind a load balancer answering any call.

Imported only when Redis is configured (it needs the `hosted` extra: redis, PyJWT, cryptography).
docs/scale-out.md is the design; docs/deploy.md how to run it.

config.py     SharedSettings: Redis URL, lease, secret key, OAuth issuer/audience/JWKS, public URL
keys.py       every Redis key and its lifetime
scripts.py    the Lua scripts: start, fenced write, renew, release, claim, find, cancel, sessions
redis_io.py   the connection pools (tools, leases, the reader) and the error every failure becomes
codec.py      results, errors, progress and snapshots as text
hub.py        the one pub/sub reader per replica, fanning events out to the calls waiting here
job.py        RedisJob (a job as read), RedisControl (what the owner's work writes, fenced)
engine.py     this replica's part: start, own, renew, reap (take over), hand over on SIGTERM
board.py      RedisJobs: one user's board (board.Jobs)
stores.py     one user's sessions, render handles, encrypted token and exports in Redis
identity.py   user key, client id and token encryption, all derived from NEMO_MCP_SECRET_KEY
oauth.py      the OAuth 2.1 resource server: JWT verification against a JWKS, RFC 9728 metadata
tenants.py    Replica: the process's Redis, engine and HTTP client, and one ServerState per user
http.py       the stateless HTTP app, /healthz, and uvicorn with SIGTERM as a handover
"""
