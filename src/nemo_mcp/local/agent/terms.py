"""The words a clip is planned in (formats, motions, speeds, places, moods, duration limits), apart from the
parser that reads them: importing `understanding` compiles hundreds of patterns (~100 ms), which the
backend pays with the first message instead of at start."""

from __future__ import annotations

from typing import Literal

Aspect = Literal["16:9", "9:16", "1:1", "4:5"]
Resolution = Literal["720p", "1080p"]
Motion = Literal["zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down", "ken_burns", "static"]
Speed = Literal["slow", "normal", "fast"]
Position = Literal["top", "center", "bottom"]
Fit = Literal["fit", "crop"]

MIN_DURATION_S = 1.0
MAX_DURATION_S = 30.0
MOODS = ("calm", "upbeat", "cinematic", "melancholic", "romantic")
# `music` values that are not a mood or a file name
MUSIC_ANY = "any"  # music, no preference: the uploaded audio if there is one, else the default mood
MUSIC_UPLOADED = "uploaded"  # the audio file the person uploaded
