"""Loudness is measured as BS.1770 / EBU R128 defines it, every mix is normalised to it, "30 %" is a level
heard as such, and music is there offline: a synthesised piece for each mood."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from nemo_mcp.local.render import loudness, music
from nemo_mcp.local.render.clip import ClipSpec, render_clip, sample_image_path

RATE = 48_000


def _sine(freq: float, dbfs: float, seconds: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    result: np.ndarray = 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)
    return result


def _k_gain_db(freq: float, rate: int) -> float:
    """The K-weighting filter's gain at `freq`, from its transfer function (independent of how it is run)."""
    z = np.exp(-1j * 2 * np.pi * freq / rate)
    gain = 1.0 + 0j
    for b, a in loudness._biquads(rate):
        gain *= (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
    return 20 * math.log10(abs(gain))


@pytest.mark.parametrize("rate", [48_000, 44_100])
def test_a_sine_in_one_channel_measures_as_bs1770_says(rate: int) -> None:
    tone = _sine(997, -20.0, 10.0, rate)
    # Mean square of a sine is A^2 / 2; the filter's gain at 997 Hz is about +0.69 dB, which -0.691 cancels.
    expected = -0.691 + 10 * math.log10(0.5 * 10 ** (-20 / 10)) + _k_gain_db(997, rate)
    assert expected == pytest.approx(-23.0, abs=0.02)
    measured = loudness.integrated_loudness(np.stack([tone, np.zeros_like(tone)]), rate)
    assert measured == pytest.approx(expected, abs=0.01)
    both = loudness.integrated_loudness(np.stack([tone, tone]), rate)
    assert both == pytest.approx(expected + 10 * math.log10(2), abs=0.01)


def test_silence_is_gated_out() -> None:
    tone = _sine(440, -18.0, 4.0)
    with_silence = np.concatenate([tone, np.zeros(8 * RATE)])
    alone = loudness.integrated_loudness(np.stack([tone, tone]), RATE)
    # Within 0.3 LU: the blocks straddling the end of the tone are partly silent and pass the gate.
    gated = loudness.integrated_loudness(np.stack([with_silence, with_silence]), RATE)
    assert gated == pytest.approx(alone, abs=0.3)
    assert loudness.integrated_loudness(np.zeros((2, RATE)), RATE) == -math.inf


@pytest.mark.parametrize(("volume", "lufs"), [(1.0, -16.0), (0.5, -26.0), (0.3, -33.37), (0.25, -36.0)])
def test_volume_is_perceived_level(volume: float, lufs: float) -> None:
    assert loudness.target_for_volume(volume) == pytest.approx(lufs, abs=0.01)


@pytest.mark.parametrize(
    ("asked", "mood"),
    [("calm", "calm"), ("relaxing", "calm"), ("upbeat", "upbeat"), ("happy and energetic", "upbeat"),
     ("cinematic", "cinematic"), ("Epic", "cinematic"), ("jazz", "calm")],
)  # fmt: skip
def test_moods_and_the_words_people_use_for_them(asked: str, mood: str) -> None:
    chosen, note = music.choose_mood(asked)
    assert chosen == mood
    assert (note is None) == (asked != "jazz")


def test_the_pieces_are_distinct_seamless_and_the_same_every_time() -> None:
    pieces = {mood: music.synthesise(mood, 8.0) for mood in music.MOODS}
    assert all(p.shape == (2, 8 * RATE) for p in pieces.values())
    assert np.array_equal(music.synthesise("upbeat", 8.0), pieces["upbeat"]), "deterministic"
    spectra = [np.abs(np.fft.rfft(p[0, RATE : 5 * RATE])) for p in pieces.values()]
    for i in range(3):
        for j in range(i + 1, 3):
            assert np.corrcoef(spectra[i], spectra[j])[0, 1] < 0.6, "three different pieces"
    loop = music._loop("calm")
    seam = np.abs(loop[:, 0] - loop[:, -1]).max()
    assert seam < 5 * np.abs(np.diff(loop, axis=1)).max(), "no click where the loop repeats"


def _decoded(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


@pytest.mark.parametrize("mood", ["calm", "upbeat", "cinematic"])
@pytest.mark.parametrize("volume", [1.0, 0.3])
def test_mood_music_is_mixed_at_the_target_loudness(tmp_path: Path, mood: str, volume: float) -> None:
    out = tmp_path / "clip.mp4"
    spec = ClipSpec(
        image=sample_image_path(), width=160, height=90, duration_s=6.0, music_mood=mood, music_volume=volume
    )
    result = render_clip(spec, out)
    target = loudness.target_for_volume(volume)
    assert result.has_audio
    assert result.loudness_lufs == pytest.approx(target, abs=0.05)
    assert result.music_track is not None
    assert mood in result.music_track
    assert "no third-party licence" in result.music_track
    audio = _decoded(out)
    assert loudness.integrated_loudness(audio, RATE) == pytest.approx(target, abs=1.0), "as heard, after AAC"
    assert float(np.abs(audio[:, : RATE // 100]).max()) < 0.5 * float(np.abs(audio).max()), "fades in"
    assert float(np.abs(audio[:, -RATE // 100 :]).max()) < 0.1 * float(np.abs(audio).max()), "fades out"


def test_thirty_percent_of_a_quiet_song_is_heard_as_thirty_percent(tmp_path: Path) -> None:
    song = tmp_path / "quiet.wav"
    tone = _sine(330, -28.0, 5.0, 44_100) * (1 + 0.3 * np.sin(2 * np.pi * 2 * np.arange(5 * 44_100) / 44_100))
    with wave.open(str(song), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44_100)
        out.writeframes(np.repeat((tone * 32767).astype("<i2"), 2).tobytes())
    clip = tmp_path / "clip.mp4"
    result = render_clip(
        ClipSpec(
            image=sample_image_path(), width=160, height=90, duration_s=4.0, music=song, music_volume=0.3
        ),
        clip,
    )
    assert result.music_track == "quiet.wav"
    # A linear 0.3 would have put it at about -36 LUFS whatever its own level; now: 17.4 LU under 100 %.
    assert loudness.integrated_loudness(_decoded(clip), RATE) == pytest.approx(-33.37, abs=1.0)
