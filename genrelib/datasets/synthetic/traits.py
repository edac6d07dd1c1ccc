"""What defines each synthetic genre, in words: the table the book shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from genrelib.config import GTZAN_GENRES
from genrelib.datasets.synthetic.styles import STYLES, VARIANTS


@dataclass(frozen=True)
class GenreTraits:
    """One synthetic genre in words: tempo and swing ranges (from its style), drums, bass,
    harmony, instruments, sound, the genres it is confused with, its crossover variant.
    """

    genre: str
    tempo_bpm: tuple[float, float]
    swing: tuple[float, float]
    drums: str
    bass: str
    harmony: str
    instruments: str
    sound: str
    confused_with: tuple[str, ...]
    crossover: str


# every genre in words, by aspect (the columns of the book's table)
_WORDS: dict[str, dict[str, Any]] = {
    "drums": {
        "blues": "shuffle: kick 1 & 3, snare 2 & 4, swung eighths",
        "classical": "no drums; rubato tempo, 3/4 or 4/4",
        "country": "boom-chick or train beat, straight eighths",
        "disco": "four-on-the-floor kick, open hat on every off-beat, sixteenth hats",
        "hiphop": "boom-bap: syncopated kick, hard snare 2 & 4, swung sixteenths",
        "jazz": "swing ride (ding, ding-a-ding), hi-hat on 2 & 4, brushes",
        "metal": "double-kick sixteenths, gallops, blast beats",
        "pop": "backbeat with claps, straight eighths",
        "reggae": "one drop: kick and rim on 3 only",
        "rock": "straight-eighth backbeat, crashes on section starts",
    },
    "bass": {
        "blues": "boogie / walking",
        "classical": "sustained cello roots",
        "country": "root-fifth on 1 & 3 with walk-ups",
        "disco": "octave-jumping eighths",
        "hiphop": "sub bass following the kick",
        "jazz": "walking quarter notes",
        "metal": "palm-muted sixteenth chugs",
        "pop": "syncopated synth or finger bass",
        "reggae": "round, melodic bass with rests on the one",
        "rock": "root eighths",
    },
    "harmony": {
        "blues": "12-bar I7-IV7-V7, blues scale",
        "classical": "cadences, circle of fifths, minor with V7",
        "country": "major triads I-IV-V",
        "disco": "minor 9th / dominant 9th vamps, ii-V-I",
        "hiphop": "a one- or two-chord minor loop",
        "jazz": "ii-V-I with 7th chords, rhythm changes",
        "metal": "minor / phrygian power-chord riffs in low keys",
        "pop": "I-V-vi-IV, vi-IV-I-V, doo-wop",
        "reggae": "I-IV or i-bVII two-chord vamps",
        "rock": "power chords I-bVII-IV, I-IV-V",
    },
    "instruments": {
        "blues": "clean or crunchy guitar riff, honky-tonk piano, harmonica",
        "classical": "string ensemble, piano / harpsichord arpeggios, violin or flute melody",
        "country": "strummed acoustic / twangy guitar, banjo rolls, fiddle, steel guitar",
        "disco": "string stabs, clavinet, brass, strings",
        "hiphop": "sampled e-piano / piano / strings loop, rapped syllables",
        "jazz": "piano or guitar comping (rootless voicings), sax, trumpet, flute",
        "metal": "heavily distorted guitars, shred lead",
        "pop": "synth pads and plucks, piano, acoustic guitar, sung melody",
        "reggae": "off-beat guitar / piano skank, organ bubble",
        "rock": "overdriven rhythm guitars, lead guitar, voice",
    },
    "sound": {
        "blues": "light overdrive, tape hiss, hum, dull top end",
        "classical": "large hall reverb, slow crescendos, quiet",
        "country": "clean, bright, little reverb",
        "disco": "clean, bright, medium reverb",
        "hiphop": "bit-crushed loop, vinyl crackle, loud drums",
        "jazz": "room reverb, loose timing, old-recording hiss",
        "metal": "hard tanh distortion, dark cabinet filter",
        "pop": "clean, polished, wide reverb",
        "reggae": "dub echo, spring reverb, deep bass",
        "rock": "medium tanh distortion, cabinet filter",
    },
    "confused_with": {
        "blues": ("country", "jazz", "rock"),
        "classical": ("jazz",),
        "country": ("blues", "rock"),
        "disco": ("pop", "reggae"),
        "hiphop": ("pop", "disco", "reggae"),
        "jazz": ("blues", "classical"),
        "metal": ("rock",),
        "pop": ("disco", "rock", "hiphop"),
        "reggae": ("hiphop", "disco"),
        "rock": ("metal", "blues", "country"),
    },
}


def _traits(genre: str) -> GenreTraits:
    style = STYLES[genre]
    words = {aspect: by_genre[genre] for aspect, by_genre in _WORDS.items()}
    return GenreTraits(genre, style["tempo"], style["swing"], crossover=VARIANTS[genre][0], **words)


GENRE_TRAITS: dict[str, GenreTraits] = {genre: _traits(genre) for genre in GTZAN_GENRES}


def genre_traits_table() -> Any:
    """What defines each synthetic genre, as a pandas DataFrame indexed by genre (10 rows):
    tempo (BPM), swing, drums, bass, harmony, instruments, sound, the genres it is confused
    with and the crossover variant of its artists 1 and 4.
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
