"""Where things are: the project's cache directory, the URL schemes it recognises, a file's bytes
wherever it is (read_if_exists), and os.path's checks for a local or a remote (gs://) path."""
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


def read_if_exists(path: str) -> bytes | None:
    """The bytes of the file at `path`, local or remote (gs://: a Kubeflow run's artifacts, read
    through tf.io.gfile), or None when there is none."""
    import tensorflow as tf

    if not tf.io.gfile.exists(path):
        return None
    with tf.io.gfile.GFile(path, "rb") as f:
        return f.read()


def replace_file(path: str, text: str) -> None:
    """A local file written whole or not at all (a temporary file beside it, renamed over it): a
    full disk leaves the file as it was, not cut short. A link is written through (its target
    replaced), an existing file keeps its mode; an OSError names `path`."""
    target = os.path.realpath(path)
    temporary = f"{target}.tmp{os.getpid()}"
    try:
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(text)
        if os.path.exists(target):
            os.chmod(temporary, os.stat(target).st_mode & 0o7777)
        os.replace(temporary, target)
    except BaseException as e:
        if os.path.islink(temporary) or os.path.isfile(temporary):
            os.remove(temporary)
        if isinstance(e, OSError):  # a write's error names no file, an open's the temporary one
            raise OSError(e.errno, e.strerror, path) from None
        raise


def write_text(path: str, text: str) -> None:
    """A small text file at `path`, local or remote (gs://), through tf.io.gfile."""
    import tensorflow as tf

    with tf.io.gfile.GFile(path, "w") as f:
        f.write(text)


def is_number(name: str) -> bool:
    """Whether `name` is a non-negative integer in ASCII digits (a version's or an execution's
    folder, a header's length): str.isdigit alone is true of '²' and '١', which int() refuses or
    reads as another number."""
    return name.isascii() and name.isdigit()


def is_remote(path: str) -> bool:
    """A path of a filesystem read through tf.io.gfile (gs://, ram://, ...), not of the local one."""
    return "://" in path


def isdir(path: str) -> bool:
    """os.path.isdir, for a remote path through tf.io.gfile."""
    if is_remote(path):
        import tensorflow as tf

        return tf.io.gfile.isdir(path)
    return os.path.isdir(path)


def isfile(path: str) -> bool:
    """os.path.isfile, for a remote path through tf.io.gfile."""
    if is_remote(path):
        import tensorflow as tf

        return tf.io.gfile.exists(path) and not tf.io.gfile.isdir(path)
    return os.path.isfile(path)


def listdir(path: str) -> list[str]:
    """os.listdir, for a remote path through tf.io.gfile (GCS lists a folder as "name/": stripped)."""
    if is_remote(path):
        import tensorflow as tf

        return [name.rstrip("/") for name in tf.io.gfile.listdir(path)]
    return os.listdir(path)
