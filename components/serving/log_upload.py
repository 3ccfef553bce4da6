"""The request log on an object store (gs://, s3://): closed files copied there whole.

An object in a bucket cannot be appended to, and TF's GCS writer uploads the whole object again
at every flush, so the request log (components/serving/request_log.py) writes each file in a
local staging directory and, once the file is closed (rotated by size or by age, or at the
server's stop), copies it to the bucket in one write and deletes the local copy. A reader of
the bucket (`imdb-tfx monitor --request-log gs://...`) sees a file whole or not at all.

Each file is named by the time it was closed (microseconds since the epoch) and 8 random hex
digits: the servers of a deployment (KServe's replicas) write one bucket folder without
listing or locking it, and every line of a file is at or before the time in its name, which
the reader uses to stop reading older files (app/monitor/window.py). A copy that fails (no
credentials, the network down) is logged once and retried at the next file and at the stop;
what is still not copied then stays in the staging directory, named in the log.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid

logger = logging.getLogger("components.serving")


def closed_file_name(closed_at: float | None = None) -> str:
    """requests-<closing time in microseconds, 16 digits>-<8 hex digits>.jsonl"""
    stamp = int((time.time() if closed_at is None else closed_at) * 1_000_000)
    return f"requests-{stamp:016d}-{uuid.uuid4().hex[:8]}.jsonl"


def check_writable(directory: str, flag: str) -> None:
    """ValueError naming `flag` unless a file can be written in the remote `directory` (one small
    object written and deleted): at start-up, not at the first file's copy minutes later."""
    import tensorflow as tf

    probe = f"{directory.rstrip('/')}/.imdb-tfx-write-check-{uuid.uuid4().hex[:8]}"
    try:
        tf.io.gfile.makedirs(directory)
        with tf.io.gfile.GFile(probe, "w") as f:
            f.write("")
        tf.io.gfile.remove(probe)
    except (tf.errors.OpError, OSError) as e:
        message = getattr(e, "message", None) or str(e)
        raise ValueError(f"{directory}: cannot write there: {message.splitlines()[0] if message else e} ({flag})") from None


class Uploader:
    """Copies closed files from `staging` (a new local temporary directory) to `directory`."""

    def __init__(self, directory: str):
        import tensorflow as tf

        self.directory = directory.rstrip("/")
        tf.io.gfile.makedirs(self.directory)
        self.staging = tempfile.mkdtemp(prefix="imdb-tfx-request-log-")
        self.pending: list[str] = []  # closed local files not copied yet
        self.uploaded: list[str] = []  # their paths in `directory`
        self.error: BaseException | None = None

    def local_path(self) -> str:
        """Where to write the next file (renamed by its closing time when it is closed)."""
        return os.path.join(self.staging, f"open-{uuid.uuid4().hex[:8]}.jsonl")

    def ship(self, local: str) -> None:
        """`local` (closed, non-empty) renamed by its closing time, then every pending file copied."""
        named = os.path.join(self.staging, closed_file_name())
        os.replace(local, named)
        self.pending.append(named)
        self.copy_pending()

    def copy_pending(self) -> None:
        import tensorflow as tf

        left = []
        for local in self.pending:
            target = f"{self.directory}/{os.path.basename(local)}"
            try:
                tf.io.gfile.copy(local, target, overwrite=True)
                os.remove(local)
                self.uploaded.append(target)
            except (tf.errors.OpError, OSError) as e:
                left.append(local)
                if self.error is None:
                    self.error = e
                    logger.error("request log: cannot copy %s to %s: %s (retried at the next file)",
                                 local, self.directory, getattr(e, "message", None) or e)
        self.pending = left

    def close(self) -> None:
        """A last try at the pending files; the staging directory removed unless some are left."""
        self.copy_pending()
        if self.pending:
            logger.error("request log: %d file(s) not copied to %s, kept in %s", len(self.pending),
                         self.directory, self.staging)
        else:
            shutil.rmtree(self.staging, ignore_errors=True)
