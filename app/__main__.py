"""python -m app: the same as imdb-tfx."""
import sys

from app.cli.main import main

sys.exit(main())
