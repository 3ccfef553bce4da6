"""The request log on an object store (gs://): closed files copied there whole.

An object in a bucket cannot be appended to, and TF's GCS writer uploads the whole object again
at every flush, so the request log (components/serving/request_log.py) writes each file in a
local staging directory and, once the file is closed (rotated by size or by age, or at the
server's stop), copies it to the bucket in one write and deletes the local copy. A reader of
the bucket (`imdb-tfx monitor --request-log gs://...`) sees a file whole or not at all.

Each file is named by the time it was closed (microseconds since the epoch) and 8 random hex
digits: the servers of a deployment (KServe's replicas) write one bucket folder without
listing or locking it, and every line of a file is at or before the time in its name, which
the reader uses to stop reading older files (app/monitor/window.py). A copy that fails (no
credentials, the network down) is logged, the files after it wait, and all are tried again, in
order, with the next file and at the stop (the recovery logged too); what is still not copied
then stays in the staging directory, named in the log.
"""
from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid

logger = logging.getLogger("components.serving")


def closed_file_name(closed_at: float | None = None) -> str:
    """requests-<closing time in microseconds, 16 digits>-<8 hex digits>.jsonl"""
    stamp = int((time.time() if closed_at is None else closed_at) * 1_000_000)
    return f"requests-{stamp:016d}-{uuid.uuid4().hex[:8]}.jsonl"


def _makedirs(directory: str) -> None:
    """Folders where the file system has them (GCS has none: a service account that may only
    create objects, roles/storage.objectCreator, may fail to check for one, and needs none)."""
    import tensorflow as tf

    try:
        tf.io.gfile.makedirs(directory)
    except (tf.errors.OpError, OSError):
        pass


def check_writable(directory: str, flag: str) -> None:
    """ValueError naming `flag` unless a file can be written in the remote `directory` (one small
    object written, then deleted if the account may): at start-up, not at the first copy a
    minute later."""
    import tensorflow as tf

    probe = f"{directory.rstrip('/')}/.imdb-tfx-write-check-{uuid.uuid4().hex[:8]}"
    _makedirs(directory)
    try:
        with tf.io.gfile.GFile(probe, "w") as f:
            f.write("")
    except (tf.errors.OpError, OSError) as e:
        message = (getattr(e, "message", None) or str(e)).strip()
        raise ValueError(f"{directory}: cannot write there: {message.splitlines()[0] if message else e} ({flag})") from None
    try:
        tf.io.gfile.remove(probe)
    except (tf.errors.OpError, OSError):  # may create, not delete: the probe stays (monitor reads past it)
        pass


class Uploader:
    """Copies closed files from `staging` (a new local temporary directory) to `directory`."""

    def __init__(self, directory: str):
        import tensorflow as tf

        self.directory = directory.rstrip("/")
        _makedirs(self.directory)
        self.staging = tempfile.mkdtemp(prefix="imdb-tfx-request-log-")
        self.pending: list[str] = []  # closed local files not copied yet
        self.uploaded: list[str] = []  # their paths in `directory`
        self.error: BaseException | None = None  # the first failed copy's
        self.failing = False  # the last copy failed

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
        """The pending files copied in order, up to the first that fails (the others wait: a
        bucket that is down costs one try a file closed, not one a file pending)."""
        import tensorflow as tf

        while self.pending:
            local = self.pending[0]
            target = f"{self.directory}/{os.path.basename(local)}"
            try:
                tf.io.gfile.copy(local, target, overwrite=True)
                os.remove(local)
            except (tf.errors.OpError, OSError) as e:
                if not self.failing:
                    self.error = self.error or e
                    logger.error("request log: cannot copy %s to %s: %s (tried again with the next file)",
                                 local, self.directory, getattr(e, "message", None) or e)
                self.failing = True
                return
            self.pending.pop(0)
            self.uploaded.append(target)
            if self.failing:
                self.failing = False
                logger.warning("request log: copying to %s again", self.directory)

    def close(self) -> None:
        """A last try at the pending files; the staging directory removed if nothing is left in it."""
        self.copy_pending()
        if self.pending:
            logger.error("request log: %d file(s) not copied to %s, kept in %s", len(self.pending),
                         self.directory, self.staging)
        try:
            os.rmdir(self.staging)  # only if empty: a file that could not be closed stays too
        except OSError:
            pass
