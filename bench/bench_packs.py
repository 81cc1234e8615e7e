"""Committee packs: 25 KPIs and 100 KPIs, each with 12 quarters of history, end to end.

End to end = read the meeting, assemble the pack's data, render the HTML, lay it out as a tagged
PDF (WeasyPrint, pdf/ua-1). Also WeasyPrint's own write_pdf time for the same final HTML, and the
ratio of the two (target ≤ 1.3: data and charts cost little beside the layout engine).

Run: `python -m bench.bench_packs`, or `python bench/run.py pack` once bench.bench_packs is in
run.py's MODULES.
"""

import io
import os
import statistics
import subprocess
import sys
import time
import tracemalloc

from pypdf import PdfReader

from bench.harness import ROOT, Result, summarise

TARGETS = {25: 2000, 100: 6000}  # ms, end to end
PDF_LIMIT = 1024 * 1024  # 25 KPIs
MEMORY_LIMIT_MB = 400  # 100 KPIs


def _meeting(size: int):
    from django.contrib.auth.models import Group

    from pmf.roles import Role
    from reports.tests.factories import committee_pack

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    _, meeting, _, _ = committee_pack(
        size, name=f"Bench{size} Committee", first=10_000 * (size // 25)
    )
    return meeting.pk


def _end_to_end(meeting_id: int):
    from reports import rendering, selectors

    started = time.perf_counter()
    data = selectors.pack_data(selectors.meeting_for_pack(meeting_id))
    html = rendering.render_html(data)
    result = rendering.html_to_pdf(html)
    return time.perf_counter() - started, html, result.pdf


def _write_pdf_only(html: str) -> float:
    from weasyprint import HTML

    from reports.rendering import APP_ORIGIN, PDF_VARIANT, AppOnlyFetcher

    started = time.perf_counter()
    HTML(string=html, base_url=f"{APP_ORIGIN}/", url_fetcher=AppOnlyFetcher()).write_pdf(
        pdf_variant=PDF_VARIANT
    )
    return time.perf_counter() - started


# One pack in a new process, as a worker makes it: this process's own peak also holds the test
# data it built and every earlier benchmark. The peak is read from VmHWM, which starts afresh with
# the new program; getrusage()'s ru_maxrss would carry over this process's size from the fork.
_ONE_PACK = """
import pathlib, re, sys
import django
django.setup()
from bench.bench_packs import _end_to_end
_end_to_end(int(sys.argv[1]))
print(re.search(r"VmHWM:\\s+(\\d+) kB", pathlib.Path("/proc/self/status").read_text())[1])
"""


def _peak_rss_in_a_fresh_process(meeting_id: int) -> float:
    """Peak resident memory (MB) of a new process making the meeting's pack once."""
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", _ONE_PACK, str(meeting_id)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return int(done.stdout.split()[-1]) / 1024


def _pack(size: int, repeat: int) -> list[Result]:
    meeting_id = _meeting(size)
    _end_to_end(meeting_id)  # warm-up: fonts, templates, the RAG policy
    totals, layouts = [], []
    html = pdf = None
    for _ in range(repeat):
        seconds, html, pdf = _end_to_end(meeting_id)
        totals.append(seconds * 1000)
        layouts.append(_write_pdf_only(html) * 1000)
    ratio = statistics.median(totals) / statistics.median(layouts)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)

    tracemalloc.start()
    _end_to_end(meeting_id)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss_mb = _peak_rss_in_a_fresh_process(meeting_id)
    note = (
        f"PDF {len(pdf) / 1024:.0f} KB, {pages} pages; end-to-end / write_pdf = {ratio:.2f} "
        f"(target ≤ 1.3); Python peak {peak / 2**20:.0f} MB (tracemalloc), "
        f"peak RSS of a process making one pack {max_rss_mb:.0f} MB"
    )
    if size == 25:
        note += f"; PDF {'under' if len(pdf) < PDF_LIMIT else 'OVER'} 1 MB"
    if size == 100:
        note += f"; memory {'under' if max_rss_mb < MEMORY_LIMIT_MB else 'OVER'} 400 MB"
    return [
        summarise(
            f"committee pack, {size} KPIs × 12 quarters, end to end", totals, TARGETS[size], note
        ),
        summarise(f"  WeasyPrint write_pdf only, same HTML ({size} KPIs)", layouts, None),
    ]


def pack_25_kpis() -> list[Result]:
    return _pack(25, repeat=5)


def pack_100_kpis() -> list[Result]:
    return _pack(100, repeat=3)


BENCHMARKS = [pack_25_kpis, pack_100_kpis]


if __name__ == "__main__":
    from bench.harness import print_table, setup_django

    setup_django()
    out = []
    for benchmark in BENCHMARKS:
        out.extend(benchmark())
    print_table(out)
