"""The embedded local backend: the NemoVideo HTTP contract served on loopback, rendered on the CPU.

It shares nothing with the client but the contract (`../shared/nemo-api.md`):

    runner.py        LocalBackend: uvicorn in a thread of its own, or in the foreground
    context.py       options and the state the routes share
    routes/          the HTTP face, one module per group of endpoints (app.py assembles them)
    agent/           the local "video agent": instructions read, a clip planned, a turn carried out
    render/          the renderer: camera paths, frames, titles, music, H.264/AAC
    render_queue.py  render jobs on worker threads, cached by what they show, resumed after a restart
    store.py         tokens, credits, sessions, uploads and renders on disk
    faults.py        the fault plan tests use; stats.py: what the backend has seen
"""
