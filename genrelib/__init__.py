"""genrelib: the helper library of genre-book (deep-learning music genre classification).

Every chapter of the book imports from here; nothing is defined twice. Importing
``genrelib`` never imports TensorFlow/Keras: the model modules load it on first use.
"""

from genrelib.config import GTZAN_GENRES, FeatureConfig, Profile, TrainConfig, get_profile
from genrelib.errors import GenrelibWarning, show_warnings_briefly

__version__ = "0.1.0"

__all__ = ["GTZAN_GENRES", "FeatureConfig", "GenrelibWarning", "Profile", "TrainConfig", "get_profile",
           "show_warnings_briefly", "__version__"]
