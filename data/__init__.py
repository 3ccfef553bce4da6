"""imdb-tfx: data."""
