"""Handing freed heap memory back to the operating system between the Trainer's big steps.

The local runners run every component in one process: the Trainer starts with what ExampleGen,
StatisticsGen and Transform left on glibc's heap (freed, but kept by the allocator), and the
best preset's sentence model then builds matrices of tens of millions of entries on top of it.
glibc's malloc_trim returns the free pages; elsewhere (no glibc) this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, or None."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def release() -> None:
    """Collects garbage, then asks glibc to return the free heap pages to the system."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
