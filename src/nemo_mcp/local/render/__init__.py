"""The CPU renderer. `clip.render_clip` is the pipeline; what the camera sees is `scene` (with `subject`,
`framing`, `backdrop`, `motion`); each frame is made by `frames`; titles by `title` with `fonts`; sound by
`music` (mood pieces, the mix, loudness via `loudness`) and `audio` (decoding, AAC); `images` and `probe`
read what was uploaded; `quality` holds the measures the tests and benchmarks use. `spec` says what a clip
is without loading any of them (Pillow, PyAV, NumPy): the agent and the render queue import only it, so the
embedded backend starts without the renderer. docs/rendering.md explains the choices."""
