"""`imdb-tfx report`'s page: data.py (finding and loading a run), figures.py (matplotlib), page.py (HTML)."""
