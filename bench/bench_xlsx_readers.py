"""The XLSX readers compared on the same files: read_table alone, then the imports end to end.

read_table reads XLSX with calamine (and with openpyxl the sheets calamine would read differently
or unsafely). These benchmarks put each reader behind it in turn: openpyxl alone, as before;
calamine, as now; and calamine through pandas.read_excel. The readers take turns, in alternating
order, so that a busy host slows each alike; compare them by the ratios of one run.
"""

import contextlib
import io
import statistics
import time
from collections.abc import Callable, Iterator
from unittest import mock

from bench.harness import Result, summarise
from pmf.roles import system_actor

VALUES_ROUNDS = 3
REGISTER_ROUNDS = 10
VALUES_IMPORT_ROUNDS = 3
REGISTER_IMPORT_ROUNDS = 5


def _openpyxl(data: bytes, limits=None) -> Iterator[list[str]]:
    from pmf import spreadsheets

    spreadsheets._check_zip(data, limits or spreadsheets.LIMITS)
    return spreadsheets._openpyxl_rows(data)


def _pandas(data: bytes, limits=None) -> Iterator[list[str]]:
    import pandas

    from pmf import spreadsheets

    spreadsheets._check_zip(data, limits or spreadsheets.LIMITS)
    frame = pandas.read_excel(
        io.BytesIO(data), engine="calamine", header=None, dtype=object, na_filter=False
    )
    cell = spreadsheets._cell_text
    return ([cell(value) for value in row] for row in frame.itertuples(index=False, name=None))


# What to put behind read_table in place of its own reader (calamine, as the product reads).
READERS: dict[str, Callable[..., Iterator[list[str]]] | None] = {
    "openpyxl": _openpyxl,
    "calamine": None,
    "calamine via pandas": _pandas,
}


def _reading_with(reader: str):
    from pmf import spreadsheets

    replacement = READERS[reader]
    if replacement is None:
        return contextlib.nullcontext()
    return mock.patch.object(spreadsheets, "_xlsx_rows", replacement)


def _taking_turns(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per run of each, the order reversed every other round."""
    timings: dict[str, list[float]] = {name: [] for name in runs}
    for round_number in range(rounds):
        names = list(runs) if round_number % 2 == 0 else list(reversed(runs))
        for name in names:
            start = time.perf_counter()
            runs[name]()
            timings[name].append((time.perf_counter() - start) * 1000)
    return timings


def _results(label: str, timings: dict[str, list[float]], note: str) -> list[Result]:
    base = statistics.median(timings["openpyxl"])
    results = []
    for reader, runs in timings.items():
        ratio = base / statistics.median(runs)
        results.append(
            summarise(f"{label}, {reader}", runs, None, f"{note}; {ratio:.1f}× openpyxl's speed")
        )
    return results


def _register_file() -> bytes:
    from bench.bench_register import KPI_COUNT, _build_register
    from kpis.register.io import register_export_xlsx
    from kpis.register.models import Kpi

    _build_register(KPI_COUNT)  # before the values' KPIs, which it would count as its own
    return register_export_xlsx(Kpi.objects.exclude(reference__startswith="V"))


def _values_file():
    from bench.bench_values_import import KPI_COUNT, QUARTERS, _build, _workbook

    user, kpis, specs = _build(KPI_COUNT, QUARTERS)
    return user, _workbook(kpis, specs), len(kpis) * len(specs)


def read_table_by_reader() -> list[Result]:
    from pmf.spreadsheets import read_table

    register = _register_file()
    _user, values, rows = _values_file()
    results = []
    for label, data, rounds in [
        (f"read_table, {rows:,}-value XLSX", values, VALUES_ROUNDS),
        ("read_table, 2,000-KPI register XLSX", register, REGISTER_ROUNDS),
    ]:
        tables = {}

        def run(reader: str, data: bytes = data, tables: dict = tables) -> None:
            with _reading_with(reader):
                tables[reader] = read_table(data, "bench.xlsx")

        timings = _taking_turns({reader: lambda r=reader: run(r) for reader in READERS}, rounds)
        if len({repr(table) for table in tables.values()}) != 1:
            raise RuntimeError(f"the readers read {label} differently")
        table = tables["openpyxl"]
        note = f"{len(table.rows):,} rows × {len(table.headers)} columns, {len(data) / 1e6:.1f} MB"
        results += _results(label, timings, note)
    return results


def imports_by_reader() -> list[Result]:
    from kpis.register.io import register_import
    from kpis.reporting.io import values_import
    from kpis.reporting.models import Measurement

    register = _register_file()
    user, values, rows = _values_file()

    def import_values(reader: str) -> None:
        with _reading_with(reader):
            result = values_import(
                data=values, filename="historic.xlsx", by=user, apply=True, historic=True
            )
        if not result.applied or result.counts["new"] != rows:
            raise RuntimeError(f"the import did not write every row: {result.counts}")
        # Without signals: django-simple-history would record each deletion.
        Measurement.objects.all()._raw_delete(Measurement.objects.db)
        Measurement.history.all()._raw_delete(Measurement.objects.db)

    def preview_register(reader: str) -> None:
        with _reading_with(reader):
            result = register_import(
                data=register, filename="register.xlsx", by=system_actor(), apply=False
            )
        if result.errors or len(result.unchanged) != 2000:
            raise RuntimeError(f"the register preview failed: {result.errors[:3]}")

    readers = ["openpyxl", "calamine"]
    import_values("calamine")  # the first import into a fresh database is slower, whatever reads
    values_timings = _taking_turns(
        {reader: lambda r=reader: import_values(r) for reader in readers}, VALUES_IMPORT_ROUNDS
    )
    register_timings = _taking_turns(
        {reader: lambda r=reader: preview_register(r) for reader in readers},
        REGISTER_IMPORT_ROUNDS,
    )
    return _results(
        f"values import end to end, {rows:,} historic values", values_timings, "written, SQLite"
    ) + _results(
        "register import preview end to end, 2,000 KPIs", register_timings, "checked, unchanged"
    )


BENCHMARKS = [read_table_by_reader, imports_by_reader]
