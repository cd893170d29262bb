"""The CPU renderer. `clip.render_clip` is the pipeline; what the camera sees is `scene` (with `subject`,
`framing`, `backdrop`, `motion`); each frame is made by `frames`; titles by `title` with `fonts`; sound by
`music` (mood pieces, the mix, loudness via `loudness`) and `audio` (decoding, AAC); `images` and `probe`
read what was uploaded; `quality` holds the measures the tests and benchmarks use. docs/rendering.md
explains the choices."""
