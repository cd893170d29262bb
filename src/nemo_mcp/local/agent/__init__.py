"""The local video agent: `instructions` reads a message, `plan` keeps the clip as a plan and a draft,
`turns` decides what a message asks and carries it out (rendering a generated clip)."""
