"""Background music without a network or an upload: one short piece per mood, synthesised with NumPy.

Synthesised, not bundled: no recording to license, nothing to download, a few KB of code, and the
same notes every time (deterministic; the only noise, for drums, comes from a fixed seed). Each piece
is a four-bar loop whose tails wrap round to its start, so it repeats seamlessly for any clip length.
The sound is simple additive synthesis (a few harmonics per note, shaped by attack/decay envelopes):
pleasant background, not a production.

Moods: calm, upbeat, cinematic. Other words people use map to the nearest of those; anything else
gets the calm piece, and the description says so.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nemo_mcp.local.render import loudness
from nemo_mcp.local.render.audio import SAMPLE_RATE, fade, load_music

MOODS = ("calm", "upbeat", "cinematic")
DEFAULT_MOOD = "calm"
LICENCE = "synthesised by nemo-mcp at render time: no recording, no third-party licence (MIT, like the code)"
SYNONYMS = {
    "calm": ("calm", "relax", "peace", "gentle", "soft", "quiet", "ambient", "chill", "serene", "slow",
             "soothing", "tranquil", "romantic", "dreamy", "lofi", "lo-fi", "mellow", "background"),
    "upbeat": ("upbeat", "happy", "energetic", "fun", "cheerful", "lively", "party", "pop", "bright",
               "positive", "joyful", "dance", "fast", "playful", "summer", "exciting"),
    "cinematic": ("cinematic", "epic", "dramatic", "emotional", "inspiring", "inspirational", "grand",
                  "trailer", "film", "movie", "orchestral", "heroic", "tense", "sad", "dark", "majestic"),
}  # fmt: skip
TITLES = {"calm": "Still Water", "upbeat": "Bright Steps", "cinematic": "Far Horizon"}


@dataclass(frozen=True)
class Music:
    samples: np.ndarray  # float32 (2, n) at SAMPLE_RATE, faded and loudness-normalised
    loudness_lufs: float | None  # as measured after normalising (None: silent)
    track: str  # what a person is told: the piece, its mood and licence, or the file


def choose_mood(asked: str) -> tuple[str, str | None]:
    """The mood to play for `asked`, and a note when it is not what was asked for."""
    words = asked.lower().replace("_", " ").replace("-", " ").split()
    for mood, names in SYNONYMS.items():
        if any(word.startswith(name) for word in words for name in names):
            return mood, None
    return DEFAULT_MOOD, f"no {asked!r} piece: playing the {DEFAULT_MOOD} one"


def prepare(path: Path | None, mood: str | None, duration_s: float, volume: float) -> Music:
    """The music for a clip: the file at `path`, else the piece for `mood`; normalised to `volume`."""
    if path is not None:
        raw = load_music(path, duration_s, 1.0)
        track = path.name
    else:
        chosen, note = choose_mood(mood or DEFAULT_MOOD)
        raw = synthesise(chosen, duration_s)
        track = f'"{TITLES[chosen]}", {chosen}, {LICENCE}' + (f" ({note})" if note else "")
    samples, measured = loudness.normalise(raw, SAMPLE_RATE, volume)
    np.clip(samples, -1.0, 1.0, out=samples)
    return Music(samples=samples, loudness_lufs=measured, track=track)


def synthesise(mood: str, duration_s: float) -> np.ndarray:
    """`duration_s` of the mood's loop, (2, n) float32, faded in and out."""
    loop = _loop(mood)
    wanted = round(duration_s * SAMPLE_RATE)
    reps = -(-wanted // loop.shape[1])
    samples = np.tile(loop, (1, reps))[:, :wanted].astype(np.float32)
    fade(samples, have=wanted)
    return samples


# --- the pieces -------------------------------------------------------------------------------------

Note = tuple[float, float, int, str, float]  # start beat, length in beats, MIDI note, voice, pan (-1..1)
_ROOTS = {"C": 60, "D": 62, "E": 64, "F": 65, "G": 67, "A": 69, "B": 71, "Bb": 70}


def _chord(name: str, kind: str) -> list[int]:
    root = _ROOTS[name]
    return [root + step for step in {"maj7": (0, 4, 7, 11), "m7": (0, 3, 7, 10), "maj": (0, 4, 7),
                                     "min": (0, 3, 7), "6": (0, 4, 7, 9)}[kind]]  # fmt: skip


def _calm() -> tuple[float, list[Note]]:
    notes: list[Note] = []
    for bar, (name, kind) in enumerate((("C", "maj7"), ("A", "m7"), ("F", "maj7"), ("G", "6"))):
        chord = _chord(name, kind)
        notes += [(bar * 4.0, 4.0, pitch - 12, "pad", (i - 1.5) / 3) for i, pitch in enumerate(chord)]
        notes.append((bar * 4.0, 4.0, chord[0] - 24, "pad", 0.0))
        for beat, tone in ((0.0, 2), (1.5, 3), (2.5, 1), (3.0, 2)):
            notes.append((bar * 4.0 + beat, 1.5, chord[tone] + 12, "bell", 0.3 - 0.2 * tone / 3))
    return 66.0, notes


def _upbeat() -> tuple[float, list[Note]]:
    notes: list[Note] = []
    for bar, (name, kind) in enumerate((("C", "maj"), ("G", "maj"), ("A", "min"), ("F", "maj"))):
        chord = _chord(name, kind)
        root = chord[0] - (24 if chord[0] < 66 else 36)
        notes += [(bar * 4.0 + half / 2, 0.45, root, "bass", 0.0) for half in range(8)]
        arp = [*chord, chord[1] + 12]
        notes += [(bar * 4.0 + i / 4, 0.3, arp[(i + i // 8) % 4], "pluck", 0.4 if i % 2 else -0.4)
                  for i in range(16)]  # fmt: skip
        notes += [(bar * 4.0 + beat, 0.5, 0, "kick", 0.0) for beat in range(4)]
        notes += [(bar * 4.0 + beat + 0.5, 0.25, 0, "hat", 0.3) for beat in range(4)]
        notes += [(bar * 4.0 + beat, 0.4, 0, "snare", -0.1) for beat in (1, 3)]
    return 118.0, notes


def _cinematic() -> tuple[float, list[Note]]:
    notes: list[Note] = []
    for bar, (name, kind) in enumerate((("D", "min"), ("Bb", "maj"), ("F", "maj"), ("C", "maj"))):
        chord = _chord(name, kind)
        notes += [(bar * 4.0, 4.0, pitch - 12, "strings", (i - 1) / 2) for i, pitch in enumerate(chord)]
        notes.append((bar * 4.0, 4.0, chord[0] - 24, "strings", 0.0))
        notes.append((bar * 4.0, 4.0, 38, "drone", 0.0))
        notes.append((bar * 4.0, 2.0, 0, "timpani", 0.0))
        if bar % 2:
            notes.append((bar * 4.0 + 2.0, 2.0, 0, "timpani", 0.0))
        notes.append((bar * 4.0 + 1.0, 3.0, chord[2] + 12, "strings", 0.2))
    return 70.0, notes


_PIECES = {"calm": _calm, "upbeat": _upbeat, "cinematic": _cinematic}
# Voice: (harmonic amplitudes, attack s, decay time constant s (None: sustained), release s, level)
_VOICES: dict[str, tuple[tuple[float, ...], float, float | None, float, float]] = {
    "pad": ((1.0, 0.25, 0.08), 0.8, None, 1.2, 0.10),
    "bell": ((1.0, 0.0, 0.12, 0.0, 0.05), 0.005, 0.6, 0.3, 0.10),
    "bass": ((1.0, 0.5, 0.3, 0.15), 0.005, 0.18, 0.05, 0.22),
    "pluck": ((1.0, 0.4, 0.15), 0.003, 0.12, 0.05, 0.08),
    "strings": (tuple(1.0 / n for n in range(1, 7)), 1.2, None, 1.5, 0.07),
    "drone": ((1.0, 0.5, 0.3), 2.0, None, 2.0, 0.10),
}


@functools.cache
def _loop(mood: str) -> np.ndarray:
    """One seamless loop of the mood's piece, (2, n) float32, peaking at 0.5."""
    bpm, notes = _PIECES[mood]()
    beat = 60.0 / bpm
    length = round(16 * beat * SAMPLE_RATE)
    tail = round(3.0 * SAMPLE_RATE)
    out = np.zeros((2, length + tail))
    rng = np.random.default_rng(12)  # the drums' noise: fixed, so every render sounds the same
    for start, beats, pitch, voice, pan in notes:
        sound = _voice(voice, pitch, beats * beat, rng)
        at = round(start * beat * SAMPLE_RATE)
        end = min(at + sound.size, out.shape[1])
        out[0, at:end] += sound[: end - at] * np.sqrt((1 - pan) / 2)
        out[1, at:end] += sound[: end - at] * np.sqrt((1 + pan) / 2)
    out[:, :tail] += out[:, length:]  # what rings past the end sounds at the start of the next pass
    loop = out[:, :length] / max(1e-9, float(np.abs(out[:, :length]).max()))
    # A soft saturation rounds off the drum peaks, so the loudness target is reachable below -1 dBFS.
    shaped: np.ndarray = (0.5 * np.tanh(1.5 * loop) / np.tanh(1.5)).astype(np.float32)
    return shaped


def _voice(voice: str, pitch: int, seconds: float, rng: np.random.Generator) -> np.ndarray:
    if voice in ("kick", "snare", "hat", "timpani"):
        return _drum(voice, rng)
    harmonics, attack, decay, release, level = _VOICES[voice]
    n = round((seconds + release) * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / np.float32(SAMPLE_RATE)
    freq = 440.0 * 2 ** ((pitch - 69) / 12)
    envelope = np.minimum(1.0, t / attack)
    if decay is not None:
        envelope *= np.exp(-t / decay)
    envelope *= np.clip((seconds + release - t) / release, 0.0, 1.0)
    wave = _partials(freq, t, harmonics)
    if voice in ("pad", "strings", "drone"):  # a slightly detuned second voice: a gentle chorus
        wave = 0.5 * (wave + _partials(freq * 1.003, t, harmonics))
    result: np.ndarray = level * envelope * wave
    return result


def _partials(freq: float, t: np.ndarray, harmonics: Iterable[float]) -> np.ndarray:
    wave = np.zeros_like(t)
    for k, amplitude in enumerate(harmonics, start=1):
        if amplitude and freq * k < SAMPLE_RATE / 2.5:
            wave += np.float32(amplitude) * np.sin(np.float32(2 * np.pi * freq * k) * t)
    return wave


def _drum(voice: str, rng: np.random.Generator) -> np.ndarray:
    seconds = {"kick": 0.35, "snare": 0.25, "hat": 0.06, "timpani": 2.0}[voice]
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    if voice in ("kick", "timpani"):
        high, low, drop, decay, level = (
            (110.0, 48.0, 0.04, 0.12, 0.28) if voice == "kick" else (98.0, 73.0, 0.3, 0.7, 0.35)
        )
        phase = 2 * np.pi * np.cumsum(low + (high - low) * np.exp(-t / drop)) / SAMPLE_RATE
        sound: np.ndarray = level * np.exp(-t / decay) * np.sin(phase)
        return sound
    noise = rng.standard_normal(t.size)
    noise = np.diff(noise, prepend=0.0) if voice == "hat" else noise  # differencing: brighter
    level, decay = (0.05, 0.015) if voice == "hat" else (0.12, 0.06)
    drum: np.ndarray = level * np.exp(-t / decay) * noise
    return drum
