"""imdb-tfx: components."""
