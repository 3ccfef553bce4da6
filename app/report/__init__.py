"""`imdb-tfx report`'s page: run_outputs.py (finding and loading a run), figures.py (matplotlib), page.py (HTML)."""
