"""The `nemo-mcp` command: `main.py` parses and dispatches, `commands.py` runs each command, `progress.py`
draws progress on the terminal, `embedded.py` builds the local backend when a command asks for it."""
