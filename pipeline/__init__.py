"""imdb-tfx: pipeline."""
