"""The machine a benchmark ran on, in one line: for docs/PERFORMANCE.md."""

from __future__ import annotations

import os
import platform
import sqlite3
from pathlib import Path


def describe() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    memory = next(
        (
            f"{int(line.split()[1]) / 1024**2:.0f} GB RAM"
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "",
    )
    import numpy
    import pandas
    import sqlalchemy

    return (
        f"nproc {len(os.sched_getaffinity(0))} ({cpu}), {memory}, Python {platform.python_version()}, pandas {pandas.__version__}, "
        f"numpy {numpy.__version__}, SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    print(describe())
