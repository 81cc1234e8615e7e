"""Run every benchmark (or those named) and print a table: `make bench` or `python bench/run.py`.

Usage: python bench/run.py [name-fragment ...]
Set BENCH_DATABASE_URL=postgres://... to run against PostgreSQL instead of a temporary SQLite file.
"""

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import print_table, setup_django  # noqa: E402

MODULES = [
    "bench.bench_register",
    "bench.bench_rating",
    "bench.bench_dashboard",
    "bench.bench_entry",
    "bench.bench_values_import",
    "bench.bench_xlsx_readers",
    "bench.bench_scorecards",
    "bench.bench_packs",
    "bench.bench_docx",
]


def empty_database() -> None:
    """Remove every row, then restore the role groups the migrations create."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from pmf.roles import Role

    call_command("flush", interactive=False, verbosity=0)
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def main(selected: list[str]) -> None:
    setup_django()
    results = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        if selected and not any(
            part in benchmark.__name__ for benchmark in module.BENCHMARKS for part in selected
        ):
            continue
        empty_database()  # each module builds its own data; benchmarks in one module share it
        for benchmark in module.BENCHMARKS:
            if selected and not any(part in benchmark.__name__ for part in selected):
                continue
            print(f"running {benchmark.__name__} …", file=sys.stderr)
            results.extend(benchmark())
    print_table(results)


if __name__ == "__main__":
    main(sys.argv[1:])
