"""The canary's model and server log on local disk when the pipeline's artifacts are on an object
store (gs://: a pipeline compiled for Kubeflow).

A subprocess writes its output to a local file, so the server's log is written into a
temporary directory and copied into the InfraBlessing artifact afterwards; and the candidate is
copied there and served from local disk, as KServe's storage initializer copies a gs:// model to
/mnt/models before its server starts (the server could read gs:// itself, but the canary then
checks the deployment's way, and loads once from local disk). Local paths are used as they are.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

from components.paths import is_remote


@contextlib.contextmanager
def served_locally(model_dir: str, log_path: str):
    """(a local copy of model_dir, a local log path) for the block; the log copied to `log_path`
    after it, the copies removed."""
    if not is_remote(model_dir) and not is_remote(log_path):
        yield model_dir, log_path
        return
    import tensorflow as tf
    from tfx.utils import io_utils

    scratch = tempfile.mkdtemp(prefix="imdb-tfx-canary-")
    local_log = os.path.join(scratch, os.path.basename(log_path))
    try:
        local_model = model_dir
        if is_remote(model_dir):
            local_model = os.path.join(scratch, "model")
            io_utils.copy_dir(model_dir, local_model)
        yield local_model, local_log
    finally:
        try:
            if os.path.exists(local_log):
                tf.io.gfile.copy(local_log, log_path, overwrite=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
