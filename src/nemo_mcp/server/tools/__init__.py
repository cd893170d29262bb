"""The tools: validate arguments, call the service (through a job for work that takes minutes), shape
a result. A `NemoError` becomes a `ToolError` carrying its message and hint (`common.errors`)."""
