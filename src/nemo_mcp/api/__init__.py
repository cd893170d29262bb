"""The wire: the NemoVideo HTTP contract (`../shared/nemo-api.md`) and nothing about MCP.

    client.py   NemoClient: every endpoint, the one request path, safe retries
    auth.py     client id, token cache, Authenticator (fetch, cache, renew the token)
    headers.py  the attribution headers, built in one place
    http.py     timeouts, envelopes, and `error_for`: the one mapping from an answer to an error
    stream.py   the /run_sse answer: framing by httpx-sse, refusals classified before the first event
    events.py   one event's data as typed events (both shapes of contract §4)
    wire.py     lenient wire models: every variant of §8 accepted and normalised once

Only this layer (and the embedded backend, which is a server) imports httpx.
"""
