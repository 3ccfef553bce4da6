"""Handing freed heap memory back to the operating system between the Trainer's big steps.

The local runners run every component in one process: the Trainer starts with what ExampleGen,
StatisticsGen and Transform left on glibc's heap (freed, but kept by the allocator), and the
best preset's sentence model then builds matrices of tens of millions of entries on top of it.
glibc's malloc_trim returns the free pages; elsewhere (no glibc) this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc


def release() -> None:
    """Collects garbage, then asks glibc to return the free heap pages to the system."""
    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
    except OSError:
        trim = None
    if trim is not None:
        trim(0)
