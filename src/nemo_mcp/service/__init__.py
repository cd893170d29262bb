"""The domain: what nemo-mcp does with the API, with no MCP in it.

facade.py         NemoService: the parts below opened together, the state view, the credits
sessions.py       Workspace (what the parts share), Tuning (named waits), Snapshot of a session
session_store.py  the sessions this installation knows, in memory and on disk
uploads.py        local files and links checked, then sent
turns.py          one instruction, its stream followed to the end, never re-sent
exports.py        a render submitted or resumed, waited for, downloaded
renders.py        render handles on disk, the poll policy, the atomic download
media.py          what may be uploaded: allowed folders, type by content, size, pixel bombs
timeline.py       the draft as a person reads it, and what changed
replies.py        the agent's words made readable in a chat
progress.py       ProgressUpdate / ProgressSink / ProgressReporter
models.py         the strict models the surface reads; text.py: sizes and durations in words
"""
