"""Local test files put on TensorFlow's in-memory ram:// file system, which executors and the
server read through the same API (tf.io.gfile) as gs:// on a cluster."""
import os


def copy_tree(local, remote: str) -> None:
    """Copies the local directory `local` to `remote` (a ram:// or other tf.io.gfile path)."""
    import tensorflow as tf

    for folder, _, files in os.walk(local):
        target = remote + folder[len(str(local)):]
        tf.io.gfile.makedirs(target)
        for name in files:
            tf.io.gfile.copy(os.path.join(folder, name), f"{target}/{name}", overwrite=True)
