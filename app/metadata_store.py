"""Opening the pipeline's SQLite metadata store read-only (app/runs.py reads runs back through
it): a missing file, a file that is not SQLite, and an SQLite database without ML Metadata's
tables are each a StoreError naming the file, and nothing is ever written into it."""
from __future__ import annotations

import os


SQLITE_HEADER = b"SQLite format 3\x00"


class StoreError(ValueError):
    """The metadata store is missing or is not one; the message names the file."""


def open_store(metadata_path: str):
    """The SQLite metadata store at `metadata_path`, opened read-only: reading runs back never
    creates or changes a store. FileNotFoundError if there is none; StoreError for a file that
    is not an MLMD store."""
    if not os.path.exists(metadata_path):
        raise FileNotFoundError(f"{metadata_path}: no metadata store (has the pipeline run?)")
    with open(metadata_path, "rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        what = "an empty file" if not header else "not an SQLite database"
        raise StoreError(f"{metadata_path}: not a metadata store ({what})")
    if not _has_mlmd_tables(metadata_path):  # MLMD would try to create them, in a read-only connection
        raise StoreError(f"{metadata_path}: not a metadata store (an SQLite database without ML Metadata's tables)")
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2
    config = metadata_store_pb2.ConnectionConfig()  # as TFX's sqlite_metadata_connection_config, without importing TFX
    config.sqlite.filename_uri = metadata_path
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READONLY
    try:
        return metadata_store.MetadataStore(config)
    except Exception as e:  # MLMD raises its own status errors
        raise StoreError(f"{metadata_path}: not a metadata store ({_why(e)})") from None


# What SQLite says of a damaged file, inside ML Metadata's longer message (which also asks to
# "retry the connection", as if the store were busy).
SQLITE_ERRORS = ("database disk image is malformed", "file is not a database", "database is locked",
                 "unable to open database file")


def _why(error: Exception) -> str:
    text = str(error)
    found = next((e for e in SQLITE_ERRORS if e in text), None)
    if found:
        return f"SQLite: {found}"
    first = text.strip().splitlines()[0] if text.strip() else ""
    return f"{type(error).__name__}: {first[:200]}"


def _has_mlmd_tables(metadata_path: str) -> bool:
    """Whether the SQLite database has ML Metadata's tables (read without changing it); True
    when it cannot be read here, so that MLMD's own error says why."""
    import sqlite3
    import urllib.parse

    try:
        connection = sqlite3.connect(f"file:{urllib.parse.quote(os.path.abspath(metadata_path))}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.Error:
        return True
    return {"Type", "Artifact", "Execution"} <= tables
