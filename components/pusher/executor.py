"""The Pusher's executor: TFX's filesystem push, made atomic and monotonic.

TFX's Pusher copies the model straight into `<serving dir>/<unix time>` (saved_model.pb last),
so a push killed mid-copy leaves a version directory that looks like a model and is not one,
and two pushes in the same second share a version. Here, on a local (POSIX) filesystem, the
copy goes into a hidden staging directory, `.<version>.<pid>.incomplete`, which is renamed to
`<version>` once complete: a version directory appears whole or not at all. Staging
directories of pushes that died are removed by the next push.

On an object store (gs://, s3://: a pipeline compiled for Kubeflow) a directory rename is no
such thing: TensorFlow's GCS filesystem renames object by object in name order, so
saved_model.pb lands before variables/ and a push killed mid-rename leaves a version that looks
loadable and is not. There the model is copied straight into its version directory with
saved_model.pb last, as TFX's Pusher does: a reader (the model server, TF Serving, KServe's
storage initializer) passes over a version without saved_model.pb, and one killed mid-copy
stays without it. Versions only grow, on both: a new one is above every version already there.
"""
from __future__ import annotations

import os
import re
import shutil
import time

import tensorflow as tf

from absl import logging
from tfx.components.pusher import executor as tfx_pusher
from tfx.dsl.io import fileio
from tfx.proto import pusher_pb2
from tfx.types import artifact_utils, standard_component_specs
from tfx.utils import io_utils, proto_utils

from components.paths import is_number, is_remote, isdir, listdir

STAGING = re.compile(r"^\.(\d+)\.(\d+)\.incomplete$", re.ASCII)


def staging_name(version: int) -> str:
    return f".{version}.{os.getpid()}.incomplete"


def next_version(base_directory: str) -> int:
    """The Unix time, or one more than the newest version there if that is not below it."""
    versions = [int(v) for v in listdir(base_directory) if is_number(v)] if isdir(base_directory) else []
    return max([int(time.time()), *(v + 1 for v in versions)])


def remove_dead_staging(base_directory: str) -> list[str]:
    """Removes the staging directories of pushes whose process is gone; returns their paths."""
    removed = []
    if not os.path.isdir(base_directory):  # none yet
        return removed
    for name in os.listdir(base_directory):
        match = STAGING.match(name)
        if match and not _alive(int(match.group(2))):
            shutil.rmtree(os.path.join(base_directory, name), ignore_errors=True)
            removed.append(os.path.join(base_directory, name))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a staging directory of this process is left from an earlier push of it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def copy_model(model_path: str, destination: str) -> None:
    """Copies the SavedModel at model_path to destination, saved_model.pb last."""
    io_utils.copy_dir(model_path, destination, deny_regex_patterns=[r"saved_model\.pb"])
    saved_model = os.path.join(model_path, "saved_model.pb")
    if fileio.exists(saved_model):
        io_utils.copy_file(saved_model, os.path.join(destination, "saved_model.pb"))


def publish(model_path: str, base_directory: str) -> tuple[str, str]:
    """Copies the model into a staging directory and renames it to the next version (an object
    store: straight into it, saved_model.pb last); returns (version directory, version)."""
    fileio.makedirs(base_directory)
    if is_remote(base_directory):
        return _publish_in_place(model_path, base_directory)
    for path in remove_dead_staging(base_directory):
        logging.warning("Pusher: removed %s, left by a push that died", path)
    version = next_version(base_directory)
    staging = os.path.join(base_directory, staging_name(version))
    if fileio.exists(staging):
        fileio.rmtree(staging)
    copy_model(model_path, staging)
    while True:
        target = os.path.join(base_directory, str(version))
        if not fileio.exists(target):
            try:
                fileio.rename(staging, target)
                return target, str(version)
            except (OSError, tf.errors.OpError):
                if not fileio.exists(target):
                    raise
        version += 1  # another push (from another store) took this version meanwhile


def _publish_in_place(model_path: str, base_directory: str) -> tuple[str, str]:
    """An object store's push: the next version no directory has yet, the model copied into it
    with saved_model.pb last."""
    version = next_version(base_directory)
    while fileio.exists(os.path.join(base_directory, str(version))):
        version += 1
    target = os.path.join(base_directory, str(version))
    copy_model(model_path, target)
    return target, str(version)


class Executor(tfx_pusher.Executor):
    """Pushes only a model blessed by every validator given (the Evaluator's ModelBlessing and
    the serving canary's InfraBlessing), to a filesystem destination, atomically."""

    def Do(self, input_dict, output_dict, exec_properties) -> None:
        self._log_startup(input_dict, output_dict, exec_properties)
        model_push = artifact_utils.get_single_instance(output_dict[standard_component_specs.PUSHED_MODEL_KEY])
        if not self.CheckBlessing(input_dict):
            self._MarkNotPushed(model_push)
            return
        destination = pusher_pb2.PushDestination()
        proto_utils.json_to_proto(exec_properties[standard_component_specs.PUSH_DESTINATION_KEY], destination)
        if destination.WhichOneof("destination") != "filesystem":
            raise NotImplementedError(f"push destination {destination.WhichOneof('destination')}: "
                                      "only a filesystem destination is supported")
        model_path = self.GetModelPath(input_dict)
        serving_path, version = publish(model_path, destination.filesystem.base_directory)
        logging.info("Model written to serving path %s.", serving_path)
        io_utils.copy_dir(model_path, model_push.uri)  # the pushed model's own copy, as TFX's Pusher keeps
        self._MarkPushed(model_push, pushed_destination=serving_path, pushed_version=version)
