"""Load test: officers entering and submitting their values at the deadline.

    .venv/bin/python bench/load_entry.py [--users 100] [--kpis-per-user 3] [--workers 4] ...

What it does, self-contained and bounded in time (loopback only):

1. Creates a fresh PostgreSQL database (`pmf_load` on 127.0.0.1 unless --db-url says otherwise),
   migrates it, and seeds N officers each leading K quarterly KPIs (a percentage, a count and an
   amount of money, in turn), with this year's targets, last quarter's approved values and the
   reporting quarter open with its submission deadline today.
2. Starts gunicorn (the venv's own binary, 4 sync workers by default) on a free loopback port
   with DEBUG off, throttling off and persistent database connections.
3. Signs every officer in (GET the sign-in page, POST it with the CSRF token). Sign-in is
   deliberately slow (PBKDF2, about 0.3 s of CPU each), so it is staggered before the deadline,
   reported on its own, and not part of the pass/fail (--sign-in-at-deadline puts it in the rush).
4. At "the deadline" every officer, in their own thread, within --ramp seconds of each other and
   with --think seconds between steps: opens /my-kpis/, saves every value as a draft, follows the
   redirect, then submits every value for sign-off (with an action plan where it is off target)
   and follows the redirect. Form field names and versions are read from the page's HTML.
5. Prints a table (requests, errors, p50/p95/p99/max per kind of request), checks p95 < 300 ms
   with no errors, then checks the database: every submitted value present exactly once, as
   submitted, with exactly one "Saved as draft" and one "Submitted" history record. To show
   where the time went it also prints gunicorn's own time per request (its access log), the CPU
   used by gunicorn, PostgreSQL, this client and everything else on the machine, and how often
   a PostgreSQL backend was waiting for a lock, and on which statement.
6. Stops gunicorn and drops the database (keep it with --keep-db), whatever happened.

Latencies are measured by the client: from sending the request to reading the whole response,
so they include time queued for a free gunicorn worker. The exit status is 0 only on a pass.
"""

import argparse
import datetime
import http.client
import math
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PASSWORD = "load-test-password-2026"
TARGET_P95_MS = 300.0
REQUEST_TIMEOUT_S = 30.0

# Request kinds, in the order they are reported.
SIGN_IN_GET = "GET /sign-in/"
SIGN_IN_POST = "POST /sign-in/"
PAGE = "GET /my-kpis/"
DRAFT = "POST /my-kpis/ save as draft"
AFTER_DRAFT = "GET /my-kpis/ after saving"
SUBMIT = "POST /my-kpis/ submit for sign-off"
AFTER_SUBMIT = "GET /my-kpis/ after submitting"
DEADLINE_KINDS = (PAGE, DRAFT, AFTER_DRAFT, SUBMIT, AFTER_SUBMIT)
SIGN_IN_KINDS = (SIGN_IN_GET, SIGN_IN_POST)

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(r'name="e(\d+)-(\d+)-version" value="(\d*)"')
VALUE_RE = re.compile(r'name="e(\d+)-(\d+)-value"')


class Timeout(Exception):
    """The whole run went over --timeout."""


# Seeding --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """What one officer will type for one KPI."""

    kpi_id: int
    period_id: int
    value: str
    commentary: str
    action_plan: str  # blank when on target

    @property
    def prefix(self) -> str:
        return f"e{self.period_id}-{self.kpi_id}"


@dataclass
class Officer:
    username: str
    user_id: int
    plan: list[Planned]


# (unit, direction, target, on-target value, off-target value)
KPI_SHAPES = (
    ("percent", "higher", Decimal("80"), "84.5", "71.25"),  # 71.25 is 10.9% off: Red
    ("count", "lower", Decimal("100"), "92", "106"),  # 6% over a lower-is-better target: Amber
    ("money", "higher", Decimal("5000"), "5120.50", "4700.75"),  # 6% short: Amber
)


def _quarters(today: datetime.date) -> tuple[tuple[int, int], tuple[int, int]]:
    """The quarter being reported (the last one to end) and the one before it."""
    from kpis.reporting.periods import financial_year_of

    year = financial_year_of(today)
    current = (today.month - 4) % 12 // 3 + 1
    reported = (year, current - 1) if current > 1 else (year - 1, 4)
    earlier = (reported[0], reported[1] - 1) if reported[1] > 1 else (reported[0] - 1, 4)
    return reported, earlier


def seed(users: int, kpis_per_user: int, warmup_users: int) -> tuple[list[Officer], list]:
    """Officers, KPIs, targets, last quarter's values and the open quarter; returns
    (officers under test, warm-up officers)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction

    from kpis.register.models import Directorate, Kpi
    from kpis.reporting.models import Measurement, ReportingPeriod, Target
    from kpis.reporting.periods import period_spec
    from pmf.models import User
    from pmf.roles import Role

    today = datetime.date.today()
    reported, earlier = _quarters(today)
    password_hash = make_password(PASSWORD)  # hashed once: 0.3 s per officer otherwise
    rng = random.Random(20260331)
    with transaction.atomic():
        officer_group, _ = Group.objects.get_or_create(name=Role.OFFICER.value)
        directorate = Directorate.objects.create(name="Load test directorate", short_name="LOAD")
        periods = {}
        for (year, number), state in ((earlier, "locked"), (reported, "open")):
            spec = period_spec("quarter", year, number)
            periods[state] = ReportingPeriod.objects.create(
                kind="quarter",
                financial_year=year,
                number=number,
                starts_on=spec.starts_on,
                ends_on=spec.ends_on,
                state=state,
                submission_deadline=today,  # the deadline is today
                signoff_deadline=today + datetime.timedelta(days=10),
            )
        open_period = periods["open"]
        total = users + warmup_users
        people = User.objects.bulk_create(
            User(
                username=f"officer{n:03d}" if n < users else f"warmup{n - users}",
                first_name="Officer",
                last_name=f"{n:03d}",
                email=f"officer{n:03d}@example.gov.uk",
                password=password_hash,
            )
            for n in range(total)
        )
        officer_group.user_set.add(*people)
        kpis = Kpi.objects.bulk_create(
            Kpi(
                reference=f"L{n:04d}",
                name=f"Load test indicator {n}",
                directorate=directorate,
                lead_officer=people[n // kpis_per_user],
                level=Kpi.Level.OPERATIONAL,
                perspective=Kpi.Perspective.RESIDENTS,
                metric_category=Kpi.MetricCategory.LOCAL_AUTHORITY,
                frequency=Kpi.Frequency.QUARTERLY,
                unit=KPI_SHAPES[n % len(KPI_SHAPES)][0],
                direction=KPI_SHAPES[n % len(KPI_SHAPES)][1],
                indicator_type=Kpi.IndicatorType.LAGGING,
                target_kind=Kpi.TargetKind.ANNUAL,
                date_added=datetime.date(2020, 4, 1),
            )
            for n in range(total * kpis_per_user)
        )
        Target.objects.bulk_create(
            Target(kpi=kpi, financial_year=year, value=KPI_SHAPES[n % len(KPI_SHAPES)][2])
            for n, kpi in enumerate(kpis)
            for year in {periods["locked"].financial_year, open_period.financial_year}
        )
        Measurement.objects.bulk_create(
            Measurement(
                kpi=kpi,
                period=periods["locked"],
                value=Decimal(KPI_SHAPES[n % len(KPI_SHAPES)][3]),
                status=Measurement.Status.APPROVED,
                rating="green",
                commentary="Last quarter's commentary.",
                version=2,
            )
            for n, kpi in enumerate(kpis)
        )
    officers, warmups = [], []
    for index, person in enumerate(people):
        plan = []
        for n in range(index * kpis_per_user, (index + 1) * kpis_per_user):
            shape = KPI_SHAPES[n % len(KPI_SHAPES)]
            off = rng.random() < 0.35
            plan.append(
                Planned(
                    kpi_id=kpis[n].pk,
                    period_id=open_period.pk,
                    value=shape[4] if off else shape[3],
                    commentary=(
                        f"{person.username}: {kpis[n].name} this quarter. "
                        "Demand rose in the second month; staffing was stable. " * 2
                    ).strip(),
                    action_plan=(
                        f"Recovery plan for {kpis[n].reference}: weekly review by the head of "
                        "service, extra capacity from next month, back on target by year end."
                        if off
                        else ""
                    ),
                )
            )
        (officers if index < users else warmups).append(Officer(person.username, person.pk, plan))
    return officers, warmups


# A small HTTP client -------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    ms: float
    error: str = ""


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class RequestFailed(Exception):
    pass


class Browser:
    """One person's browser: a cookie jar, an Origin header, no redirects followed."""

    def __init__(self, host: str, port: int, recorder: Recorder | None) -> None:
        self.host, self.port, self.recorder = host, port, recorder
        self.cookies: dict[str, str] = {}
        self.origin = f"http://{host}:{port}"

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        form: list[tuple[str, str]] | None = None,
        expect: int = 200,
        expect_location: str | None = None,
        must_contain: str | None = None,
    ) -> str:
        headers = {"Host": f"{self.host}:{self.port}", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        started = time.perf_counter()
        error = ""
        text = ""
        try:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT_S)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                raw = response.read()
            finally:
                connection.close()
            elapsed = (time.perf_counter() - started) * 1000
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            text = raw.decode("utf-8", "replace")
            location = response.headers.get("Location", "")
            if response.status != expect:
                error = f"HTTP {response.status} (expected {expect}) {location}".strip()
            elif expect_location is not None and location != expect_location:
                error = f"redirected to {location!r}, expected {expect_location!r}"
            elif must_contain is not None and must_contain not in text:
                error = f"page lacks {must_contain!r}"
        except (OSError, http.client.HTTPException) as failure:
            elapsed = (time.perf_counter() - started) * 1000
            error = f"{type(failure).__name__}: {failure}"
        if self.recorder is not None:
            self.recorder.add(Sample(kind, elapsed, error))
        if error:
            raise RequestFailed(f"{kind}: {error}")
        return text

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            pair, _, attributes = header.partition(";")
            name, _, value = pair.strip().partition("=")
            if not value or "max-age=0" in attributes.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


def sign_in(browser: Browser, username: str) -> None:
    page = browser.request(SIGN_IN_GET, "GET", "/sign-in/")
    token = CSRF_RE.search(page)
    if not token:
        raise RequestFailed("no CSRF token on the sign-in page")
    browser.request(
        SIGN_IN_POST,
        "POST",
        "/sign-in/",
        form=[
            ("csrfmiddlewaretoken", token[1]),
            ("username", username),
            ("password", PASSWORD),
            ("next", ""),
        ],
        expect=302,
    )


def _entry_form(page: str, officer: Officer, *, submit: bool) -> list[tuple[str, str]]:
    """The POST body for the page, checked against what the officer expects to see."""
    token = CSRF_RE.search(page)
    if not token:
        raise RequestFailed("no CSRF token on /my-kpis/")
    versions = {f"e{p}-{k}": v for p, k, v in VERSION_RE.findall(page)}
    shown = {f"e{p}-{k}" for p, k in VALUE_RE.findall(page)}
    wanted = {planned.prefix for planned in officer.plan}
    if shown != wanted or set(versions) != wanted:
        raise RequestFailed(f"/my-kpis/ shows {sorted(shown)}, expected {sorted(wanted)}")
    form = [("csrfmiddlewaretoken", token[1]), ("action", "submit" if submit else "draft")]
    for planned in officer.plan:
        prefix = planned.prefix
        form += [
            (f"{prefix}-version", versions[prefix]),
            (f"{prefix}-value", planned.value),
            (f"{prefix}-not_available_reason", ""),
            (f"{prefix}-commentary", planned.commentary),
            (f"{prefix}-action_plan", planned.action_plan if submit else ""),
            (f"{prefix}-data_quality_note", ""),
        ]
    return form


def deadline_journey(browser: Browser, officer: Officer, think: tuple[float, float], rng):
    """Open the page, save drafts, submit for sign-off, as a person in a browser would."""
    count = len(officer.plan)
    page = browser.request(PAGE, "GET", "/my-kpis/")
    time.sleep(rng.uniform(*think))
    browser.request(
        DRAFT,
        "POST",
        "/my-kpis/",
        form=_entry_form(page, officer, submit=False),
        expect=302,
        expect_location="/my-kpis/",
    )
    drafts = "a draft" if count == 1 else "drafts"
    page = browser.request(
        AFTER_DRAFT,
        "GET",
        "/my-kpis/",
        must_contain=f"KPI values saved: {count} saved as {drafts}.",
    )
    time.sleep(rng.uniform(*think))
    browser.request(
        SUBMIT,
        "POST",
        "/my-kpis/",
        form=_entry_form(page, officer, submit=True),
        expect=302,
        expect_location="/my-kpis/",
    )
    browser.request(
        AFTER_SUBMIT,
        "GET",
        "/my-kpis/",
        must_contain=f"KPI values saved: {count} submitted for sign-off.",
    )


def run_threads(target, items, *, deadline: float) -> list[str]:
    """Run target(item) for every item in its own thread; the failures, as text."""
    failures: list[str] = []
    lock = threading.Lock()

    def run(item):
        try:
            target(item)
        except Exception as error:  # noqa: BLE001 - every failure is reported, none hidden
            with lock:
                failures.append(f"{getattr(item, 'username', item)}: {error}")

    threads = [threading.Thread(target=run, args=(item,), daemon=True) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        failures.append(f"{stuck} clients still running at the time limit")
    return failures


# Gunicorn and PostgreSQL ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pg_command(tool: str, url: urllib.parse.SplitResult, *args: str) -> None:
    command = [tool, "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    if url.username:
        command += ["-U", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    subprocess.run(command + list(args), check=True, env=env, timeout=60)  # noqa: S603


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, log: Path, access: Path, app: str = "pmf.wsgi"
):
    command = [
        str(VENV_BIN / "gunicorn"),
        app,
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
        # Server-side time (µs) of every request, from the worker taking it to the response.
        "--access-logfile",
        str(access),
        "--access-logformat",
        "%(m)s %(U)s %(s)s %(D)s",
    ]
    with log.open("ab") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
            command, cwd=ROOT, env=env, stdout=sink, stderr=sink, start_new_session=True
        )
    wait_until = time.monotonic() + 30
    while time.monotonic() < wait_until:
        if process.poll() is not None:
            break
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz/")
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return process
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    stop_gunicorn(process)
    logged = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    raise RuntimeError(
        "gunicorn did not answer /healthz/ with 200 within 30 s:\n" + "\n".join(logged[-8:])
    )


def stop_gunicorn(process) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


# Where the time goes --------------------------------------------------------------------------


def server_times(access: Path, offset: int) -> dict[str, list[float]]:
    """Server-side milliseconds per "METHOD path" from the access log, from byte `offset` on."""
    times: dict[str, list[float]] = defaultdict(list)
    with access.open("rb") as log:
        log.seek(offset)
        for line in log.read().decode(errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[3].isdigit():
                times[f"{parts[0]} {parts[1]}"].append(int(parts[3]) / 1000)
    return times


def _jiffies_of(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


@dataclass
class CpuUse:
    """CPU time (as a share of every core's time) between two snapshots."""

    busy: float
    gunicorn: float
    postgres: float
    client: float

    @property
    def other(self) -> float:  # everything else on the machine
        return max(0.0, self.busy - self.gunicorn - self.postgres - self.client)


def postgres_backends(url: str, db_name: str) -> list[int]:
    """The server processes of this database's connections (gunicorn's are persistent)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db_name],
        ).fetchall()
    return [pid for (pid,) in rows]


def cpu_snapshot(gunicorn_pid: int, backends: list[int]) -> tuple:
    """(all jiffies, idle jiffies, gunicorn's jiffies, {database backend: jiffies}, this
    process's CPU seconds)."""
    try:
        numbers = [int(n) for n in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        numbers = [0] * 8
    idle = numbers[3] + numbers[4] if len(numbers) > 4 else 0
    workers = sum(_jiffies_of(pid) for pid in [gunicorn_pid, *_children(gunicorn_pid)])
    database = {pid: _jiffies_of(pid) for pid in backends}
    own = os.times()
    return sum(numbers[:8]), idle, workers, database, own.user + own.system


def cpu_use(before, after) -> CpuUse | None:
    """Backends that went away during the run (a connection reaching CONN_MAX_AGE) are not
    counted, so PostgreSQL's share is a lower bound."""
    total = after[0] - before[0]
    if total <= 0:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    busy = (total - (after[1] - before[1])) / total
    gunicorn = (after[2] - before[2]) / total
    postgres = sum(max(0, j - before[3].get(pid, 0)) for pid, j in after[3].items()) / total
    client = (after[4] - before[4]) * ticks / total
    return CpuUse(busy, gunicorn, postgres, client)


def _statement_shape(query: str) -> str:
    """`SELECT … FROM "kpis_reportingperiod" … FOR UPDATE`: the table and the lock taken."""
    tables = re.findall(r'(?:FROM|UPDATE|INTO)\s+"?(\w+)"?', query)
    verb = query.split(None, 1)[0].upper() if query.strip() else "?"
    lock = " FOR UPDATE" if "FOR UPDATE" in query.upper() else ""
    return f"{verb} {tables[0] if tables else '?'}{lock}"


class LockWatcher:
    """Samples pg_stat_activity every 50 ms: how often a backend was waiting for a lock."""

    def __init__(self, url: str, db_name: str) -> None:
        self.url, self.db_name = url, db_name
        self.samples = 0
        self.waiting_samples = 0
        self.most_waiting = 0
        self.statements: Counter[str] = Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stop.wait(0.05):
                waiting = connection.execute(
                    "SELECT query FROM pg_stat_activity "
                    "WHERE datname = %s AND wait_event_type = 'Lock'",
                    [self.db_name],
                ).fetchall()
                self.samples += 1
                self.waiting_samples += bool(waiting)
                self.most_waiting = max(self.most_waiting, len(waiting))
                for (query,) in waiting:
                    self.statements[_statement_shape(query)] += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


# Reporting ------------------------------------------------------------------------------------


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_ms:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_ms)))
    return sorted_ms[rank - 1]


def summary_rows(samples: list[Sample], kinds, total_label: str | None):
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    groups = [(kind, by_kind.get(kind, [])) for kind in kinds]
    if total_label:
        groups.append((total_label, [s for s in samples if s.kind in kinds]))
    rows = []
    for label, group in groups:
        ms = sorted(s.ms for s in group)
        rows.append(
            (
                label,
                len(group),
                sum(1 for s in group if s.error),
                percentile(ms, 50),
                percentile(ms, 95),
                percentile(ms, 99),
                ms[-1] if ms else math.nan,
            )
        )
    return rows


def print_table(title: str, rows) -> None:
    print(f"\n{title}\n")
    print("| request | requests | errors | p50 ms | p95 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, count, errors, p50, p95, p99, top in rows:
        print(f"| {label} | {count} | {errors} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {top:.0f} |")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        memory = "? GiB"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    import gunicorn

    return (
        f"{model} ({os.cpu_count()} cores, {memory}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL {pg}, gunicorn {gunicorn.__version__}"
    )


# Checking the database afterwards -------------------------------------------------------------


def verify(officers: list[Officer]) -> list[str]:
    """Every submitted value stored exactly once, as typed, with exactly its two history rows."""
    from django.db.models import Count

    from kpis.reporting.models import Measurement

    planned = {(p.kpi_id, p.period_id): (o, p) for o in officers for p in o.plan}
    kpi_ids = {kpi_id for kpi_id, _ in planned}
    period_ids = {period_id for _, period_id in planned}
    problems = []
    stored = list(Measurement.objects.filter(kpi_id__in=kpi_ids, period_id__in=period_ids))
    history: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Measurement.history.model.objects.filter(id__in=[m.pk for m in stored])
        .values("id", "history_change_reason")
        .annotate(n=Count("history_id"))
        .order_by()
    ):
        history[row["id"]][row["history_change_reason"]] = row["n"]
    seen: dict[tuple[int, int], int] = defaultdict(int)
    for m in stored:
        key = (m.kpi_id, m.period_id)
        seen[key] += 1
        officer, plan = planned[key]
        expected = {
            "status": Measurement.Status.SUBMITTED,
            "value": Decimal(plan.value),
            "commentary": plan.commentary,
            "action_plan": plan.action_plan,
            "submitted_by_id": officer.user_id,
            "version": 2,
        }
        for name, want in expected.items():
            if getattr(m, name) != want:
                problems.append(f"KPI {m.kpi_id}: {name} is {getattr(m, name)!r}, not {want!r}")
        if history[m.pk] != {"Saved as draft": 1, "Submitted": 1}:
            problems.append(
                f"KPI {m.kpi_id}: history is {history[m.pk]}, expected one 'Saved as draft' "
                "and one 'Submitted'"
            )
    missing = [key for key in planned if seen[key] == 0]
    doubled = [key for key, n in seen.items() if n > 1]
    if missing:
        problems.append(f"{len(missing)} submitted values missing, e.g. KPI {missing[0][0]}")
    if doubled:
        problems.append(f"{len(doubled)} values stored more than once, e.g. KPI {doubled[0][0]}")
    return problems


# The run --------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--kpis-per-user", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--think",
        default="5:15",
        help="seconds between an officer's steps, MIN:MAX (uniform); 0:0 for a flat-out burst",
    )
    parser.add_argument(
        "--ramp", type=float, default=10.0, help="officers start within this many seconds"
    )
    parser.add_argument("--sign-in-concurrency", type=int, default=4)
    parser.add_argument(
        "--sign-in-at-deadline",
        action="store_true",
        help="sign in during the rush (and count it in the pass/fail) instead of beforehand",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="limit for the whole load")
    parser.add_argument(
        "--db-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pmf_load"),
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--app",
        default="pmf.wsgi",
        help="the WSGI module gunicorn serves (to measure an experiment; default pmf.wsgi)",
    )
    args = parser.parse_args(argv)
    low, _, high = args.think.partition(":")
    args.think = (float(low), float(high or low))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    url = urllib.parse.urlsplit(args.db_url)
    db_name = url.path.lstrip("/")
    if url.scheme not in ("postgres", "postgresql") or not db_name:
        sys.exit("--db-url must be a PostgreSQL URL with a database name")
    if (url.hostname or "127.0.0.1") not in LOOPBACK:
        sys.exit("Loopback only: the database must be on 127.0.0.1")

    def out_of_time(signum, frame):
        raise Timeout(f"the run went over its limit of {args.timeout + 180:.0f} s")

    # Migrating and seeding take a minute at most; the load itself is bounded by --timeout.
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(int(args.timeout + 180))

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmf.settings",
        "DATABASE_URL": args.db_url,
        "AXES_ENABLED": "false",
        "DEBUG": "false",
        "SECRET_KEY": "load-test-secret-key-not-for-production-" + "x" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")

    gunicorn = None
    created = False
    folder = Path(tempfile.mkdtemp(prefix="pmf-load-"))
    log, access = folder / "gunicorn.log", folder / "access.log"
    passed = False
    try:
        pg_command("dropdb", url, "--if-exists", "--force", db_name)
        pg_command("createdb", url, db_name)
        created = True
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        warmup_count = args.workers * 2
        officers, warmups = seed(args.users, args.kpis_per_user, warmup_count)
        print(
            f"Database {db_name}: migrated and seeded {len(officers)} officers × "
            f"{args.kpis_per_user} KPIs in {time.perf_counter() - started:.1f} s"
        )
        about = machine()
        load_before = os.getloadavg()
        connections.close_all()

        port = free_port()
        gunicorn = start_gunicorn(env, port, args.workers, log, access, args.app)
        print(f"gunicorn: {args.app}, {args.workers} workers on 127.0.0.1:{port} (log {log})")

        # Warm up every worker (imports, templates, database connections): not measured.
        def warm(officer: Officer) -> None:
            browser = Browser("127.0.0.1", port, None)
            sign_in(browser, officer.username)
            page = browser.request(PAGE, "GET", "/my-kpis/")
            browser.request(
                DRAFT,
                "POST",
                "/my-kpis/",
                form=_entry_form(page, officer, submit=False),
                expect=302,
            )
            browser.request(AFTER_DRAFT, "GET", "/my-kpis/")

        failures = run_threads(warm, warmups, deadline=time.monotonic() + 60)
        if failures:
            raise RuntimeError("warm-up failed: " + "; ".join(failures[:3]))

        recorder = Recorder()
        browsers = {o.username: Browser("127.0.0.1", port, recorder) for o in officers}
        load_started = time.monotonic()
        limit = load_started + args.timeout

        sign_in_failures: list[str] = []
        if not args.sign_in_at_deadline:
            # Officers sign in during the morning: a few at a time, before the rush.
            queue = list(officers)
            queue_lock = threading.Lock()

            def signer(_):
                while True:
                    with queue_lock:
                        if not queue:
                            return
                        officer = queue.pop()
                    try:
                        sign_in(browsers[officer.username], officer.username)
                    except RequestFailed as error:
                        with queue_lock:
                            sign_in_failures.append(f"{officer.username}: {error}")

            sign_in_failures += run_threads(signer, range(args.sign_in_concurrency), deadline=limit)
        sign_in_seconds = time.monotonic() - load_started

        def officer_at_deadline(officer: Officer) -> None:
            rng = random.Random(officer.username)
            time.sleep(rng.uniform(0, args.ramp))
            browser = browsers[officer.username]
            if args.sign_in_at_deadline:
                sign_in(browser, officer.username)
            deadline_journey(browser, officer, args.think, rng)

        access_offset = access.stat().st_size if access.exists() else 0
        backends = postgres_backends(args.db_url, db_name)
        cpu_before = cpu_snapshot(gunicorn.pid, backends)
        rush_started = time.monotonic()
        with LockWatcher(args.db_url, db_name) as locks:
            failures = run_threads(officer_at_deadline, officers, deadline=limit)
        rush_seconds = time.monotonic() - rush_started
        backends = sorted(set(backends) | set(postgres_backends(args.db_url, db_name)))
        cpu = cpu_use(cpu_before, cpu_snapshot(gunicorn.pid, backends))
        timed_out = time.monotonic() >= limit

        samples = recorder.samples
        rush_kinds = (SIGN_IN_KINDS if args.sign_in_at_deadline else ()) + DEADLINE_KINDS
        rush = [s for s in samples if s.kind in rush_kinds]
        print(f"\nMachine: {about}")
        print(
            "Load average before the run (other work on the machine): "
            + ", ".join(f"{n:.2f}" for n in load_before)
        )
        print(
            f"Load: {len(officers)} officers × {args.kpis_per_user} KPIs, {args.workers} gunicorn "
            f"sync workers, think {args.think[0]:g}–{args.think[1]:g} s, ramp {args.ramp:g} s, "
            f"sign-in {'in the rush' if args.sign_in_at_deadline else 'beforehand'}"
        )
        if not args.sign_in_at_deadline:
            print_table(
                f"Sign-in beforehand, {args.sign_in_concurrency} at a time "
                f"({sign_in_seconds:.1f} s for {len(officers)} officers; not in the pass/fail)",
                summary_rows(samples, SIGN_IN_KINDS, None),
            )
        print_table(
            f"At the deadline: {len(rush)} requests in {rush_seconds:.1f} s "
            f"({len(rush) / rush_seconds:.0f} requests/s)",
            summary_rows(samples, rush_kinds, "all requests at the deadline"),
        )
        server = server_times(access, access_offset)
        print(
            "\nServer side at the deadline (gunicorn's own request time: the client's figure "
            "less the wait for a free worker and the network)\n"
        )
        print("| request | requests | p50 ms | p95 ms | max ms |")
        print("| --- | ---: | ---: | ---: | ---: |")
        paths = ("/my-kpis/", "/sign-in/") if args.sign_in_at_deadline else ("/my-kpis/",)
        for key in sorted(k for k in server if k.split(" ", 1)[1] in paths):
            ms = sorted(server[key])
            print(
                f"| {key} | {len(ms)} | {percentile(ms, 50):.0f} | {percentile(ms, 95):.0f} "
                f"| {ms[-1]:.0f} |"
            )
        if cpu:
            print(
                f"\nCPU at the deadline: {cpu.busy:.0%} of {os.cpu_count()} cores busy "
                f"(gunicorn workers {cpu.gunicorn:.0%}, PostgreSQL {cpu.postgres:.0%}, "
                f"this load client {cpu.client:.0%}, other work on the machine {cpu.other:.0%})"
            )
        if locks.samples:
            print(
                f"Lock waits in PostgreSQL: a backend was waiting for a lock in "
                f"{locks.waiting_samples / locks.samples:.0%} of {locks.samples} samples "
                f"(at most {locks.most_waiting} at once)"
                + "".join(
                    f"; {count} waits in {shape}"
                    for shape, count in locks.statements.most_common(3)
                )
            )
        all_failures = sign_in_failures + failures
        for failure in all_failures[:10]:
            print(f"  error: {failure}")
        if len(all_failures) > 10:
            print(f"  … and {len(all_failures) - 10} more")
        if all_failures or any(s.error for s in samples):
            logged = log.read_text(errors="replace").splitlines() if log.exists() else []
            noise = ("No directory at", "mw_instance = middleware")
            for line in [line for line in logged if not any(n in line for n in noise)][-15:]:
                print(f"  gunicorn: {line}")

        stop_gunicorn(gunicorn)
        problems = verify(officers)
        p95 = percentile(sorted(s.ms for s in rush), 95)
        errors = sum(1 for s in samples if s.error) + len(all_failures)
        expected_requests = len(officers) * len(rush_kinds)
        checks = [
            (f"p95 at the deadline {p95:.0f} ms < {TARGET_P95_MS:.0f} ms", p95 < TARGET_P95_MS),
            (f"errors: {errors}", errors == 0),
            (
                f"requests completed: {len(rush)} of {expected_requests}",
                len(rush) == expected_requests,
            ),
            (f"finished within the {args.timeout:g} s limit", not timed_out),
            (
                f"database: {sum(len(o.plan) for o in officers)} values submitted, each stored "
                "exactly once with one 'Saved as draft' and one 'Submitted' history record"
                + (f" — {len(problems)} problems" if problems else ""),
                not problems,
            ),
        ]
        print()
        for text, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {text}")
        for problem in problems[:10]:
            print(f"  {problem}")
        passed = all(ok for _, ok in checks)
        print(f"\n{'PASSED' if passed else 'FAILED'}")
    finally:
        signal.alarm(0)
        stop_gunicorn(gunicorn)
        if created:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: BLE001, S110 - Django may not have started
                pass
            if args.keep_db:
                print(f"Kept database {db_name}")
            else:
                pg_command("dropdb", url, "--if-exists", "--force", db_name)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
