"""The Lua scripts: each is one atomic step that several replicas may race for.

A job's owner holds `lease:<id>` = "<replica>:<epoch>". Every write by the owner goes through FENCED, which
first checks that the lease still names it: a replica paused past its lease, or cut off from Redis, finds
another name there (or none) and writes nothing. CLAIM takes an expired lease with epoch + 1.
"""

from __future__ import annotations

# KEYS: current index, session job list, running zset. ARGV: prefix, id, kind, token, lease ms, now ms,
# ttl ms, then field/value pairs of the new job. A running turn refuses; an export running or not yet
# collected is joined; else the job is created with its lease, in one step.
START = """
local cur = redis.call('GET', KEYS[1])
if cur then
  local st = redis.call('HMGET', ARGV[1] .. 'job:' .. cur, 'status', 'collected')
  if st[1] == 'running' then return {'running', cur} end
  if st[1] and ARGV[3] == 'export' and st[2] ~= '1' then return {'exists', cur} end
end
local id = ARGV[2]
local job = ARGV[1] .. 'job:' .. id
redis.call('HSET', job, unpack(ARGV, 8))
redis.call('PEXPIRE', job, ARGV[7])
redis.call('SET', ARGV[1] .. 'lease:' .. id, ARGV[4], 'PX', ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[6], id)
redis.call('SET', KEYS[1], id, 'PX', ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[6], id)
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -11)
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return {'new', id}
"""

# KEYS: lease, job, running zset. ARGV: token, ttl ms, channel, message ('' for none), finish ('1'/'0'),
# job id, then field/value pairs. Returns 0, writing nothing, unless the lease names the caller.
FENCED = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], 'writer', ARGV[1], unpack(ARGV, 7))
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if ARGV[5] == '1' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[6])
end
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return 1
"""

# KEYS: lease. ARGV: token, lease ms.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# KEYS: lease. ARGV: token. Shutting down: give the lease up at once, so a reaper need not wait it out.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: lease, job, running zset. ARGV: replica, lease ms, job id. Take over a running job whose lease
# expired: its epoch goes up by one, so the old owner's token can never match again.
CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
if redis.call('HGET', KEYS[2], 'status') ~= 'running' then
  redis.call('ZREM', KEYS[3], ARGV[3])
  return false
end
local epoch = redis.call('HINCRBY', KEYS[2], 'epoch', 1)
local token = ARGV[1] .. ':' .. epoch
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
redis.call('HSET', KEYS[2], 'owner', ARGV[1])
return token
"""

# KEYS: current index. ARGV: prefix. The newest job of a kind for a session, as field/value pairs.
FIND = """
local id = redis.call('GET', KEYS[1])
if not id then return false end
local fields = redis.call('HGETALL', ARGV[1] .. 'job:' .. id)
if #fields == 0 then return false end
table.insert(fields, 'id')
table.insert(fields, id)
return fields
"""

# KEYS: session job list. ARGV: prefix, collect ('1': mark the finished ones collected, '0': read them).
SESSION_JOBS = """
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local job = ARGV[1] .. 'job:' .. id
  local fields = redis.call('HGETALL', job)
  if #fields > 0 then
    if ARGV[2] == '1' then
      local status = redis.call('HGET', job, 'status')
      if status ~= 'running' then redis.call('HSET', job, 'collected', '1') end
    else
      table.insert(fields, 'id')
      table.insert(fields, id)
      table.insert(out, fields)
    end
  end
end
return out
"""

# KEYS: job. Mark a finished job collected (never recreating an expired one).
COLLECT = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'collected', '1') end
return 1
"""

# KEYS: job. ARGV: channel, message. Ask the owner of a running job to stop it.
CANCEL = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'cancel', '1')
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
"""

# KEYS: sessions, replaced. ARGV: session id. A session, following replacements (at most ten).
SESSION_GET = """
local sid = ARGV[1]
for _ = 1, 10 do
  local newer = redis.call('HGET', KEYS[2], sid)
  if not newer or newer == sid then break end
  sid = newer
end
return redis.call('HGET', KEYS[1], sid)
"""

# KEYS: sessions, latest.
SESSION_LATEST = """
local sid = redis.call('GET', KEYS[2])
if not sid then return false end
return redis.call('HGET', KEYS[1], sid)
"""

# KEYS: sessions, latest. ARGV: session id, ttl s.
SESSION_TOUCH = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
end
return 1
"""

__all__ = [
    "CANCEL",
    "CLAIM",
    "COLLECT",
    "FENCED",
    "FIND",
    "RELEASE",
    "RENEW",
    "SESSION_GET",
    "SESSION_JOBS",
    "SESSION_LATEST",
    "SESSION_TOUCH",
    "START",
]
