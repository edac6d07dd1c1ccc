"""The synthetic artists: six per genre, each a fixed sound (instruments, grooves, tempo
tendency, mix, effects, drum kit) narrowed from the genre's style and shared by all of
their tracks; artists 1 and 4 of every genre play its crossover variant. Song titles too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from genrelib.config import GTZAN_GENRES
from genrelib.datasets.synthetic.styles import DRUM_KIT_DEFAULT, STYLES, VARIANTS, check_genre

ARTISTS_PER_GENRE = 6
CROSSOVER_ARTISTS = (1, 4)  # the artists who play their genre's crossover variant
# the style ranges an artist narrows to 40 % of their width
_SOUND_RANGES = ("drive", "lead_drive", "hiss", "crackle", "hum", "lowpass", "reverb", "wet", "echo",
                 "cabinet", "dynamics", "humanize", "timing_ms", "comp_density", "lead_density")

ARTIST_NAMES: dict[str, tuple[str, ...]] = {
    "blues": ("Muddy Creek Slim", "Big Mama Delta", "Lightnin' Joe Parker", "Blind Willie Stone",
              "The Crossroads Electric", "Howlin' Ray Tucker"),
    "classical": ("Orchestra of the Lower Rhine", "Clara Weissmann (piano)", "Sinfonia Nova",
                  "Ensemble Aurora Baroque", "Johann Brandt (organ & piano)", "The Arden String Quartet"),
    "country": ("Dusty Boots McCall", "The Tumbleweed Sisters", "Hank Whitfield", "Lone Pine Ramblers",
                "The Texas Playboys Revue", "Loretta Sue Hayes"),
    "disco": ("Mirrorball Express", "Donna Starr", "The Saturday Knights", "Funk Factory 77",
              "Silk & Sequins", "The Velvet Rollers"),
    "hiphop": ("MC Brickhouse", "Dusty Crates Crew", "Lil Metronome", "The Boom Bap Society",
               "Kid Sampler", "Queen Cadence"),
    "jazz": ("The Bluestone Quartet", "Ella Brightwater", "Sonny Vale Quintet", "Dizzy Heights",
             "The Brushwork Trio", "Art Lennox Sextet"),
    "metal": ("Iron Crypt", "Thunder Anvil", "Black Glacier", "Serpent Throne", "Ashen Gallows",
              "Doomhammer"),
    "pop": ("Kelly Sparks", "The Daydreamers", "Jay Nova", "Sugar Avenue", "Neon Hearts", "Mira Lane"),
    "reggae": ("Roots Ambassadors", "Jah Steady", "The Island Rockers", "Natty Lion", "Sound System Seven",
               "Marcia Riddim"),
    "rock": ("The Loose Gravel", "Highway Static", "Johnny Voltage", "Red Barn Revival", "Steel Horses",
             "The Weekend Arsonists"),
}

_TITLE_A = ("Midnight", "Lonesome", "Electric", "Golden", "Broken", "Silver", "Velvet", "Crimson", "Rolling",
            "Empty", "Burning", "Blue", "Sweet", "Wild", "Distant", "Lucky")
_TITLE_B = ("Train", "River", "Highway", "Heart", "Rain", "Night", "Road", "Dream", "Fire", "Moon", "Town",
            "Dance", "Line", "Sky", "Street", "Song")


@dataclass(frozen=True)
class Artist:
    """A synthetic artist: a fixed sound shared by all of their tracks.

    ``style`` is the genre's style (with the crossover variant applied for a crossover
    artist) narrowed to the artist's choices: one or two grooves and progressions, one
    bass / accompaniment / lead instrument, a tempo and swing tendency, mix levels,
    effect ranges and a drum kit.
    """

    genre: str
    index: int
    name: str
    crossover: bool
    style: dict[str, Any]


def _pick(rng: np.random.Generator, items: list[Any], k: int = 1) -> list[Any]:
    """``k`` of ``items`` at random, in their original order."""
    k = min(k, len(items))
    order = rng.permutation(len(items))[:k]
    return [items[int(i)] for i in sorted(order)]


def _subrange(rng: np.random.Generator, lo_hi: tuple[float, float], width: float) -> tuple[float, float]:
    """A sub-range of relative ``width`` of (lo, hi), at a random place."""
    lo, hi = lo_hi
    span = (hi - lo) * width
    start = lo + (hi - lo - span) * rng.random()
    return (start, start + span)


def _narrow_choices(rng: np.random.Generator, style: dict[str, Any]) -> dict[str, Any]:
    """The artist's tempo and swing tendency, grooves, progressions, instruments and keys."""
    s: dict[str, Any] = {"tempo": _subrange(rng, style["tempo"], 0.45), "swing": _subrange(rng, style["swing"], 0.6)}
    s["grooves"] = _pick(rng, style["grooves"], 2)
    rng.shuffle(s["grooves"])
    s["progressions"] = _pick(rng, style["progressions"], 2)
    for name in ("bass", "bass_timbres", "comps"):
        s[name] = _pick(rng, style[name], 1)
    s["comp2"] = _pick(rng, style["comp2"], 1) if style["comp2"] and rng.random() < 0.7 else []
    s["leads"] = _pick(rng, style["leads"], 1)
    s["keys"] = tuple(int(k) for k in _pick(rng, list(style["keys"]), 3))
    return s


def _narrow_sound(rng: np.random.Generator, style: dict[str, Any]) -> dict[str, Any]:
    """The artist's effect and noise ranges, brightness, mix levels, meter and drum kit."""
    s: dict[str, Any] = {name: _subrange(rng, style[name], 0.4) for name in _SOUND_RANGES}
    s["brightness"] = float(rng.uniform(-0.2, 0.2))
    s["mix"] = {bus: db + float(rng.uniform(-3.0, 3.0)) for bus, db in style["mix"].items()}
    s["meter"] = int(rng.choice(style["meter"]))
    kit = {**DRUM_KIT_DEFAULT, **style["kit"]}
    # kit ranges come in (lo, hi) pairs: one value per pair
    s["kit"] = {name: tuple(float(rng.uniform(values[i], values[i + 1])) for i in range(0, len(values), 2))
                for name, values in kit.items()}
    return s


def make_artist(genre: str, index: int, *, seed: int = 0) -> Artist:
    """The ``index``-th artist of ``genre`` in the world of ``seed`` (deterministic)."""
    check_genre(genre)
    rng = np.random.default_rng([seed, GTZAN_GENRES.index(genre), 7919, index])
    style = dict(STYLES[genre])
    crossover = index % ARTISTS_PER_GENRE in CROSSOVER_ARTISTS
    if crossover:
        style.update(VARIANTS[genre][1])
    narrowed = _narrow_choices(rng, style)
    narrowed.update(_narrow_sound(rng, style))
    return Artist(genre, index, ARTIST_NAMES[genre][index % ARTISTS_PER_GENRE], crossover, {**style, **narrowed})


def track_artist(genre: str, track: int, *, seed: int = 0) -> Artist:
    """The artist of track number ``track`` of ``genre``: artist ``track % 6``."""
    return make_artist(genre, track % ARTISTS_PER_GENRE, seed=seed)


def track_title(genre: str, track: int, *, seed: int = 0) -> str:
    """The invented title (such as "Midnight Train") of track number ``track`` of ``genre``."""
    rng = np.random.default_rng([seed, GTZAN_GENRES.index(genre), 15485863, track])
    return f"{_TITLE_A[int(rng.integers(len(_TITLE_A)))]} {_TITLE_B[int(rng.integers(len(_TITLE_B)))]}"
