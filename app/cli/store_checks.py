"""Start-up checks of a local run's metadata store and run locks (app/cli/validation.py calls
them): read-only, nothing written, so that a rejected run leaves no file behind."""
from __future__ import annotations

import os

from app.cli.flag_checks import UsageError, is_remote


def local_store(args) -> None:
    """The metadata store of a local or Beam run is an SQLite file, which SQLite opens only on a
    local file system: a gs:// root's default store (ROOT.metadata.sqlite) would be on gs://."""
    from app.cli.arguments import store_for_root

    if args.metadata_path and is_remote(args.metadata_path):
        raise UsageError(f"--metadata-path {args.metadata_path}: the metadata store is an SQLite file, which SQLite "
                         "cannot open on a remote file system: give a local path")
    if not args.metadata_path and is_remote(args.pipeline_root):
        raise UsageError(f"--pipeline-root {args.pipeline_root}: its default metadata store, "
                         f"{store_for_root(args.pipeline_root)}, would be on a remote file system, where SQLite cannot "
                         "open it: give --metadata-path a local SQLite file (one per pipeline root)")


def existing_store(args) -> None:
    """A store that exists is an ML Metadata store of this pipeline root (read-only checks; the
    run checks again under its lock), so that a rejected run writes nothing, not even its log."""
    from app.cli.arguments import store_for_root

    from pipeline.run_lock import LockFileError, StoreRootError, check_lock_files, check_store_root

    path = args.metadata_path or store_for_root(args.pipeline_root)
    try:
        check_lock_files(path, args.pipeline_root)  # a directory or a FIFO where the run writes its lock
    except LockFileError as e:
        raise UsageError(str(e)) from None
    if not path or is_remote(args.pipeline_root) or not os.path.isfile(path) or not os.path.getsize(path):
        return
    from app.metadata_store import StoreError, open_store

    try:
        open_store(path)
        check_store_root(path, args.pipeline_root)
    except (StoreError, StoreRootError) as e:
        raise UsageError(f"--metadata-path {e}") from None
