import sys

from genrelib.cli import main

sys.exit(main())
