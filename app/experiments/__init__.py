"""`imdb-tfx experiment`: rows.py (the grids as data), running.py, tables.py."""
