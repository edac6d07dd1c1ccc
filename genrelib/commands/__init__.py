"""Sub-commands of the ``genrelib`` CLI, one module each (see genrelib/cli.py)."""
