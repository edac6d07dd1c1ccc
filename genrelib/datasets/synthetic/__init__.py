"""Synthetic GTZAN: ten genre-like classes of 30 s music, made on the fly, deterministically.

When no real data is given the book runs on this dataset, laid out exactly like GTZAN
(``genres/<genre>/<genre>.000NN.wav``, 22,050 Hz, mono, 16-bit) plus a ``tracks.csv``
with artists. Each class is defined by musically meaningful traits
(:func:`genre_traits_table`):

* **tempo and swing** - e.g. reggae 64-92 BPM, metal 130-200 BPM; blues, jazz and hip-hop
  swing their eighths or sixteenths, country and reggae at most lightly (swing up to 0.04 and
  0.07), the rest play straight;
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
the song the excerpt starts. Every genre has six *artists*: a fixed timbre / mix / tempo
tendency / drum kit shared by their tracks (track k belongs to artist k mod 6), recorded
in ``tracks.csv`` so that artist-grouped splits can be taught.

**Built-in confusions.** As in real GTZAN, some pairs share most of their sound and
differ mainly in rhythm: rock / metal (distorted guitars in both; metal is faster with
double kick and sixteenth chugs), pop / disco (same synths and clean mix; disco has the
four-on-the-floor kick, off-beat open hats and octave bass), country / blues (the same
guitars and tempos; blues shuffles with dominant sevenths, country plays near-straight
triads). Two artists per genre (artists 1 and 4) are *crossover* acts that borrow their
neighbour's groove or sound (hard rock, doom metal, dance-pop, disco-pop, western swing,
straight blues-rock, trap-leaning hip-hop, steppers reggae...), and a track often plays
a part on an instrument borrowed from any genre. Time-averaged timbre statistics
therefore leave real errors: a logistic regression on MFCC means and standard deviations
scored about 78-80 % (5-fold, 30 tracks per genre, seeds 0-2; about 65-75 % with 14 per
genre), never 100 %, with rock / metal and pop / disco as the main confusions. The onset
pattern over time - what a temporal model can see - separates those pairs better: on
rock / metal, onset autocorrelations inside 3 s segments alone scored 0.77-0.87 against
0.72-0.77 from MFCC statistics.

Same arguments -> byte-identical files: every track is rendered from its own random
generator (dataset seed, genre, track number) alone, so it depends neither on ``n_jobs``
nor on ``tracks_per_genre``.

How it is made, one module per step: ``styles`` (what each genre draws from) and
``artists`` (one artist's fixed choices); ``arrangement`` writes a track's score
(``score``, ``grooves``, ``harmony``, ``bass_lines``, ``accompaniment``, ``melody``);
``render`` plays it (``instruments``, ``oscillators``, ``kit``, ``drums``) and
``mixdown`` mixes and masters it (``effects``); ``writer`` writes the dataset folder,
``recording`` one recording of several genres, and ``traits`` describes the genres in
words. Only the names below are public.
Notebook: 01_data.ipynb
"""

from genrelib.datasets.synthetic.recording import synthetic_recording
from genrelib.datasets.synthetic.render import SYNTHETIC_VERSION, render_track
from genrelib.datasets.synthetic.traits import genre_traits_table
from genrelib.datasets.synthetic.writer import generate_synthetic_gtzan

__all__ = ["SYNTHETIC_VERSION", "generate_synthetic_gtzan", "genre_traits_table", "render_track",
           "synthetic_recording"]
