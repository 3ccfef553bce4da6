"""Where things are: the project's cache directory and the URL schemes it recognises."""
from __future__ import annotations

import os

CACHE_ENV = "IMDB_TFX_CACHE"
WEB_SCHEMES = ("http://", "https://")
# Filesystems Beam and tf.io.gfile read directly.
REMOTE_SCHEMES = ("gs://", "s3://", "hdfs://", "az://")


def cache_dir() -> str:
    """$IMDB_TFX_CACHE, else ~/.cache/imdb-tfx: downloaded data and built modules."""
    return os.environ.get(CACHE_ENV) or os.path.join(os.path.expanduser("~"), ".cache", "imdb-tfx")


def is_url(path: str) -> bool:
    """A web or remote-filesystem URL, not a local path."""
    return path.startswith(WEB_SCHEMES + REMOTE_SCHEMES)
