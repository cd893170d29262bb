"""The MCP surface, and the only layer (with the CLI) that imports `mcp`.

app.py         build_server: instructions, annotations, the prompt, resources, the lifespan
transports.py  stdio, or streamable HTTP with DNS-rebinding protection
jobs.py        long work owned by the server: bounded waits, handles, progress to every waiting call
results.py     the tools' result models (their output schemas)
tools/         one module per tool family: media (upload, animate_image), state, export; common.py
"""
