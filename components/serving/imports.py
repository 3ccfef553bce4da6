"""Imports for the server's start-up: kserve without the part that costs most and serves nothing.

kserve imports ray, ray imports jsonschema, and jsonschema, when the optional `rfc3987_syntax`
is installed (it is, for jupyter-events), registers a checker of the `iri` formats with it,
which builds a Lark grammar at import: 3 of the 6 s that `import kserve` takes here (with
bytecode compiled). Nothing in this server validates an IRI, so the server hides the module
and jsonschema skips that one checker (it imports it under `suppress(ImportError)`).
"""
from __future__ import annotations

import sys

HIDDEN = "rfc3987_syntax"


def hide_iri_grammar() -> None:
    """Before kserve is imported: `import rfc3987_syntax` raises ImportError in this process
    (unless it was imported already)."""
    sys.modules.setdefault(HIDDEN, None)
