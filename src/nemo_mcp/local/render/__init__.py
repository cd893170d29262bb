"""The CPU renderer: `clip.render_clip` (the pipeline), `motion` (camera paths), `frames` (BT.709 planes),
`title`, `music`, `images` (defensive image loading), `probe` (audio and video by content). `spec` says what a
clip is without loading any of them (Pillow, PyAV, NumPy): the agent and the render queue import only it."""
