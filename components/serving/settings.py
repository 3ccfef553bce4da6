"""The server's settings and their command-line flags, shared by `python -m components.serving`
and `imdb-tfx serve` (app/cli/serve.py), so that the two take the same flags with the same
defaults. Nothing heavy is imported here: `--help` answers at once.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import re
from typing import Optional

from components.paths import is_remote, isdir

DEFAULT_PORT = 8080  # KServe's default HTTP port (and the InferenceService manifests')
DEFAULT_MODEL_NAME = "imdb"
DEFAULT_MAX_BATCH_SIZE = 64
DEFAULT_BATCH_WAIT_MS = 10.0
DEFAULT_BATCH_IDLE_MS = 1.0
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_INSTANCES = 1024
DEFAULT_POLL_SECONDS = 2.0
READY_LINE = "imdb-tfx serve: ready"  # the start of the line printed once the server answers


@dataclasses.dataclass(frozen=True)
class Settings:
    serving_dir: Optional[str] = None  # poll its versions ...
    model_dir: Optional[str] = None  # ... or serve this one SavedModel
    port: int = DEFAULT_PORT
    host: str = "0.0.0.0"
    model_name: str = DEFAULT_MODEL_NAME
    max_batch_size: int = DEFAULT_MAX_BATCH_SIZE
    batch_wait_ms: float = DEFAULT_BATCH_WAIT_MS
    batch_idle_ms: float = DEFAULT_BATCH_IDLE_MS  # a batch closes after this long with no request (components/serving/batching.py)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_instances: int = DEFAULT_MAX_INSTANCES
    poll_seconds: float = DEFAULT_POLL_SECONDS
    access_log: bool = False
    grpc_port: int = 0  # the V2 gRPC service's port (components/serving/grpc_service.py); 0: no gRPC
    keep_versions: int = 1  # versions kept loaded for /versions/<N> (components/serving/loaded_versions.py)
    request_log: Optional[str] = None  # a directory: every answered prediction as JSON lines (request_log.py)
    request_log_max_bytes: int = 64 * 1024 * 1024  # a log file is rotated once it holds this much
    request_log_max_seconds: Optional[float] = None  # ... or is this old (None: on gs:// 60 s, else never)

    def check(self) -> "Settings":
        """ValueError naming the flag for settings that cannot work, FileNotFoundError for a
        directory that does not exist (checked before TensorFlow is imported: it fails at once)."""
        if (self.serving_dir is None) == (self.model_dir is None):
            raise ValueError("give --serving-dir DIR (serve its newest version) or --model-dir DIR (one model), "
                             "not both")
        for flag, value, least in (("--port", self.port, 0), ("--max-batch-size", self.max_batch_size, 1),
                                   ("--batch-wait-ms", self.batch_wait_ms, 0), ("--batch-idle-ms", self.batch_idle_ms, 0),
                                   ("--max-body-bytes", self.max_body_bytes, 1),
                                   ("--max-instances", self.max_instances, 1), ("--poll-seconds", self.poll_seconds, 0.01),
                                   ("--request-log-max-bytes", self.request_log_max_bytes, 1),
                                   ("--grpc-port", self.grpc_port, 0), ("--keep-versions", self.keep_versions, 1)):
            if value < least:
                raise ValueError(f"{flag} must be at least {least} (got {value})")
        if self.request_log_max_seconds is not None and self.request_log_max_seconds <= 0:
            raise ValueError(f"--request-log-max-seconds must be above 0 (got {self.request_log_max_seconds:g})")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", self.model_name):  # a segment of every route's path
            raise ValueError(f"--model-name {self.model_name!r}: letters, digits, '_', '.' and '-' only (it is part of "
                             "the URLs: /v1/models/NAME)")
        if self.port > 65535:
            raise ValueError(f"--port must be at most 65535 (got {self.port})")
        if self.grpc_port > 65535 or (self.grpc_port and self.grpc_port == self.port):
            raise ValueError(f"--grpc-port must be at most 65535 and not --port (got {self.grpc_port})")
        for flag, path in (("--serving-dir", self.serving_dir), ("--model-dir", self.model_dir)):
            if path is not None and not isdir(path):  # gs:// too
                raise FileNotFoundError(f"{path}: no such directory ({flag})")
        if self.request_log is not None and is_remote(self.request_log):  # gs://: one object written and deleted
            from components.serving.log_upload import check_writable

            check_writable(self.request_log, "--request-log")
        elif self.request_log is not None:
            _check_writable_directory(self.request_log, "--request-log")
        return self


def _check_writable_directory(path: str, flag: str) -> None:
    """Makes `path` a directory if it is none yet; ValueError unless that works and it is
    writable (a path under /proc, say, passes an access check and fails only when made)."""
    existing = path
    while existing and not os.path.exists(existing):
        existing = os.path.dirname(existing.rstrip(os.sep)) or "."
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{path}: not a directory ({flag})")
    if not os.path.isdir(existing) or not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{path}: cannot write there ({flag})")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise ValueError(f"{path}: cannot make the directory: {e.strerror} ({flag})") from None


def add_arguments(parser: argparse.ArgumentParser, serving_dir_default: Optional[str] = None) -> None:
    """The server's flags; `serving_dir_default` is served when neither directory flag is given."""
    parser.set_defaults(serving_dir_default=serving_dir_default)
    source = parser.add_argument_group("what to serve (one of)")
    source.add_argument("--serving-dir",
                        help="a serving directory of versions <dir>/<version>/ (as the Pusher writes): serve the "
                             "newest complete one, poll for newer ones"
                             + (f" (default: {serving_dir_default})" if serving_dir_default else ""))
    source.add_argument("--model-dir", help="one SavedModel directory, no polling (e.g. a candidate model)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"HTTP port (default {DEFAULT_PORT}; 0: any free port)")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0; 127.0.0.1: this machine only)")
    parser.add_argument("--model-name", default=DEFAULT_MODEL_NAME,
                        help=f"the name in the URLs, /v1/models/NAME:predict (default {DEFAULT_MODEL_NAME})")
    parser.add_argument("--max-batch-size", type=int, default=DEFAULT_MAX_BATCH_SIZE,
                        help=f"most reviews merged into one model call (default {DEFAULT_MAX_BATCH_SIZE})")
    parser.add_argument("--batch-wait-ms", type=float, default=DEFAULT_BATCH_WAIT_MS,
                        help="the longest a batch waits for more requests while they keep arriving "
                             f"(default {DEFAULT_BATCH_WAIT_MS:g})")
    parser.add_argument("--batch-idle-ms", type=float, default=DEFAULT_BATCH_IDLE_MS,
                        help="close a batch once this long passes with no request arriving (default "
                             f"{DEFAULT_BATCH_IDLE_MS:g}; 0: always wait the whole --batch-wait-ms)")
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES,
                        help=f"largest request body; larger ones get 413 (default {DEFAULT_MAX_BODY_BYTES}, 8 MiB)")
    parser.add_argument("--max-instances", type=int, default=DEFAULT_MAX_INSTANCES,
                        help=f"most reviews in one request (default {DEFAULT_MAX_INSTANCES})")
    parser.add_argument("--poll-seconds", type=float, default=DEFAULT_POLL_SECONDS,
                        help=f"how often the serving directory is checked for new versions (default {DEFAULT_POLL_SECONDS:g})")
    parser.add_argument("--access-log", action="store_true", help="log every request (off: it costs CPU under load)")
    parser.add_argument("--grpc-port", type=int, default=0,
                        help="also serve the V2 gRPC inference service on this port (KServe's is 8081; default 0: off)")
    parser.add_argument("--keep-versions", type=int, default=1, metavar="K",
                        help="keep the K newest versions loaded, so that /v1/models/NAME/versions/N (and gRPC's "
                             "model_version) can pin one during a rollout or rollback (default 1: the served one)")
    parser.add_argument("--request-log", metavar="DIR",
                        help="record every answered prediction (time, request id, version, text, probability, label) "
                             "as JSON lines in DIR, for `imdb-tfx monitor` (gs://... too: each file copied there "
                             "once closed; default: none)")
    parser.add_argument("--request-log-max-bytes", type=int, default=64 * 1024 * 1024, metavar="N",
                        help="start a new request log file once one holds N bytes (default 64 MiB)")
    parser.add_argument("--request-log-max-seconds", type=float, default=None, metavar="S",
                        help="... or once its first line is S seconds old (default: 60 for a gs:// log, which is "
                             "that far behind at most; none for a local one)")


def from_args(args: argparse.Namespace) -> Settings:
    """Settings from parsed flags; ValueError for flags that cannot work together."""
    serving_dir = args.serving_dir
    if serving_dir is None and args.model_dir is None:
        serving_dir = args.serving_dir_default
    return Settings(serving_dir=serving_dir, model_dir=args.model_dir, port=args.port, host=args.host,
                    model_name=args.model_name, max_batch_size=args.max_batch_size, batch_wait_ms=args.batch_wait_ms,
                    batch_idle_ms=getattr(args, "batch_idle_ms", DEFAULT_BATCH_IDLE_MS),
                    max_body_bytes=args.max_body_bytes, max_instances=args.max_instances,
                    poll_seconds=args.poll_seconds, access_log=args.access_log,
                    request_log=getattr(args, "request_log", None),
                    request_log_max_bytes=getattr(args, "request_log_max_bytes", 64 * 1024 * 1024),
                    request_log_max_seconds=getattr(args, "request_log_max_seconds", None),
                    grpc_port=getattr(args, "grpc_port", 0), keep_versions=getattr(args, "keep_versions", 1)).check()
