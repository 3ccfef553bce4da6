"""`imdb-tfx`: main.py (parser, errors), arguments.py (shared flags), one module per subcommand."""
