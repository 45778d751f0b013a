"""What machine a benchmark ran on, printed with its figures."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys


def describe() -> str:
    """One line: CPU, cores, memory, Python, SQLite."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages * size / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{memory}; Python {sys.version.split()[0]}; "
            f"SQLite {sqlite3.sqlite_version}; {platform.system()} {platform.release()}")
