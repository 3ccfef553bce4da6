"""Test helpers: generated corpora (corpus.py), small pipeline configs (pipelines.py), a headless browser (browser.py)."""
