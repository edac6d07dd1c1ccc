"""Synthetic GTZAN: ten genre-like classes of 30 s music, made on the fly, deterministically.

When no real data is given the book runs on this dataset, laid out exactly like GTZAN
(``genres/<genre>/<genre>.000NN.wav``, 22,050 Hz, mono, 16-bit) plus a ``tracks.csv``
with artists. Each class is defined by musically meaningful traits (``GENRE_TRAITS``):

* **tempo and swing** - e.g. reggae 64-92 BPM, metal 130-200 BPM; blues, jazz and hip-hop
  swing their eighths or sixteenths, the rest play straight;
* **drum pattern** - shuffle (blues), boom-chick and train beat (country), four-on-the-floor
  with off-beat open hats (disco), boom-bap (hip-hop), swing ride (jazz), double kick and
  blast beats (metal), backbeat (pop, rock), one drop (reggae), no drums (classical);
* **bass line** - boogie, walking, root-fifth, octave eighths, sub bass, palm-muted chugs;
* **harmony** - 12-bar dominant sevenths, ii-V-I, I-V-vi-IV, minor 9th vamps, power chords,
  two-chord reggae vamps, classical cadences;
* **timbre and sound** - instruments (harmonica, banjo, fiddle, clavinet, string stabs,
  sax, distorted guitars, orchestral strings...), tanh distortion (rock, metal), vinyl
  crackle and bit-crushing (hip-hop), hiss, hum and dull old-recording top end (blues,
  jazz), dub echo (reggae), hall reverb and slow crescendos (classical).

Every track varies key, tempo, mix, instruments, loudness, recording noise and where in
the song the 30 s excerpt starts. Every genre has six *artists* (``make_artist``): a
fixed timbre / mix / tempo tendency / drum kit shared by their tracks (track k belongs
to artist k mod 6), recorded in ``tracks.csv`` so artist-grouped splits can be taught.

**Built-in confusions.** As in real GTZAN, some pairs share most of their sound and
differ mainly in rhythm: rock / metal (distorted guitars in both; metal is faster with
double kick and sixteenth chugs), pop / disco (same synths and clean mix; disco has the
four-on-the-floor kick, off-beat open hats and octave bass), country / blues (the same
guitars and tempos; blues shuffles with dominant sevenths, country plays straight
triads). Two artists per genre (artists 1 and 4) are *crossover* acts that borrow their
neighbour's groove or sound (hard rock, doom metal, dance-pop, disco-pop, western swing,
straight blues-rock, trap-leaning hip-hop, steppers reggae...), and a track often plays
a part on an instrument borrowed from any genre (``BORROW_PROBABILITY``). Time-averaged
timbre statistics therefore leave real errors: a logistic regression on MFCC means and
standard deviations scores about 78-80 % (5-fold, 30 tracks per genre, seeds 0-2; about
65-75 % with 14 per genre), never 100 %, with rock / metal and pop / disco as the main
confusions. The onset pattern over time - what a temporal model can see - separates
those pairs better: on rock / metal, onset autocorrelations inside 3 s segments alone
score 0.77-0.87 against 0.72-0.77 from MFCC statistics.

Same arguments -> byte-identical files: every track is rendered from
``numpy.random.default_rng([seed, genre index, track index])`` alone, so it does not
depend on ``n_jobs`` or on ``tracks_per_genre``. Bump ``SYNTHETIC_VERSION`` whenever
the sound changes (cached datasets are then regenerated).
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from genrelib.cache import atomic_file, atomic_write_bytes
from genrelib.config import GTZAN_GENRES, SAMPLE_RATE
from genrelib.datasets import synth_dsp as dsp
from genrelib.datasets.synth_genres import (
    ARTISTS_PER_GENRE, GENRE_TRAITS, INSTRUMENTS, STYLES, Artist, GenreTraits, make_artist, track_title,
    with_brightness,
)
from genrelib.datasets.synth_music import (
    Grid, Part, Song, expand_progression, write_bass, write_comp, write_drums, write_melody, write_rap,
)

__all__ = [
    "SYNTHETIC_VERSION", "GENRE_TRAITS", "GenreTraits", "Artist", "ARTISTS_PER_GENRE", "make_artist",
    "render_track", "track_artist", "genre_traits_table", "generate_synthetic_gtzan",
]

SYNTHETIC_VERSION = 2
TRACKS_COLUMNS = ("path", "genre", "track_id", "artist", "title", "md5")
_MANIFEST = "synthetic.json"
_DRUMS = ("kick", "snare", "hat", "ohat", "ride", "crash", "clap", "rim", "brush", "tom")


def track_artist(genre: str, track_seed: int, *, seed: int = 0) -> Artist:
    """The artist of track ``track_seed`` of ``genre`` (artist ``track_seed % 6``).

    Notebook: 01_data.ipynb
    """
    return make_artist(genre, track_seed % ARTISTS_PER_GENRE, seed=seed)


def _track_rng(genre: str, track_seed: int, seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, GTZAN_GENRES.index(genre), 104729, track_seed])


def _jitter(rng: np.random.Generator, lo_hi: tuple[float, float]) -> float:
    return float(rng.uniform(lo_hi[0], lo_hi[1]))


class _Kit(dict):
    """The track's drum one-shots, each rendered on first use from its own seed
    (so a drum's sound does not depend on which other drums the track uses)."""

    def __init__(self, style: dict[str, Any], seed: int, sr: int) -> None:
        super().__init__()
        self.style, self.seed, self.sr = style, seed, sr

    def __missing__(self, name: str) -> np.ndarray:
        rng = np.random.default_rng([self.seed, _DRUMS.index(name)])
        k, sr = self.style["kit"], self.sr
        j = lambda: float(rng.uniform(0.93, 1.07))  # noqa: E731 - per-track tuning of the artist's kit
        if name == "kick":
            f_start, f_end, decay = k["kick"]
            wave = dsp.kick(sr, f_start=f_start * j(), f_end=f_end * j(), decay=decay * j(), click=0.3 * j(), rng=rng)
        elif name == "snare":
            tone, noise_decay = k["snare"]
            wave = dsp.snare(sr, tone=tone * j(), noise_decay=noise_decay * j(), snappy=0.6 * j(), rng=rng)
        elif name == "hat":
            wave = dsp.hat(sr, decay=k["hat"][0] * j(), low=6000.0 * j(), rng=rng)
        elif name == "ohat":
            wave = dsp.hat(sr, decay=k["ohat"][0] * j(), low=5000.0 * j(), rng=rng)
        elif name == "ride":
            wave = dsp.ride(sr, decay=k["ride"][0] * j(), pitch=j(), rng=rng)
        elif name == "crash":
            wave = dsp.ride(sr, decay=1.6 * j(), pitch=0.8 * j(), rng=rng)
        elif name == "clap":
            wave = dsp.clap(sr, decay=0.12 * j(), rng=rng)
        elif name == "rim":
            wave = dsp.rim(sr, tone=520.0 * j(), rng=rng)
        elif name == "brush":
            wave = dsp.brush(sr, decay=0.12 * j(), rng=rng)
        else:
            wave = dsp.tom(sr, pitch=110.0 * j(), rng=rng)
        self[name] = wave
        return wave


_DRUM_GAIN = {"kick": 1.0, "snare": 0.8, "hat": 0.3, "ohat": 0.3, "ride": 0.3, "crash": 0.35, "clap": 0.7,
              "rim": 0.45, "brush": 0.35, "tom": 0.6}


_BORROWABLE = tuple(name for name in INSTRUMENTS if not name.startswith(("bass", "rap")) and name != "cello")
BORROW_PROBABILITY = 0.4


def _borrow(rng: np.random.Generator, instrument: str) -> str:
    """Sometimes (``BORROW_PROBABILITY``) a track plays its part on any other instrument:
    the genre then has to be recognised from how it is played, not from what plays it."""
    if rng.random() < BORROW_PROBABILITY:
        return _BORROWABLE[int(rng.integers(len(_BORROWABLE)))]
    return instrument


def _write_song(genre: str, artist: Artist, rng: np.random.Generator, seconds: float) -> tuple[Song, list[Part], dict[str, Any]]:
    """Draw this track's tempo, key, form and parts from the artist's style."""
    s = artist.style
    bpm = _jitter(rng, s["tempo"]) * float(rng.uniform(0.96, 1.04))
    swing = max(0.0, _jitter(rng, s["swing"]) + float(rng.normal(0.0, 0.01))) if s["swing"][1] > 0 else 0.0
    bpb = s["meter"]
    keys = s["keys"]
    key = int(keys[int(rng.integers(len(keys)))]) if rng.random() < 0.7 else int(rng.integers(12))
    bars = int(math.ceil(seconds * bpm / 60.0 / bpb)) + 2
    grid = Grid(bpm=bpm, beats_per_bar=bpb, swing=min(swing, 0.25), swing_unit=s["swing_unit"],
                start_beat=float(rng.uniform(0.0, bpb)), rubato=float(s["rubato"]) * float(rng.random()),
                rubato_period=float(rng.uniform(8.0, 24.0)))
    # form: sections of 4 or 8 bars with an arrangement intensity each
    sections: list[int] = []
    intensity: list[float] = []
    sec = int(rng.integers(0, 4))
    while len(sections) < bars:
        length = int(rng.choice([4, 8]))
        level = float(rng.choice([0.4, 0.7, 1.0, 1.0])) if sec > 0 else float(rng.uniform(0.2, 1.0))
        level = max(level, s["intensity_floor"])
        sections += [sec] * length
        intensity += [level] * length
        sec += 1
    sections, intensity = sections[:bars], intensity[:bars]
    progression = s["progressions"][int(rng.integers(len(s["progressions"])))]
    chords = expand_progression(progression, bars, key=key, beats_per_bar=bpb)
    song = Song(rng=rng, grid=grid, bars=bars, key=key, scale=s["scale"], chords=chords, sections=sections,
                intensity=intensity)

    bright = s["brightness"] + float(rng.uniform(-0.1, 0.1))
    parts: list[Part] = []
    drum_parts = {name: Part(name, "drums") for name in _DRUMS}
    if any(g for g in s["grooves"]):
        write_drums(song, drum_parts, s["grooves"], fill=s["fill"], crash=s["crash"],
                    humanize=_jitter(rng, s["humanize"]), variation=0.3)
        parts += [p for p in drum_parts.values() if p.events]
    bass = Part("bass", "bass", with_brightness(INSTRUMENTS[s["bass_timbres"][0]], bright))
    write_bass(song, bass, s["bass"][0], register=int(rng.integers(*s["bass_register"])),
               density=_jitter(rng, s["comp_density"]))
    parts.append(bass)
    for bus, choices in (("comp", s["comps"]), ("comp2", s["comp2"])):
        if choices:
            style, inst = choices[0]
            inst = _borrow(rng, inst)
            part = Part(bus, bus, with_brightness(INSTRUMENTS[inst], bright),
                        strum=0.012 if style == "strum" else 0.0)
            center = int(rng.integers(*s["comp_center"])) + (12 if bus == "comp2" and style != "pad" else 0)
            write_comp(song, part, style, center=center, density=_jitter(rng, s["comp_density"]))
            parts.append(part)
    lead = Part("lead", "lead", with_brightness(INSTRUMENTS[_borrow(rng, s["leads"][0])], bright))
    write_melody(song, lead, scale=s["lead_scale"], center=int(rng.integers(*s["lead_center"])),
                 step=float(rng.choice(s["lead_step"])), density=_jitter(rng, s["lead_density"]))
    parts.append(lead)
    if s["rap"] > 0:
        rap = Part("vocal", "vocal", INSTRUMENTS["rap_voice"])
        write_rap(song, rap, center=int(rng.integers(45, 55)), density=s["rap"] * float(rng.uniform(0.7, 1.1)))
        parts.append(rap)
    return song, parts, s


def _render_parts(parts: list[Part], song: Song, kit: _Kit, n: int, sr: int,
                  timing: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    buses: dict[str, np.ndarray] = {}
    spb = 60.0 / song.grid.bpm
    for part in parts:
        if not part.events:
            continue
        bus = buses.setdefault(part.bus, np.zeros(n, dtype=np.float32))
        beats = np.array([e[0] for e in part.events])
        onsets = song.grid.seconds(beats) + rng.normal(0.0, timing / 1000.0, size=beats.size)
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
                    wave = dsp.render_note(dsp.midi_to_hz(float(pitch)), n_len, sr, part.timbre)  # type: ignore[arg-type]
                    cache[key] = wave
                gain = vel
                if part.strum:
                    k = chord_pos.get(beat, 0)
                    chord_pos[beat] = k + 1
                    onset += k * part.strum
            dsp.place(bus, int(round(onset * sr)), wave, gain)
    return buses


def render_track(genre: str, *, track_seed: int = 0, seed: int = 0, seconds: float = 30.0,
                 sample_rate: int = SAMPLE_RATE, artist: int | Artist | None = None) -> np.ndarray:
    """Synthesise one clip of ``genre`` without writing files: float32 mono, shape
    (round(seconds * sample_rate),), peak <= 0.98.

    ``track_seed`` is the track's number within its genre and ``seed`` the dataset seed:
    ``render_track("disco", track_seed=7, seed=0)`` is ``disco.00007.wav`` of the dataset
    generated with ``seed=0`` (before 16-bit rounding). ``artist`` (an index 0-5 or an
    :class:`Artist`) replaces the track's own artist to hear the same track "played by"
    someone else. Notebook: 01_data.ipynb
    """
    if genre not in STYLES:
        raise ValueError(f"unknown synthetic genre {genre!r}; choose one of {list(GTZAN_GENRES)}")
    if seconds <= 0 or sample_rate <= 0:
        raise ValueError(f"seconds and sample_rate must be positive, got {seconds} and {sample_rate}")
    if artist is None:
        artist = track_artist(genre, track_seed, seed=seed)
    elif isinstance(artist, (int, np.integer)):
        artist = make_artist(genre, int(artist), seed=seed)
    rng = _track_rng(genre, track_seed, seed)
    sr = int(sample_rate)
    n = int(round(seconds * sr))
    song, parts, s = _write_song(genre, artist, rng, seconds)
    kit = _Kit(s, int(rng.integers(2**62)), sr)
    buses = _render_parts(parts, song, kit, n, sr, _jitter(rng, s["timing_ms"]), rng)

    # bus effects
    drive = _jitter(rng, s["drive"])
    if drive > 0 and "comp" in buses:
        buses["comp"] = dsp.lowpass(dsp.distort(buses["comp"], drive=drive), _jitter(rng, s["cabinet"]), sr)
    lead_drive = _jitter(rng, s["lead_drive"])
    if lead_drive > 0 and "lead" in buses:
        buses["lead"] = dsp.lowpass(dsp.distort(buses["lead"], drive=lead_drive), _jitter(rng, s["cabinet"]), sr)
    if s["bitcrush"] and "comp" in buses:
        buses["comp"] = dsp.lowpass(dsp.bitcrush(buses["comp"], bits=int(rng.integers(8, 12)),
                                                 hold=int(rng.integers(1, 3))), float(rng.uniform(3000, 6000)), sr)
    echo = _jitter(rng, s["echo"])
    if echo > 0 and "comp" in buses:
        delay = int(60.0 / song.grid.bpm * 0.75 * sr)
        buses["comp"] = dsp.echo(buses["comp"], delay=delay, feedback=echo)

    # mix: each bus to unit RMS, then the artist's level in dB plus per-track variation
    mix = np.zeros(n, dtype=np.float32)
    for name, bus in buses.items():
        rms = float(np.sqrt(np.mean(np.square(bus, dtype=np.float32)))) + 1e-9
        level_db = s["mix"].get(name, -6.0) + float(rng.uniform(-4.0, 4.0))
        mix += np.float32(10 ** (level_db / 20.0) / rms) * bus
    mix = dsp.reverb(mix, sr, seconds=_jitter(rng, s["reverb"]), wet=_jitter(rng, s["wet"]), rng=rng)
    depth = _jitter(rng, s["dynamics"])
    if depth > 0:
        t = np.arange(n, dtype=np.float32) / np.float32(sr)
        mix *= (1.0 - depth * 0.5 * (1 + np.sin(2 * np.pi * t / float(rng.uniform(12, 30)) + float(rng.uniform(0, 6.3))))).astype(np.float32)
    # production: every track gets its own EQ (bass shelf, top-end cut) and maybe tape hiss,
    # whatever the genre, so that the spectral envelope alone does not give the class away
    cutoff = _jitter(rng, s["lowpass"]) if rng.random() < 0.5 else float(np.exp(rng.uniform(np.log(3500.0), np.log(11000.0))))
    mix = dsp.master_eq(mix, sr, shelf=float(rng.uniform(-0.6, 1.2)), shelf_hz=float(rng.uniform(150.0, 400.0)),
                        lowpass_hz=cutoff, highpass_hz=float(rng.uniform(25.0, 60.0)))
    peak = float(np.max(np.abs(mix))) + 1e-9
    mix /= np.float32(peak)
    hiss = _jitter(rng, s["hiss"]) + (float(rng.uniform(0.002, 0.015)) if rng.random() < 0.3 else 0.0)
    mix += dsp.noise_bed(n, sr, hiss=hiss, crackle=_jitter(rng, s["crackle"]), hum=_jitter(rng, s["hum"]), rng=rng)
    # loudness: RMS target -20..-12 dBFS, never clipping
    rms = float(np.sqrt(np.mean(np.square(mix, dtype=np.float32)))) + 1e-9
    target = 10 ** (float(rng.uniform(-20.0, -12.0)) / 20.0)
    gain = target / rms
    peak = float(np.max(np.abs(mix))) * gain
    if peak > 0.98:
        gain *= 0.98 / peak
    return (mix * np.float32(gain)).astype(np.float32)


def genre_traits_table() -> Any:
    """``GENRE_TRAITS`` as a pandas DataFrame (one row per genre) for the book.

    Notebook: 01_data.ipynb
    """
    import pandas as pd

    rows = []
    for g, t in GENRE_TRAITS.items():
        rows.append({"genre": g, "tempo (BPM)": f"{t.tempo_bpm[0]:.0f}-{t.tempo_bpm[1]:.0f}",
                     "swing": "straight" if t.swing[1] == 0 else f"{t.swing[0]:.2f}-{t.swing[1]:.2f}",
                     "drums": t.drums, "bass": t.bass, "harmony": t.harmony, "instruments": t.instruments,
                     "sound": t.sound, "confused with": ", ".join(t.confused_with),
                     "crossover (artists 1, 4)": t.crossover})
    return pd.DataFrame(rows).set_index("genre")


# ----------------------------------------------------------------------------- files

def _encode_wav(y: np.ndarray, sr: int) -> bytes:
    pcm = np.round(np.clip(y, -1.0, 1.0) * 32767.0).astype(np.int16)
    buf = io.BytesIO()
    sf.write(buf, pcm, sr, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def _make_one(out_dir: str, genre: str, k: int, seed: int, seconds: float, sr: int) -> dict[str, str]:
    artist = track_artist(genre, k, seed=seed)
    y = render_track(genre, track_seed=k, seed=seed, seconds=seconds, sample_rate=sr, artist=artist)
    data = _encode_wav(y, sr)
    rel = f"genres/{genre}/{genre}.{k:05d}.wav"
    atomic_write_bytes(Path(out_dir) / rel, data)
    title = track_title(np.random.default_rng([seed, GTZAN_GENRES.index(genre), 15485863, k]))
    return {"path": rel, "genre": genre, "track_id": f"{genre}.{k:05d}", "artist": artist.name,
            "title": title, "md5": hashlib.md5(data).hexdigest()}


def _arguments(tracks_per_genre: int, seconds: float, seed: int, sample_rate: int) -> dict[str, Any]:
    return {"generator": "genrelib.datasets.synthetic", "version": SYNTHETIC_VERSION,
            "tracks_per_genre": int(tracks_per_genre), "seconds": float(seconds), "seed": int(seed),
            "sample_rate": int(sample_rate), "genres": list(GTZAN_GENRES)}


def _is_complete(out: Path, args: dict[str, Any]) -> bool:
    try:
        recorded = json.loads((out / _MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if recorded.get("arguments") != args or not recorded.get("complete"):
        return False
    expected = 44 + 2 * int(round(args["seconds"] * args["sample_rate"]))
    try:
        with open(out / "tracks.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError:
        return False
    if len(rows) != args["tracks_per_genre"] * len(GTZAN_GENRES):
        return False
    return all((out / r["path"]).is_file() and (out / r["path"]).stat().st_size == expected for r in rows)


# a clip, or the temporary file atomic_write_bytes left behind a killed run
_OUR_FILE = re.compile(r"^\.?(%s)\.\d{5}\.wav(\.\w+\.tmp)?$" % "|".join(GTZAN_GENRES))


def _prepare(out: Path) -> None:
    """Refuse folders we did not make; remove our own stale files before regenerating."""
    ours = (out / _MANIFEST).is_file()
    if not ours:
        foreign = [p for p in out.iterdir() if p.name not in ("genres", "tracks.csv")] if out.is_dir() else []
        genres_dir = out / "genres"
        if genres_dir.is_dir():
            foreign += [p for p in genres_dir.rglob("*") if p.is_file() and not _OUR_FILE.match(p.name)]
        if foreign:
            raise FileExistsError(
                f"{out} already holds files that generate_synthetic_gtzan did not write (e.g. {foreign[0]}); "
                "give an empty or new folder for the synthetic dataset")
    genres_dir = out / "genres"
    if genres_dir.is_dir():
        for p in genres_dir.rglob("*"):
            if p.is_file() and _OUR_FILE.match(p.name):
                p.unlink()


def generate_synthetic_gtzan(out_dir: str | os.PathLike[str], *, tracks_per_genre: int = 100,
                             seconds: float = 30.0, seed: int = 0, sample_rate: int = SAMPLE_RATE,
                             n_jobs: int | None = None, progress: bool = False) -> Path:
    """Write a synthetic GTZAN into ``out_dir`` and return ``Path(out_dir)``.

    Layout: ``genres/<genre>/<genre>.000NN.wav`` (16-bit PCM mono, ``seconds`` long at
    ``sample_rate``, numbered from 00000), ``tracks.csv`` (columns path, genre, track_id,
    artist, title, md5; path relative to ``out_dir``) and ``synthetic.json`` (the
    arguments and ``SYNTHETIC_VERSION``). When ``out_dir`` already holds a complete
    dataset made with the same arguments nothing is done. Same arguments -> byte-identical
    files; track k of a genre does not depend on ``tracks_per_genre`` or ``n_jobs``
    (None = all CPU cores). Raises FileExistsError for a non-empty folder that this
    function did not write. Notebook: 01_data.ipynb
    """
    if int(tracks_per_genre) < 1:
        raise ValueError(f"tracks_per_genre must be >= 1, got {tracks_per_genre}")
    if int(tracks_per_genre) > 100_000:
        raise ValueError(f"tracks_per_genre must be < 100000 (5-digit file numbers), got {tracks_per_genre}")
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    if int(sample_rate) < 8000:
        raise ValueError(f"sample_rate must be >= 8000 Hz, got {sample_rate}")
    out = Path(out_dir)
    args = _arguments(tracks_per_genre, seconds, seed, sample_rate)
    if _is_complete(out, args):
        return out
    out.mkdir(parents=True, exist_ok=True)
    _prepare(out)
    (out / _MANIFEST).write_text(json.dumps({"arguments": args, "complete": False}, indent=2) + "\n")
    for g in GTZAN_GENRES:
        (out / "genres" / g).mkdir(parents=True, exist_ok=True)

    jobs = [(g, k) for g in GTZAN_GENRES for k in range(int(tracks_per_genre))]
    workers = (os.cpu_count() or 1) if n_jobs is None else int(n_jobs)
    workers = max(1, min(workers if workers > 0 else (os.cpu_count() or 1), len(jobs)))
    call = lambda g, k: _make_one(str(out), g, k, int(seed), float(seconds), int(sample_rate))  # noqa: E731
    if workers == 1:
        results_iter = (call(g, k) for g, k in jobs)
    else:
        from joblib import Parallel, delayed

        results_iter = Parallel(n_jobs=workers, return_as="generator")(
            delayed(_make_one)(str(out), g, k, int(seed), float(seconds), int(sample_rate)) for g, k in jobs)
    if progress:
        from tqdm.auto import tqdm

        results_iter = tqdm(results_iter, total=len(jobs), desc="synthetic GTZAN", unit="clip")
    rows = list(results_iter)

    with atomic_file(out / "tracks.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(TRACKS_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (out / _MANIFEST).write_text(json.dumps({"arguments": args, "complete": True}, indent=2) + "\n")
    return out
