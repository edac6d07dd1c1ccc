"""Rendering one track: write its score, play every part into its bus, mix and master."""

from __future__ import annotations

import numpy as np

from genrelib.config import GTZAN_GENRES, SAMPLE_RATE
from genrelib.datasets.synthetic import effects
from genrelib.datasets.synthetic.arrangement import write_song
from genrelib.datasets.synthetic.artists import make_artist, track_artist
from genrelib.datasets.synthetic.kit import DrumKit
from genrelib.datasets.synthetic.mixdown import apply_bus_effects, master, mix_buses
from genrelib.datasets.synthetic.oscillators import midi_to_hz, render_note
from genrelib.datasets.synthetic.score import Part, Song
from genrelib.datasets.synthetic.styles import check_genre, draw

#: Bump whenever the sound changes: cached synthetic datasets are then regenerated.
SYNTHETIC_VERSION = 2

_DRUM_GAIN = {"kick": 1.0, "snare": 0.8, "hat": 0.3, "ohat": 0.3, "ride": 0.3, "crash": 0.35, "clap": 0.7,
              "rim": 0.45, "brush": 0.35, "tom": 0.6}


def _play_part(part: Part, bus: np.ndarray, onsets: np.ndarray, kit: DrumKit, spb: float, sr: int) -> None:
    """Add every event of ``part`` at its onset (s) into ``bus``; notes of one length and
    pitch are rendered once, chord notes of a strummed part are spread by ``part.strum``."""
    cache: dict[tuple[object, int], np.ndarray] = {}
    chord_pos: dict[float, int] = {}
    for (beat, pitch, length, vel), onset in zip(part.events, onsets):
        if part.timbre is None:
            wave = kit[str(pitch)]
            gain = vel * _DRUM_GAIN[str(pitch)]
        else:
            n_len = int(length * spb * sr)
            key = (pitch, n_len)
            wave = cache.get(key)
            if wave is None:
                wave = render_note(midi_to_hz(float(pitch)), n_len, sr, part.timbre)  # type: ignore[arg-type]
                cache[key] = wave
            gain = vel
            if part.strum:
                k = chord_pos.get(beat, 0)
                chord_pos[beat] = k + 1
                onset += k * part.strum
        effects.place(bus, int(round(onset * sr)), wave, gain)


def _render_parts(parts: list[Part], song: Song, kit: DrumKit, n: int, sr: int, timing: float,
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Bus name -> float32 (n,): the parts played with ``timing`` ms of onset jitter."""
    buses: dict[str, np.ndarray] = {}
    for part in parts:
        if not part.events:
            continue
        bus = buses.setdefault(part.bus, np.zeros(n, dtype=np.float32))
        beats = np.array([e[0] for e in part.events])
        onsets = song.grid.seconds(beats) + rng.normal(0.0, timing / 1000.0, size=beats.size)
        _play_part(part, bus, onsets, kit, 60.0 / song.grid.bpm, sr)
    return buses


def render_track(genre: str, *, track_seed: int = 0, seed: int = 0, seconds: float = 30.0,
                 sample_rate: int = SAMPLE_RATE, artist: int | None = None) -> np.ndarray:
    """Synthesise one clip of ``genre`` without writing files: float32 mono of shape
    (round(seconds * sample_rate),), peak <= 0.98.

    ``track_seed`` is the track's number within its genre and ``seed`` the dataset seed:
    ``render_track("disco", track_seed=7, seed=0)`` is ``disco.00007.wav`` of the dataset
    generated with ``seed=0`` and the same ``seconds`` (before 16-bit rounding). ``artist``
    (an index 0-5) replaces the track's own artist (``track_seed % 6``), to hear the same
    track "played by" someone else. Raises ValueError for an unknown genre.
    Notebook: 01_data.ipynb
    """
    check_genre(genre)
    if seconds <= 0 or sample_rate <= 0:
        raise ValueError(f"seconds and sample_rate must be positive, got {seconds} and {sample_rate}")
    if artist is None:
        style = track_artist(genre, track_seed, seed=seed).style
    else:
        style = make_artist(genre, int(artist), seed=seed).style
    rng = np.random.default_rng([seed, GTZAN_GENRES.index(genre), 104729, track_seed])
    sr = int(sample_rate)
    n = int(round(seconds * sr))
    song, parts = write_song(style, rng, seconds)
    kit = DrumKit(style, int(rng.integers(2**62)), sr)
    buses = _render_parts(parts, song, kit, n, sr, draw(rng, style["timing_ms"]), rng)
    apply_bus_effects(buses, style, rng, bpm=song.grid.bpm, sample_rate=sr)
    mix = mix_buses(buses, style, rng, n=n, sample_rate=sr)
    return master(mix, style, rng, sample_rate=sr)
