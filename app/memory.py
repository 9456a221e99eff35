"""Give memory back to the system after heavy work (glibc's malloc keeps freed memory in per-thread arenas).

A heavy race or a store full of network runs leaves hundreds of MB of freed but mapped memory behind:
glibc makes one arena per thread that ever allocated (up to 8 per core) and trims them only at their top.
Limiting the arenas at start-up and asking for ``malloc_trim(0)`` after a heavy session ends gives it back.
Elsewhere than glibc (macOS, musl) these do nothing and say so by returning False.
"""

from __future__ import annotations

import ctypes
import os
import sys
from functools import lru_cache

M_ARENA_MAX = -8  # mallopt parameter, from glibc's malloc.h
ARENAS = 2  # enough for the event loop and the compute workers without one arena per thread


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt, libc.malloc_trim  # noqa: B018 (both exist: glibc, not musl)
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(count: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas (call once, at start-up, before the worker threads allocate)."""
    libc = _libc()
    return bool(libc and libc.mallopt(M_ARENA_MAX, count) == 1)


def give_back() -> bool:
    """Return freed heap memory to the system now; True when some was returned."""
    libc = _libc()
    return bool(libc and libc.malloc_trim(0) == 1)


def rss_bytes() -> int:
    """Resident memory of this process (Linux; 0 elsewhere), for benchmarks and logs."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
