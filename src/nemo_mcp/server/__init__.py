"""The MCP surface, and the only layer (with the CLI) that imports `mcp`.

app.py         build_server: instructions, annotations, the prompt, resources, the lifespan
transports.py  stdio, or streamable HTTP with DNS-rebinding protection
jobs.py        long work owned by the server: bounded waits, handles, progress to every waiting call
board.py       what the tools see of jobs (Jobs, JobView, JobControl); LocalJobs over jobs.py
exported.py    what nemo://exports lists (per process, or per user in Redis)
results.py     the tools' result models (their output schemas)
tools/         one module per tool family: media (upload, animate_image), state, export; common.py, guarded.py
shared/        replicas: state in Redis, leases, takeover, OAuth users (imported only with Redis)
"""
