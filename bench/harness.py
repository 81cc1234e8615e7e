"""A small benchmark harness: a throw-away database, timed repeats, a printed table.

Each benchmark module exposes `BENCHMARKS`: a list of (name, setup, run, target_ms) where setup()
builds data once and returns a context, and run(context) is the timed step.
"""

import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Point Django at a fresh database (SQLite in a temp folder unless BENCH_DATABASE_URL)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")
    if "BENCH_DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        folder = tempfile.mkdtemp(prefix="pmf-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("AXES_ENABLED", "false")
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    runs: int
    target_ms: float | None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return ""
        return "ok" if self.median_ms <= self.target_ms else "SLOW"


def time_it(run: Callable[[], object], *, repeat: int = 20, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        run()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def summarise(name: str, timings: list[float], target_ms: float | None, note: str = "") -> Result:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Result(name, statistics.median(ordered), p95, len(ordered), target_ms, note)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from django.db import connection

    database = connection.vendor
    if database == "sqlite":
        database += f" {connection.Database.sqlite_version}"
    # Which build of Python matters: WeasyPrint is pure Python, and an optimised build (PGO and
    # LTO, as Debian's or the official images') lays a pack out about a fifth faster.
    python = f"Python {platform.python_version()} from {sys.base_prefix}"
    return f"{cpu}, {os.cpu_count()} cores, {python}, {database}"


def print_table(results: list[Result]) -> None:
    print()
    print("| benchmark | median ms | p95 ms | runs | target ms | verdict | note |")
    print("| --- | ---: | ---: | ---: | ---: | --- | --- |")
    for r in results:
        target = f"{r.target_ms:g}" if r.target_ms is not None else ""
        print(
            f"| {r.name} | {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.runs} | {target} "
            f"| {r.verdict} | {r.note} |"
        )
    print()
    print(f"Machine: {machine()}")
