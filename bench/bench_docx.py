"""Committee packs as Word documents: the demo council's biggest pack and a 100-KPI pack.

Each times `reports.word.render_docx` on pack data already assembled (as a published version's
frozen data is), and, beside it, the charts alone made into PNG by resvg (the same SVGs, at the
same zoom), so the table shows where the time goes. CPU time is given too: the host is shared.

Run: `python bench/run.py docx`, or `python -m bench.bench_docx`.
"""

import io
import statistics
import time

from bench.harness import Result, summarise

#: The PDF of a 100-KPI pack takes about 8 s here (bench_packs); a Word one should not take longer.
TARGET_MS = {100: 8000}


def _demo_biggest_meeting() -> int:
    """The demo council's meeting whose pack has the most KPIs (the latest, of equals)."""
    from committees.models import Meeting
    from demo.loader import load_demo
    from reports import selectors

    load_demo()
    meetings = Meeting.objects.exclude(period=None).select_related("committee", "period")
    latest = {}
    for meeting in meetings.order_by("date"):
        latest[meeting.committee_id] = meeting
    sizes = {
        m.pk: selectors.pack_data(selectors.meeting_for_pack(m.pk))["kpi_count"]
        for m in latest.values()
    }
    return max(sizes, key=lambda pk: (sizes[pk], pk))


def _bench_meeting(size: int) -> int:
    from django.contrib.auth.models import Group

    from pmf.roles import Role
    from reports.tests.factories import committee_pack

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    _, meeting, _, _ = committee_pack(size, name=f"Word{size} Committee", first=50_000)
    return meeting.pk


def _charts_only(data: dict) -> tuple[float, float]:
    """Seconds (wall, CPU) to draw the pack's charts and make them into PNG."""
    import resvg_py

    from reports import rendering, word

    wall, process = time.perf_counter(), time.process_time()
    for section in rendering.appendix(data):
        resvg_py.svg_to_bytes(svg_string=str(section["chart"].svg), zoom=word.CHART_ZOOM)
    return time.perf_counter() - wall, time.process_time() - process


def _measure(label: str, meeting_id: int, repeat: int, target_ms: float | None) -> list[Result]:
    from docx import Document

    from reports import selectors, word

    started = time.perf_counter()
    data = selectors.pack_data(selectors.meeting_for_pack(meeting_id))
    data_ms = (time.perf_counter() - started) * 1000
    docx = word.render_docx(data)  # warm-up: fonts, imports
    totals, cpu, charts, charts_cpu = [], [], [], []
    for _ in range(repeat):
        wall, process = time.perf_counter(), time.process_time()
        docx = word.render_docx(data)
        totals.append((time.perf_counter() - wall) * 1000)
        cpu.append((time.process_time() - process) * 1000)
        chart_wall, chart_cpu = _charts_only(data)
        charts.append(chart_wall * 1000)
        charts_cpu.append(chart_cpu * 1000)
    pictures = len(Document(io.BytesIO(docx)).inline_shapes)
    note = (
        f"{data['kpi_count']} KPIs, {pictures} charts; DOCX {len(docx) / 1024:.0f} KB; "
        f"CPU {statistics.median(cpu):.0f} ms; pack data {data_ms:.0f} ms (not included)"
    )
    chart_note = f"CPU {statistics.median(charts_cpu):.0f} ms"
    return [
        summarise(f"Word pack, {label}", totals, target_ms, note),
        summarise(
            f"  its charts alone, SVG to PNG (resvg, zoom {word.CHART_ZOOM})",
            charts,
            None,
            chart_note,
        ),
    ]


def docx_demo_biggest_pack() -> list[Result]:
    return _measure("the demo council's biggest pack", _demo_biggest_meeting(), 3, None)


def docx_100_kpis() -> list[Result]:
    return _measure("100 KPIs × 12 quarters", _bench_meeting(100), 3, TARGET_MS[100])


BENCHMARKS = [docx_demo_biggest_pack, docx_100_kpis]


if __name__ == "__main__":
    from bench.harness import print_table, setup_django

    setup_django()
    out = []
    for benchmark in BENCHMARKS:
        out.extend(benchmark())
    print_table(out)
