"""Audio in: any format, rate or channel count -> mono float32 at 22,050 Hz, fixed length.

``decode``: the one decoder (soundfile, then audioread) behind ``probe_audio`` and
``read_audio``, which refuse a file shorter than its header says (``header``); ``load``:
``load_audio`` (resampled, cut or padded to ``clip_seconds``); ``medley``: clips played in
turn as one recording (``medley_recording``); ``stream``: ``stream_audio``,
the same samples chunk by chunk; ``segments``: lengths and segment starts. Every public
name is re-exported here.
Notebook: 01_data.ipynb, 02_features.ipynb, 09_using_the_model.ipynb
"""

from genrelib.audio.decode import (AudioError, TruncatedAudioError, TruncatedAudioWarning, probe_audio,
                                   read_audio)
from genrelib.audio.load import load_audio
from genrelib.audio.medley import medley_recording, write_medley
from genrelib.audio.segments import (ClipTooShortError, check_clip_length, fit_length, mono_signal,
                                     segment_starts)
from genrelib.audio.stream import stream_audio

__all__ = [
    "AudioError",
    "ClipTooShortError",
    "check_clip_length",
    "fit_length",
    "load_audio",
    "medley_recording",
    "mono_signal",
    "probe_audio",
    "read_audio",
    "segment_starts",
    "stream_audio",
    "TruncatedAudioError",
    "TruncatedAudioWarning",
    "write_medley",
]
