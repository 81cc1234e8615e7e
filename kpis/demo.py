"""The demo council, Wessex County Council: a register you can click around and build on.

Everything here is fictional. The structure follows the 2024 performance management framework in
the seeds (five directorates, seven ambitions, strategic / corporate / operational KPIs, a strategic
committee, six policy and service committees and an audit committee) and the story of the June 2022
corporate performance report (KPI 189 removed, KPIs 217 and 218 added in its place).

The data is plain Python so that later work (meetings, proposals) can extend the same story.
Each `KpiSpec` carries a `baseline` (its 2023-24 value) and an annual `target`, from which the
reporting history is generated: reporting periods for the last three financial years and this
one, targets, and every KPI's values with commentary and action plans, following a story per KPI
(`STORIES`: improving, consistently red, green but declining, seasonal) so that every warning
sign on the scorecards has an example. The month and quarter that ended most recently are open,
with a mix of missing, draft, submitted, returned and approved values (`OPEN_PERIOD_PLAN`).
Values are generated deterministically (random generators seeded with crc32 of the KPI and
period) and rated by the product's own rating path (`kpis.reporting.services.rate_entry`).

`load_demo()` writes it all in one transaction and is idempotent: rows are found by their natural
keys and saved only when something differs, so a second run the same day adds no rows and no
history. The calendar follows the date it runs on, so a run on a later day may add, open or lock
the periods that have ended since, and write their values.
"""

from __future__ import annotations

import copy
import datetime
import math
import random
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kpis.rating import Rating
from kpis.register.models import Committee, CommitteeMembership, Directorate, Kpi, Priority, Service
from kpis.reporting.models import Measurement, RagPolicy, ReportingPeriod, Target
from kpis.reporting.periods import (
    FREQUENCY_TO_KIND,
    PeriodSpec,
    financial_year_of,
    period_spec,
    periods_of_year,
)
from kpis.reporting.policy import target_for
from kpis.reporting.services import rate_entry
from pmf.models import User
from pmf.roles import Role

COUNCIL_NAME = "Wessex County Council"

# Every demo user signs in with this password (documented in the README). It is demo data, not
# a secret, and it passes the password validators in settings.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105

CHANGE_REASON = "Demo data (manage.py load_demo)"

Level = Kpi.Level
Unit = Kpi.Unit
Direction = Kpi.Direction
Frequency = Kpi.Frequency
Basis = Kpi.ValueBasis
Indicator = Kpi.IndicatorType
Perspective = Kpi.Perspective
Category = Kpi.MetricCategory
TargetKind = Kpi.TargetKind
Status = Kpi.Status


# --------------------------------------------------------------------------------------------
# Specifications
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A dated decision that added something to, or removed it from, a KPI set or the register."""

    on: datetime.date
    text: str


@dataclass(frozen=True)
class PrioritySpec:
    number: int
    name: str
    description: str


@dataclass(frozen=True)
class DirectorateSpec:
    short_name: str
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class CommitteeSpec:
    short_name: str
    name: str
    kind: str
    remit: str


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    job_title: str
    role: Role
    approves_for: tuple[str, ...] = ()  # directorate short names

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}@example.gov.uk".lower().replace(" ", "")


@dataclass(frozen=True)
class MembershipSpec:
    committee: str  # short name
    started_on: datetime.date
    decision: str
    ended_on: datetime.date | None = None
    end_decision: str = ""


@dataclass(frozen=True)
class KpiSpec:
    """One KPI in the register, plus `baseline` and `target` for the values added later.

    `committees` lists the policy and service committees whose KPI set the KPI is in; the
    strategic committee (every strategic and corporate KPI) and the audit committee (every
    corporate KPI) follow from the level, see `memberships_for`.
    """

    reference: str
    name: str
    directorate: str
    service: str
    level: str
    description: str
    definition: str
    calculation: str
    rationale: str
    data_source: str
    unit: str = Unit.PERCENT
    direction: str = Direction.HIGHER
    frequency: str = Frequency.QUARTERLY
    value_basis: str = Basis.PERIOD
    indicator_type: str = Indicator.LAGGING
    perspective: str = Perspective.RESIDENTS
    metric_category: str = Category.LOCAL_AUTHORITY
    is_financial: bool = False
    target_kind: str = TargetKind.ANNUAL
    in_information_asset_register: bool = True
    benchmark: str = ""
    numerator_label: str = ""
    denominator_label: str = ""
    priorities: tuple[int, ...] = ()
    committees: tuple[str, ...] = ()
    lead: str = ""  # username; empty means the directorate's default lead officer
    status: str = Status.LIVE
    status_reason: str = ""
    added: Decision | None = None  # None means the 2021 register
    removed: Decision | None = None
    long_term_target: float | None = None
    long_term_target_year: int | None = None
    # Used for the reporting history (targets and values), not stored on the KPI itself: the
    # value in 2023-24, the annual target for 2024-25 (later years step towards the long-term
    # target), and for a suspended KPI the day its reporting stopped.
    baseline: float | None = None
    target: float | None = None
    suspended_on: datetime.date | None = None


# --------------------------------------------------------------------------------------------
# Decisions (the dates every membership and register entry hangs from)
# --------------------------------------------------------------------------------------------

REGISTER_2021 = Decision(
    datetime.date(2021, 4, 1),
    "Strategy, Resources and Performance Committee, 25 March 2021: register of KPIs adopted "
    "with the Performance Management Framework",
)
SRP_MARCH_2022 = Decision(
    datetime.date(2022, 3, 24),
    "Strategy, Resources and Performance Committee, 24 March 2022: KPI 189 removed from the "
    "corporate services KPI set",
)
AA_MAY_2022 = Decision(
    datetime.date(2022, 5, 26),
    "Audit and Accounts Committee, 26 May 2022: to review the corporate services KPIs each "
    "quarter after Strategy, Resources and Performance Committee",
)
SRP_JUNE_2022 = Decision(
    datetime.date(2022, 6, 27),
    "Strategy, Resources and Performance Committee, 27 June 2022: added to the corporate "
    "services KPI set, replacing KPI 189 (removed 24 March 2022)",
)
CYP_JULY_2022 = Decision(
    datetime.date(2022, 7, 12),
    "Children and Young People Committee, 12 July 2022: KPI set review",
)
AH_JULY_2022 = Decision(
    datetime.date(2022, 7, 21),
    "Adults and Health Committee, 21 July 2022: KPI set review (KPI 111 replaced by KPI 220)",
)
HT_SEPTEMBER_2022 = Decision(
    datetime.date(2022, 9, 13),
    "Highways and Transport Committee, 13 September 2022: KPI set review",
)
OPERATIONAL_2023 = Decision(
    datetime.date(2023, 4, 1),
    "Directorate management teams, March 2023: operational KPIs for 2023-24",
)
SKPIS_2024 = Decision(
    datetime.date(2024, 4, 1),
    "Strategy, Resources and Performance Committee, 21 March 2024: strategic KPIs for the "
    "seven ambitions",
)
SRP_SEPTEMBER_2025 = Decision(
    datetime.date(2025, 10, 1),
    "Strategy, Resources and Performance Committee, 25 September 2025: KPI additions",
)
EGI_OCTOBER_2025 = Decision(
    datetime.date(2025, 10, 9),
    "Environment and Green Investment Committee, 9 October 2025: KPI set review",
)


# --------------------------------------------------------------------------------------------
# The council
# --------------------------------------------------------------------------------------------

PRIORITIES: tuple[PrioritySpec, ...] = (
    PrioritySpec(
        1,
        "Net zero carbon emissions for Wessex by 2045, and our communities and natural "
        "environment are supported to adapt and thrive as the climate changes",
        "Cut the county's and the council's own emissions and help places, habitats and people "
        "cope with a changing climate.",
    ),
    PrioritySpec(
        2,
        "Travel across the county is safer and more environmentally sustainable",
        "Make roads safer and better maintained, and make walking, cycling and public transport "
        "the easy choice.",
    ),
    PrioritySpec(
        3,
        "Health inequalities are reduced",
        "Narrow the gap in healthy life expectancy between the most and least deprived "
        "communities.",
    ),
    PrioritySpec(
        4,
        "People enjoy healthy, safe and independent lives through timely support that is most "
        "suited to their needs",
        "Help people stay well and independent at home, with care and support that comes at the "
        "right time.",
    ),
    PrioritySpec(
        5,
        "People are helped out of poverty and income inequality",
        "Support households through hardship and open routes into good work and training.",
    ),
    PrioritySpec(
        6,
        "Places and communities prosper because they have a resilient and inclusive economy, "
        "access to good quality public services and social justice is prioritised",
        "Back local businesses and community groups, and run good public services that residents "
        "can trust.",
    ),
    PrioritySpec(
        7,
        "Children and young people have opportunities to thrive",
        "Give every child a good start, a good education and the support they need to be safe "
        "and achieve.",
    ),
)

DIRECTORATES: tuple[DirectorateSpec, ...] = (
    DirectorateSpec(
        "AHC",
        "Adults, Health and Commissioning",
        (
            "Adult Social Care",
            "Public Health",
            "Commissioning",
            "Safeguarding Adults",
            "Reablement",
        ),
    ),
    DirectorateSpec(
        "CEF",
        "Children, Education and Families",
        (
            "Children's Social Care",
            "Education",
            "Special Educational Needs and Disabilities (SEND)",
            "Early Years and Early Help",
            "Skills and Participation",
        ),
    ),
    DirectorateSpec(
        "F&R",
        "Finance and Resources",
        (
            "Finance",
            "Human Resources",
            "IT and Digital",
            "Procurement and Commercial",
            "Property and Assets",
            "Customer Services",
        ),
    ),
    DirectorateSpec(
        "P&S",
        "Place and Sustainability",
        (
            "Highways",
            "Passenger Transport",
            "Waste Management",
            "Planning and Development",
            "Climate Change and Energy",
            "Libraries and Culture",
        ),
    ),
    DirectorateSpec(
        "S&P",
        "Strategy and Partnerships",
        (
            "Communications",
            "Policy and Insight",
            "Information Governance",
            "Legal and Democratic Services",
            "Governance and Performance",
            "Communities and Partnerships",
        ),
    ),
)

COMMITTEES: tuple[CommitteeSpec, ...] = (
    CommitteeSpec(
        "SRP",
        "Strategy, Resources and Performance Committee",
        Committee.Kind.STRATEGIC,
        "Defines the corporate priorities and outcomes, oversees the performance management "
        "culture and system, and tracks progress against the ambitions each quarter using every "
        "strategic KPI, the corporate KPIs and the organisational scorecard.",
    ),
    CommitteeSpec(
        "AH",
        "Adults and Health Committee",
        Committee.Kind.POLICY_AND_SERVICE,
        "Adult social care, safeguarding adults, public health and the commissioning of care "
        "and support.",
    ),
    CommitteeSpec(
        "AP",
        "Assets and Procurement Committee",
        Committee.Kind.POLICY_AND_SERVICE,
        "The council's land and buildings, the capital programme, procurement, contracts and "
        "social value.",
    ),
    CommitteeSpec(
        "CYP",
        "Children and Young People Committee",
        Committee.Kind.POLICY_AND_SERVICE,
        "Children's social care, schools and education, special educational needs and "
        "disabilities, early years and participation in learning.",
    ),
    CommitteeSpec(
        "CSMI",
        "Communities, Social Mobility and Inclusion Committee",
        Committee.Kind.POLICY_AND_SERVICE,
        "Communities and the voluntary sector, libraries, financial hardship, social mobility "
        "and inclusion.",
    ),
    CommitteeSpec(
        "EGI",
        "Environment and Green Investment Committee",
        Committee.Kind.POLICY_AND_SERVICE,
        "Climate change and energy, waste, planning (county matters), biodiversity and green "
        "investment.",
    ),
    CommitteeSpec(
        "HT",
        "Highways and Transport Committee",
        Committee.Kind.POLICY_AND_SERVICE,
        "Highways maintenance, road safety, passenger transport and major transport schemes.",
    ),
    CommitteeSpec(
        "AA",
        "Audit and Accounts Committee",
        Committee.Kind.AUDIT,
        "Independent scrutiny of the council's financial and non-financial performance as it "
        "affects the council's exposure to risk; reviews the corporate services KPIs each "
        "quarter after Strategy, Resources and Performance Committee.",
    ),
)

USERS: tuple[UserSpec, ...] = (
    UserSpec(
        "officer",
        "Sam",
        "Okafor",
        "Performance and Data Officer, Place and Sustainability",
        Role.OFFICER,
    ),
    UserSpec(
        "officer2",
        "Hannah",
        "Lindqvist",
        "Performance Analyst, Children, Education and Families",
        Role.OFFICER,
    ),
    UserSpec(
        "officer3",
        "Daniel",
        "Mensah",
        "Business Intelligence Officer, Adults, Health and Commissioning",
        Role.OFFICER,
    ),
    UserSpec(
        "officer4", "Rachel", "Whitcombe", "Finance and Workforce Insight Officer", Role.OFFICER
    ),
    UserSpec(
        "officer5", "Imran", "Qadir", "Information Governance and Insight Officer", Role.OFFICER
    ),
    UserSpec(
        "officer6", "Chloe", "Pennington", "Highways Asset and Performance Officer", Role.OFFICER
    ),
    UserSpec(
        "approver",
        "Martin",
        "Hale",
        "Executive Director, Place and Sustainability",
        Role.APPROVER,
        ("P&S",),
    ),
    UserSpec(
        "approver-ahc",
        "Helen",
        "Carver",
        "Executive Director, Adults, Health and Commissioning",
        Role.APPROVER,
        ("AHC",),
    ),
    UserSpec(
        "approver-cef",
        "Olu",
        "Adebayo",
        "Executive Director, Children, Education and Families",
        Role.APPROVER,
        ("CEF",),
    ),
    UserSpec(
        "approver-fr",
        "Catherine",
        "Doyle",
        "Executive Director, Finance and Resources (Section 151 Officer)",
        Role.APPROVER,
        ("F&R",),
    ),
    UserSpec(
        "approver-sp",
        "Neil",
        "Ashworth",
        "Executive Director, Strategy and Partnerships",
        Role.APPROVER,
        ("S&P",),
    ),
    UserSpec("gp", "Aisha", "Rahman", "Governance and Performance Manager", Role.GP),
    UserSpec("gp2", "Ben", "Lowther", "Senior Performance Analyst", Role.GP),
    UserSpec("clerk", "Joanna", "Pike", "Democratic Services Officer", Role.CLERK),
    UserSpec(
        "councillor",
        "Peter",
        "Langley",
        "Councillor, Chair of Strategy, Resources and Performance Committee",
        Role.VIEWER,
    ),
)

# The lead officer (data owner) of a directorate's KPIs unless a KPI names another.
DEFAULT_LEAD = {
    "AHC": "officer3",
    "CEF": "officer2",
    "F&R": "officer4",
    "P&S": "officer",
    "S&P": "officer5",
}

_LG_INFORM_CIPFA = "CIPFA nearest neighbours and England average (LG Inform)"


# --------------------------------------------------------------------------------------------
# The register
# --------------------------------------------------------------------------------------------

KPIS: tuple[KpiSpec, ...] = (
    # ---- Adults, Health and Commissioning --------------------------------------------------
    KpiSpec(
        reference="101",
        name="People receiving long-term support who were reviewed in the last 12 months (%)",
        directorate="AHC",
        service="Adult Social Care",
        level=Level.STRATEGIC,
        description="How many people with long-term care and support have had their needs and "
        "support plan reviewed within the last year.",
        definition="People aged 18 and over receiving long-term community or residential support "
        "for 12 months or more at the end of the period, who had a planned or unplanned review "
        "in the 12 months before that date.",
        calculation="Reviewed people divided by people receiving long-term support for 12 "
        "months or more, times 100, taken as a snapshot on the last day of the quarter.",
        rationale="Regular reviews keep support matched to need, find people who could be more "
        "independent and are a Care Act duty; the backlog is a known risk.",
        data_source="Adult social care case management system (client level data extract)",
        indicator_type=Indicator.LEADING,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark=f"Client level data return; {_LG_INFORM_CIPFA}",
        numerator_label="People with long-term support reviewed in the last 12 months",
        denominator_label="People receiving long-term support for 12 months or more",
        priorities=(4,),
        committees=("AH",),
        long_term_target=85,
        long_term_target_year=2028,
        baseline=61,
        target=75,
    ),
    KpiSpec(
        reference="102",
        name="Older people still at home 91 days after leaving hospital into reablement (%)",
        directorate="AHC",
        service="Reablement",
        level=Level.STRATEGIC,
        description="Whether short-term reablement after a hospital stay helps older people "
        "stay living at home.",
        definition="People aged 65 and over discharged from hospital to their own home or to "
        "extra care housing for reablement, who are at home 91 days after discharge.",
        calculation="People at home on day 91 divided by people discharged into reablement in "
        "the three months before, times 100 (ASCOF 2B(1) method, reported quarterly).",
        rationale="Shows whether reablement works and avoids readmission and early moves into "
        "residential care.",
        data_source="Adult social care case management system; NHS discharge records",
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark=f"ASCOF 2B(1); {_LG_INFORM_CIPFA}",
        numerator_label="Older people at home 91 days after discharge",
        denominator_label="Older people discharged from hospital into reablement",
        priorities=(4,),
        committees=("AH",),
        long_term_target=88,
        long_term_target_year=2028,
        baseline=82.4,
        target=85,
    ),
    KpiSpec(
        reference="103",
        name="Permanent admissions to residential and nursing care, aged 65 and over, per "
        "100,000 population",
        directorate="AHC",
        service="Adult Social Care",
        level=Level.STRATEGIC,
        description="How many older people the council places permanently in care homes, "
        "relative to the size of the older population.",
        definition="Council-funded permanent admissions of people aged 65 and over to "
        "residential and nursing care homes in the financial year to date, per 100,000 people "
        "aged 65 and over.",
        calculation="Admissions in the year to date divided by the ONS mid-year population "
        "estimate aged 65 and over, times 100,000.",
        rationale="Fewer permanent admissions means more people supported to live "
        "independently at home, in line with their wishes and at lower cost.",
        data_source="Adult social care case management system; ONS mid-year population estimates",
        unit=Unit.RATE_PER_100000,
        direction=Direction.LOWER,
        value_basis=Basis.YEAR_TO_DATE,
        metric_category=Category.CENTRAL_GOVERNMENT,
        is_financial=False,
        benchmark=f"ASCOF 2A(2); {_LG_INFORM_CIPFA}",
        priorities=(4,),
        committees=("AH",),
        long_term_target=450,
        long_term_target_year=2030,
        baseline=548,
        target=510,
    ),
    KpiSpec(
        reference="106",
        name="Adults with a learning disability in paid employment (%)",
        directorate="AHC",
        service="Adult Social Care",
        level=Level.STRATEGIC,
        description="The share of working-age adults with a learning disability known to the "
        "council who are in paid work.",
        definition="Adults aged 18 to 64 with a primary support reason of learning disability "
        "receiving long-term support, who are in paid employment at their latest assessment "
        "or review.",
        calculation="People in paid employment divided by all adults aged 18 to 64 with a "
        "learning disability receiving long-term support, times 100.",
        rationale="Paid work improves income, independence and wellbeing and is a marker of an "
        "inclusive local economy.",
        data_source="Adult social care case management system",
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark=f"ASCOF 1E; {_LG_INFORM_CIPFA}",
        numerator_label="Adults with a learning disability in paid employment",
        denominator_label="Adults aged 18 to 64 with a learning disability receiving long-term "
        "support",
        priorities=(4, 5, 6),
        committees=("AH",),
        long_term_target=8,
        long_term_target_year=2030,
        baseline=4.3,
        target=5.5,
    ),
    KpiSpec(
        reference="108",
        name="Safeguarding enquiries where the person's desired outcomes were fully or "
        "partially achieved (%)",
        directorate="AHC",
        service="Safeguarding Adults",
        level=Level.OPERATIONAL,
        description="Making Safeguarding Personal: whether the outcomes the adult at risk "
        "asked for were achieved.",
        definition="Concluded section 42 safeguarding enquiries in the quarter where the adult "
        "(or their representative) expressed desired outcomes, and those outcomes were fully "
        "or partially achieved.",
        calculation="Enquiries with outcomes fully or partially achieved divided by concluded "
        "enquiries where outcomes were expressed, times 100.",
        rationale="Safeguarding should be led by what the person wants to happen.",
        data_source="Adult social care case management system (safeguarding module)",
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="Safeguarding Adults Collection (NHS England); regional average",
        numerator_label="Enquiries with desired outcomes fully or partially achieved",
        denominator_label="Concluded enquiries where desired outcomes were expressed",
        priorities=(4,),
        committees=("AH",),
        baseline=91,
        target=95,
    ),
    KpiSpec(
        reference="109",
        name="Care home beds in Wessex rated Good or Outstanding by the CQC (%)",
        directorate="AHC",
        service="Commissioning",
        level=Level.OPERATIONAL,
        description="The quality of the local care home market the council commissions from.",
        definition="Registered care home beds in the county whose latest Care Quality "
        "Commission overall rating is Good or Outstanding, at the end of the quarter.",
        calculation="Beds in homes rated Good or Outstanding divided by all rated care home "
        "beds, times 100.",
        rationale="Commissioners use it to target quality improvement support and to manage "
        "market risk.",
        data_source="CQC care directory with ratings (monthly download)",
        metric_category=Category.PARTNER,
        benchmark="CQC ratings: regional and England averages",
        numerator_label="Beds in homes rated Good or Outstanding",
        denominator_label="Rated care home beds",
        committees=("AH",),
        baseline=77,
        target=82,
    ),
    KpiSpec(
        reference="110",
        name="New home care packages commissioned at or below the council's usual price (%)",
        directorate="AHC",
        service="Commissioning",
        level=Level.OPERATIONAL,
        description="How often new home care can be bought at the council's agreed rate.",
        definition="New home care packages starting in the month at an hourly rate at or below "
        "the published usual price for the area.",
        calculation="Packages at or below the usual price divided by all new home care "
        "packages, times 100.",
        rationale="Above-rate packages are an early sign of market pressure and of budget "
        "overspend.",
        data_source="Brokerage system; adult social care finance system",
        frequency=Frequency.MONTHLY,
        indicator_type=Indicator.LEADING,
        perspective=Perspective.CORPORATE,
        is_financial=True,
        numerator_label="New packages at or below the usual price",
        denominator_label="New home care packages",
        baseline=71,
        target=80,
    ),
    KpiSpec(
        reference="111",
        name="Delayed transfers of care from hospital attributable to adult social care, per "
        "100,000 population aged 18 and over",
        directorate="AHC",
        service="Adult Social Care",
        level=Level.OPERATIONAL,
        description="Average daily number of people whose discharge from hospital was delayed "
        "by adult social care.",
        definition="Delayed days attributable to adult social care in the month, divided by the "
        "days in the month, per 100,000 adults.",
        calculation="Delayed days divided by days in the month, divided by the adult population "
        "and multiplied by 100,000.",
        rationale="Showed the flow of people out of hospital with the support they need.",
        data_source="NHS England delayed transfers of care statistics",
        unit=Unit.RATE_PER_100000,
        direction=Direction.LOWER,
        frequency=Frequency.MONTHLY,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="NHS England delayed transfers of care: England and regional rates",
        priorities=(4,),
        committees=("AH",),
        status=Status.RETIRED,
        status_reason="NHS England stopped collecting delayed transfers of care, so the measure "
        "could no longer be refreshed or benchmarked. Replaced by KPI 220 (people in hospital "
        "who no longer meet the criteria to reside).",
        removed=AH_JULY_2022,
        baseline=9.8,
    ),
    KpiSpec(
        reference="220",
        name="People in hospital each day who no longer meet the criteria to reside",
        directorate="AHC",
        service="Adult Social Care",
        level=Level.STRATEGIC,
        description="Wessex residents who are medically fit to leave an acute hospital but are "
        "still there, on an average day.",
        definition="The daily average, over the month, of Wessex residents in acute hospital "
        "beds who no longer meet the criteria to reside.",
        calculation="Sum of the daily counts in the month divided by the number of days in the "
        "month.",
        rationale="Delays harm patients' recovery and block hospital beds; most resolve through "
        "reablement, home care or short-term beds that the council and NHS arrange together.",
        data_source="NHS England acute discharge situation report (via the integrated care board)",
        unit=Unit.COUNT,
        direction=Direction.LOWER,
        frequency=Frequency.MONTHLY,
        metric_category=Category.PARTNER,
        benchmark="NHS England discharge delays: integrated care board and England figures",
        priorities=(3, 4),
        committees=("AH",),
        added=AH_JULY_2022,
        long_term_target=60,
        long_term_target_year=2028,
        baseline=96,
        target=75,
    ),
    KpiSpec(
        reference="222",
        name="Adult social care assessments waiting to be allocated",
        directorate="AHC",
        service="Adult Social Care",
        level=Level.OPERATIONAL,
        description="The number of people waiting for a Care Act assessment who have not yet "
        "been given a worker.",
        definition="Requests for a Care Act assessment, open at the end of the month, not yet "
        "allocated to a practitioner.",
        calculation="Count of unallocated assessment requests on the last working day of the "
        "month.",
        rationale="An early warning of rising demand and of people waiting too long for help.",
        data_source="Adult social care case management system",
        unit=Unit.COUNT,
        direction=Direction.LOWER,
        frequency=Frequency.MONTHLY,
        indicator_type=Indicator.LEADING,
        priorities=(4,),
        added=OPERATIONAL_2023,
        baseline=412,
        target=250,
    ),
    KpiSpec(
        reference="230",
        name="Smoking prevalence in adults in routine and manual occupations (%)",
        directorate="AHC",
        service="Public Health",
        level=Level.STRATEGIC,
        description="How many adults in routine and manual jobs smoke, the group with the "
        "highest rates.",
        definition="Estimated percentage of adults aged 18 to 64 in routine and manual "
        "occupations who currently smoke, in the calendar year.",
        calculation="Published estimate from the Annual Population Survey (OHID Fingertips).",
        rationale="Smoking is the largest single cause of the gap in healthy life expectancy "
        "between the most and least deprived communities.",
        data_source="Annual Population Survey via OHID Fingertips",
        direction=Direction.LOWER,
        frequency=Frequency.ANNUAL,
        metric_category=Category.NATIONAL_SURVEY,
        benchmark="OHID Fingertips: CIPFA nearest neighbours, region and England",
        priorities=(3,),
        committees=("AH",),
        added=SKPIS_2024,
        target_kind=TargetKind.LONG_TERM,
        long_term_target=12,
        long_term_target_year=2035,
        baseline=22.1,
        target=20,
    ),
    # ---- Children, Education and Families -------------------------------------------------
    KpiSpec(
        reference="120",
        name="Education, health and care plans issued within 20 weeks, excluding exceptions (%)",
        directorate="CEF",
        service="Special Educational Needs and Disabilities (SEND)",
        level=Level.STRATEGIC,
        description="Whether new EHC plans are finalised within the 20-week statutory time limit.",
        definition="New education, health and care plans issued in the calendar year to date "
        "within 20 weeks of the request for assessment, excluding cases that meet the "
        "statutory exceptions.",
        calculation="Plans issued within 20 weeks divided by all new plans issued (excluding "
        "exceptions), times 100, year to date.",
        rationale="Delays leave children without the support in their plan and are the main "
        "cause of complaints and tribunal appeals in SEND.",
        data_source="SEND case management system (SEN2 return)",
        frequency=Frequency.MONTHLY,
        value_basis=Basis.YEAR_TO_DATE,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark=f"SEN2 return; {_LG_INFORM_CIPFA}",
        numerator_label="New EHC plans issued within 20 weeks",
        denominator_label="New EHC plans issued (excluding exceptions)",
        priorities=(7,),
        committees=("CYP",),
        long_term_target=80,
        long_term_target_year=2028,
        baseline=38,
        target=60,
    ),
    KpiSpec(
        reference="121",
        name="Children in care per 10,000 children aged under 18",
        directorate="CEF",
        service="Children's Social Care",
        level=Level.STRATEGIC,
        description="The rate of children looked after by the council, for context alongside "
        "demand and early help.",
        definition="Children looked after by Wessex County Council on the last day of the "
        "quarter, per 10,000 children aged 0 to 17 in the county.",
        calculation="Children in care divided by the ONS mid-year estimate of children aged "
        "0 to 17, times 10,000.",
        rationale="Gives members a rounded view of demand; a target could bias decisions about "
        "individual children, so none is set.",
        data_source="Children's social care case management system (SSDA903 return); ONS "
        "mid-year population estimates",
        unit=Unit.RATE_PER_10000,
        direction=Direction.LOWER,
        metric_category=Category.CENTRAL_GOVERNMENT,
        target_kind=TargetKind.CONTEXTUAL,
        status=Status.CONTEXTUAL,
        benchmark="SSDA903: statistical neighbours and England rate (LG Inform)",
        priorities=(7,),
        committees=("CYP",),
        baseline=52.4,
    ),
    KpiSpec(
        reference="122",
        name="Children subject to a child protection plan per 10,000 children aged under 18",
        directorate="CEF",
        service="Children's Social Care",
        level=Level.STRATEGIC,
        description="The rate of children with a child protection plan, for context.",
        definition="Children subject to a child protection plan on the last day of the quarter, "
        "per 10,000 children aged 0 to 17.",
        calculation="Children on a plan divided by the ONS mid-year estimate of children aged "
        "0 to 17, times 10,000.",
        rationale="Shows the level of serious safeguarding concern; tracked without a target so "
        "that thresholds are applied on the needs of each child.",
        data_source="Children's social care case management system (children in need census)",
        unit=Unit.RATE_PER_10000,
        direction=Direction.LOWER,
        metric_category=Category.CENTRAL_GOVERNMENT,
        target_kind=TargetKind.CONTEXTUAL,
        status=Status.CONTEXTUAL,
        benchmark="Children in need census: statistical neighbours and England rate",
        priorities=(7,),
        committees=("CYP",),
        baseline=38.9,
    ),
    KpiSpec(
        reference="123",
        name="16 and 17 year olds not in education, employment or training (NEET) or whose "
        "activity is not known (%)",
        directorate="CEF",
        service="Skills and Participation",
        level=Level.STRATEGIC,
        description="Young people who have left compulsory schooling and are not in learning or "
        "work, or whom we have lost track of.",
        definition="Wessex residents aged 16 and 17 who are NEET or whose activity is not known, "
        "as a percentage of all residents of that age known to the council (three-month "
        "average, December to February, for the annual figure).",
        calculation="NEET plus not known divided by the 16 and 17 year old cohort, times 100.",
        rationale="Being NEET at 16 or 17 is strongly linked to unemployment and low pay in "
        "adult life.",
        data_source="Client caseload information system (NCCIS return)",
        direction=Direction.LOWER,
        frequency=Frequency.MONTHLY,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="DfE NEET and participation scorecard: statistical neighbours and England",
        numerator_label="16 and 17 year olds NEET or not known",
        denominator_label="16 and 17 year olds known to the council",
        priorities=(5, 7),
        committees=("CYP", "CSMI"),
        long_term_target=4,
        long_term_target_year=2028,
        baseline=5.8,
        target=5,
    ),
    KpiSpec(
        reference="124",
        name="Re-referrals to children's social care within 12 months (%)",
        directorate="CEF",
        service="Children's Social Care",
        level=Level.OPERATIONAL,
        description="Referrals for children who had a previous referral in the last year.",
        definition="Referrals in the rolling 12 months for children with another referral "
        "in the 12 months before it.",
        calculation="Re-referrals divided by all referrals in the rolling 12 months, times 100.",
        rationale="A high rate suggests that earlier work did not address the family's needs.",
        data_source="Children's social care case management system (children in need census)",
        direction=Direction.LOWER,
        frequency=Frequency.MONTHLY,
        value_basis=Basis.ROLLING_12_MONTHS,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="Children in need census: statistical neighbours and England",
        numerator_label="Re-referrals within 12 months",
        denominator_label="Referrals",
        committees=("CYP",),
        baseline=22,
        target=20,
    ),
    KpiSpec(
        reference="125",
        name="Children in care with three or more placements in the year (%)",
        directorate="CEF",
        service="Children's Social Care",
        level=Level.OPERATIONAL,
        description="Placement stability for children in care.",
        definition="Children looked after at the end of the quarter who have had three or more "
        "placements in the previous 12 months.",
        calculation="Children with three or more placements divided by all children in care, "
        "times 100.",
        rationale="Frequent moves harm children's relationships, schooling and wellbeing.",
        data_source="Children's social care case management system (SSDA903 return)",
        direction=Direction.LOWER,
        value_basis=Basis.ROLLING_12_MONTHS,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="SSDA903: statistical neighbours and England",
        numerator_label="Children in care with three or more placements",
        denominator_label="Children in care",
        priorities=(7,),
        committees=("CYP",),
        baseline=10.4,
        target=9,
    ),
    KpiSpec(
        reference="126",
        name="Families supported by early help with sustained and significant outcomes",
        directorate="CEF",
        service="Early Years and Early Help",
        level=Level.OPERATIONAL,
        description="Families whose early help plan achieved lasting improvement, as claimed "
        "under the national Supporting Families programme.",
        definition="Families with a successful outcome claim in the financial year to date.",
        calculation="Count of successful outcome claims submitted, year to date.",
        rationale="Early help prevents needs escalating to children's social care.",
        data_source="Early help module of the children's case management system",
        unit=Unit.COUNT,
        value_basis=Basis.YEAR_TO_DATE,
        metric_category=Category.CENTRAL_GOVERNMENT,
        priorities=(5, 7),
        baseline=420,
        target=500,
    ),
    KpiSpec(
        reference="219",
        name="Approved in-house foster carer households",
        directorate="CEF",
        service="Children's Social Care",
        level=Level.OPERATIONAL,
        description="The council's own fostering capacity.",
        definition="Approved mainstream and family and friends foster carer households on the "
        "last day of the quarter.",
        calculation="Count of approved households at the end of the quarter.",
        rationale="More in-house carers means more children placed close to home and less "
        "spend on independent fostering agencies.",
        data_source="Fostering module of the children's case management system",
        unit=Unit.COUNT,
        indicator_type=Indicator.LEADING,
        priorities=(7,),
        committees=("CYP",),
        added=CYP_JULY_2022,
        baseline=181,
        target=200,
    ),
    KpiSpec(
        reference="231",
        name="Pupils meeting the expected standard in reading, writing and maths at the end "
        "of key stage 2 (%)",
        directorate="CEF",
        service="Education",
        level=Level.STRATEGIC,
        description="Attainment at the end of primary school.",
        definition="Pupils in state-funded schools in Wessex reaching the expected standard in "
        "reading, writing and maths at the end of key stage 2, academic year.",
        calculation="Published DfE figure for the local authority (revised data).",
        rationale="The foundation for secondary education and a core measure of the children "
        "and young people ambition.",
        data_source="DfE key stage 2 attainment statistics",
        frequency=Frequency.ANNUAL,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="DfE: statistical neighbours and England",
        numerator_label="Pupils meeting the expected standard",
        denominator_label="Pupils at the end of key stage 2",
        priorities=(7,),
        committees=("CYP",),
        added=SKPIS_2024,
        long_term_target=65,
        long_term_target_year=2030,
        baseline=57,
        target=60,
    ),
    KpiSpec(
        reference="232",
        name="Children achieving a good level of development at the end of reception (%)",
        directorate="CEF",
        service="Early Years and Early Help",
        level=Level.STRATEGIC,
        description="School readiness at the end of the early years foundation stage.",
        definition="Children at the end of the early years foundation stage profile reaching "
        "the expected level in the prime areas of learning and in literacy and mathematics.",
        calculation="Published DfE figure for the local authority, academic year.",
        rationale="A good start predicts later attainment; the gap for disadvantaged children "
        "opens early.",
        data_source="DfE early years foundation stage profile statistics",
        frequency=Frequency.ANNUAL,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="DfE: statistical neighbours and England",
        numerator_label="Children with a good level of development",
        denominator_label="Children assessed at the end of reception",
        priorities=(3, 7),
        committees=("CYP",),
        added=SKPIS_2024,
        long_term_target=72,
        long_term_target_year=2030,
        baseline=66.2,
        target=68,
    ),
    KpiSpec(
        reference="233",
        name="Attainment 8 gap between disadvantaged pupils and other pupils",
        directorate="CEF",
        service="Education",
        level=Level.STRATEGIC,
        description="The difference in average Attainment 8 score at the end of key stage 4 "
        "between disadvantaged pupils and all other pupils.",
        definition="Average Attainment 8 score of non-disadvantaged pupils minus that of "
        "disadvantaged pupils in Wessex state-funded schools, academic year.",
        calculation="Difference between the two published averages.",
        rationale="Educational disadvantage drives income inequality in adult life.",
        data_source="DfE key stage 4 performance statistics",
        unit=Unit.SCORE,
        direction=Direction.LOWER,
        frequency=Frequency.ANNUAL,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="DfE: statistical neighbours and England",
        priorities=(5, 7),
        committees=("CYP",),
        added=SKPIS_2024,
        long_term_target=11,
        long_term_target_year=2030,
        baseline=15.2,
        target=14,
    ),
    # ---- Finance and Resources ------------------------------------------------------------
    KpiSpec(
        reference="160",
        name="Undisputed invoices paid within 30 days (%)",
        directorate="F&R",
        service="Finance",
        level=Level.CORPORATE,
        description="How promptly the council pays its suppliers.",
        definition="Undisputed invoices paid in the month within 30 days of receipt.",
        calculation="Invoices paid within 30 days divided by all undisputed invoices paid, "
        "times 100.",
        rationale="Prompt payment supports local businesses' cash flow and is a public sector "
        "contract requirement.",
        data_source="Finance system (accounts payable)",
        frequency=Frequency.MONTHLY,
        perspective=Perspective.CORPORATE,
        is_financial=True,
        benchmark="Published prompt payment statistics of comparable councils",
        numerator_label="Undisputed invoices paid within 30 days",
        denominator_label="Undisputed invoices paid",
        priorities=(6,),
        baseline=93,
        target=95,
    ),
    KpiSpec(
        reference="161",
        name="Approved budget savings delivered or on track (%)",
        directorate="F&R",
        service="Finance",
        level=Level.CORPORATE,
        description="Progress on delivering the savings in this year's budget.",
        definition="Value of savings in the approved budget that have been delivered, or are "
        "forecast to be delivered in full, at the end of the quarter.",
        calculation="Value of savings delivered or on track divided by the value of all "
        "approved savings for the year, times 100.",
        rationale="Undelivered savings are the main cause of in-year overspends.",
        data_source="Finance system; savings tracker",
        indicator_type=Indicator.LEADING,
        perspective=Perspective.CORPORATE,
        is_financial=True,
        numerator_label="Savings delivered or on track (£)",
        denominator_label="Approved savings for the year (£)",
        baseline=78,
        target=90,
    ),
    KpiSpec(
        reference="162",
        name="Agency staff spend (£, year to date)",
        directorate="F&R",
        service="Human Resources",
        level=Level.CORPORATE,
        description="What the council spends on agency and interim workers.",
        definition="Spend on agency workers and interim staff through the managed service "
        "provider and off-contract, in the financial year to date.",
        calculation="Sum of agency and interim invoices coded to the year, year to date.",
        rationale="Agency staff cost more than employees; high spend points to recruitment "
        "and retention problems.",
        data_source="Finance system; managed service provider reports",
        unit=Unit.MONEY,
        direction=Direction.LOWER,
        value_basis=Basis.YEAR_TO_DATE,
        perspective=Perspective.CORPORATE,
        is_financial=True,
        benchmark="LGA workforce survey: county councils",
        baseline=9_800_000,
        target=8_000_000,
    ),
    KpiSpec(
        reference="163",
        name="Working days lost to sickness per full-time equivalent employee (rolling 12 months)",
        directorate="F&R",
        service="Human Resources",
        level=Level.CORPORATE,
        description="Staff sickness absence, excluding schools.",
        definition="Working days lost to sickness absence in the last 12 months, per full-time "
        "equivalent employee (schools excluded).",
        calculation="Days lost in the rolling 12 months divided by the average FTE over the "
        "same months.",
        rationale="Sickness affects service delivery, costs and staff wellbeing.",
        data_source="HR and payroll system",
        unit=Unit.DAYS,
        direction=Direction.LOWER,
        value_basis=Basis.ROLLING_12_MONTHS,
        perspective=Perspective.CORPORATE,
        benchmark="LG Inform workforce benchmarking; CIPD health and wellbeing at work survey "
        "(public sector)",
        baseline=9.8,
        target=8.5,
    ),
    KpiSpec(
        reference="165",
        name="IT service desk incidents resolved within the agreed service level (%)",
        directorate="F&R",
        service="IT and Digital",
        level=Level.CORPORATE,
        description="How reliably IT fixes problems reported by staff.",
        definition="Incidents closed in the month within the resolution time for their priority.",
        calculation="Incidents resolved within the service level divided by incidents "
        "resolved, times 100.",
        rationale="IT problems stop staff serving residents.",
        data_source="IT service management system",
        frequency=Frequency.MONTHLY,
        perspective=Perspective.CORPORATE,
        numerator_label="Incidents resolved within the service level",
        denominator_label="Incidents resolved",
        baseline=86,
        target=90,
    ),
    KpiSpec(
        reference="166",
        name="Stage 1 complaints responded to within 10 working days (%)",
        directorate="F&R",
        service="Customer Services",
        level=Level.CORPORATE,
        description="Whether residents get a timely answer to a complaint.",
        definition="Stage 1 corporate complaints closed in the quarter that were responded to "
        "within 10 working days of receipt (statutory social care complaints excluded).",
        calculation="Complaints responded to within 10 working days divided by stage 1 "
        "complaints responded to, times 100.",
        rationale="The Ombudsman's complaint handling code expects a prompt response; late "
        "answers escalate complaints.",
        data_source="Complaints case management system",
        benchmark="Local Government and Social Care Ombudsman annual review letter",
        numerator_label="Stage 1 complaints answered within 10 working days",
        denominator_label="Stage 1 complaints answered",
        priorities=(6,),
        baseline=74,
        target=85,
    ),
    KpiSpec(
        reference="167",
        name="Customers satisfied with the contact centre (%)",
        directorate="F&R",
        service="Customer Services",
        level=Level.CORPORATE,
        description="Satisfaction of residents who phone the council.",
        definition="Post-call survey respondents who said they were satisfied or very "
        "satisfied with the service they received.",
        calculation="Satisfied and very satisfied responses divided by all responses, times 100.",
        rationale="The contact centre is most residents' first contact with the council.",
        data_source="Telephony post-call survey",
        indicator_type=Indicator.LEADING,
        metric_category=Category.LOCAL_AUTHORITY,
        numerator_label="Satisfied responses",
        denominator_label="Survey responses",
        priorities=(6,),
        status=Status.SUSPENDED,
        status_reason="Suspended while the telephony platform and its post-call survey are "
        "replaced; results from the interim survey are not comparable with the time series. "
        "Reporting resumes after a full quarter on the new platform.",
        baseline=84,
        target=85,
        suspended_on=datetime.date(2026, 1, 1),
    ),
    KpiSpec(
        reference="169",
        name="Contract waivers submitted less than 5 days before the proposed contract start date",
        directorate="F&R",
        service="Procurement and Commercial",
        level=Level.CORPORATE,
        description="Late requests to waive the contract procedure rules.",
        definition="Waivers of the contract procedure rules submitted to Procurement in the "
        "quarter less than five working days before the contract was due to start.",
        calculation="Count of waivers with a submission date fewer than five working days "
        "before the proposed start date.",
        rationale="Late waivers leave no time for challenge and suggest poor procurement "
        "planning; high-value waivers for new requirements are the greatest risk.",
        data_source="Procurement waiver register",
        unit=Unit.COUNT,
        direction=Direction.LOWER,
        indicator_type=Indicator.LEADING,
        perspective=Perspective.CORPORATE,
        committees=("AP",),
        baseline=21,
        target=10,
    ),
    KpiSpec(
        reference="234",
        name="Capital programme delivered against the budget set at the start of the year (%)",
        directorate="F&R",
        service="Finance",
        level=Level.STRATEGIC,
        description="How much of the planned capital investment is actually delivered in the year.",
        definition="Capital spend in the financial year to date as a percentage of the capital "
        "budget approved for the year in February.",
        calculation="Year-to-date capital spend divided by the approved annual capital budget, "
        "times 100, against a profiled quarterly target.",
        rationale="Slippage delays benefits to residents and increases costs through inflation.",
        data_source="Finance system (capital ledger)",
        value_basis=Basis.YEAR_TO_DATE,
        indicator_type=Indicator.LEADING,
        perspective=Perspective.CORPORATE,
        is_financial=True,
        benchmark="CIPFA capital outturn returns",
        numerator_label="Capital spend in the year to date (£)",
        denominator_label="Approved capital budget for the year (£)",
        priorities=(6,),
        committees=("AP",),
        added=SKPIS_2024,
        long_term_target=90,
        long_term_target_year=2028,
        baseline=72,
        target=85,
    ),
    KpiSpec(
        reference="235",
        name="Council-owned buildings with an energy performance certificate rating of C or "
        "better (%)",
        directorate="F&R",
        service="Property and Assets",
        level=Level.STRATEGIC,
        description="The energy efficiency of the council's operational estate.",
        definition="Operational council buildings (schools and leased-out property excluded) "
        "with a valid EPC rating of A, B or C at the end of the quarter.",
        calculation="Buildings rated A to C divided by operational buildings with an EPC, "
        "times 100.",
        rationale="The estate is the largest source of the council's own emissions; better "
        "buildings also cost less to run.",
        data_source="Property asset management system; EPC register",
        perspective=Perspective.CORPORATE,
        numerator_label="Operational buildings rated A to C",
        denominator_label="Operational buildings with an EPC",
        priorities=(1,),
        committees=("AP", "EGI"),
        added=SKPIS_2024,
        long_term_target=90,
        long_term_target_year=2030,
        baseline=48,
        target=55,
    ),
    KpiSpec(
        reference="236",
        name="Council spend with local small and medium-sized enterprises (%)",
        directorate="F&R",
        service="Procurement and Commercial",
        level=Level.STRATEGIC,
        description="How much of the council's third-party spend goes to local SMEs.",
        definition="Spend in the quarter with suppliers that have a Wessex postcode and fewer "
        "than 250 employees.",
        calculation="Spend with local SMEs divided by all third-party spend, times 100.",
        rationale="Council spending can support a resilient and inclusive local economy; a "
        "year of data is being collected to set a fair target.",
        data_source="Finance system (accounts payable) matched to Companies House data",
        is_financial=True,
        numerator_label="Spend with local SMEs (£)",
        denominator_label="Third-party spend (£)",
        priorities=(6,),
        committees=("AP", "CSMI"),
        status=Status.BASELINE,
        added=SKPIS_2024,
        baseline=31,
    ),
    KpiSpec(
        reference="250",
        name="Social value committed through council contracts (£)",
        directorate="F&R",
        service="Procurement and Commercial",
        level=Level.CORPORATE,
        description="The value of social, economic and environmental benefits suppliers commit "
        "to deliver through contracts let in the period.",
        definition="Social value commitments in contracts over £100,000 awarded in the financial "
        "year to date, valued with the national themes, outcomes and measures framework.",
        calculation="Sum of the valued commitments in contracts awarded, year to date.",
        rationale="Shows whether procurement delivers wider benefits for Wessex; data "
        "collection and target setting are being developed.",
        data_source="Contract management system (from 2026-27)",
        in_information_asset_register=False,
        unit=Unit.MONEY,
        value_basis=Basis.YEAR_TO_DATE,
        is_financial=True,
        priorities=(5, 6),
        committees=("AP",),
        status=Status.IN_DEVELOPMENT,
        added=SRP_SEPTEMBER_2025,
    ),
    # ---- Place and Sustainability ---------------------------------------------------------
    KpiSpec(
        reference="140",
        name="Household waste sent for reuse, recycling and composting (%)",
        directorate="P&S",
        service="Waste Management",
        level=Level.STRATEGIC,
        description="The share of household waste collected in Wessex that is reused, recycled "
        "or composted.",
        definition="Household waste collected by the district councils and received at "
        "household recycling centres, sent for reuse, recycling or composting, in the rolling "
        "12 months (reported a quarter in arrears).",
        calculation="Tonnes sent for reuse, recycling or composting divided by total household "
        "waste tonnes, times 100 (former NI 192).",
        rationale="Recycling cuts emissions and the cost of landfill and treatment.",
        data_source="WasteDataFlow returns",
        value_basis=Basis.ROLLING_12_MONTHS,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark=f"Defra local authority waste statistics; {_LG_INFORM_CIPFA}",
        numerator_label="Household waste reused, recycled or composted (tonnes)",
        denominator_label="Household waste collected (tonnes)",
        priorities=(1,),
        committees=("EGI",),
        long_term_target=65,
        long_term_target_year=2035,
        baseline=55.2,
        target=57,
    ),
    KpiSpec(
        reference="141",
        name="Carbon emissions from the council's estate and operations (tonnes CO2e)",
        directorate="P&S",
        service="Climate Change and Energy",
        level=Level.STRATEGIC,
        description="Scope 1 and 2 greenhouse gas emissions from council buildings, street "
        "lighting and fleet.",
        definition="Tonnes of carbon dioxide equivalent from gas, oil, electricity and fleet "
        "fuel used by the council (schools excluded) in the financial year.",
        calculation="Energy and fuel consumption multiplied by the government greenhouse gas "
        "conversion factors for the year.",
        rationale="The council has committed to net zero for its own operations by 2030.",
        data_source="Energy management system; fleet fuel cards",
        unit=Unit.COUNT,
        direction=Direction.LOWER,
        frequency=Frequency.ANNUAL,
        perspective=Perspective.CORPORATE,
        benchmark="Published emissions reports of CIPFA nearest neighbours",
        priorities=(1,),
        committees=("EGI",),
        target_kind=TargetKind.LONG_TERM,
        long_term_target=0,
        long_term_target_year=2030,
        baseline=14_800,
        target=11_500,
    ),
    KpiSpec(
        reference="143",
        name="People killed or seriously injured in road traffic collisions (rolling 12 months)",
        directorate="P&S",
        service="Highways",
        level=Level.STRATEGIC,
        description="Road casualties killed or seriously injured on roads in Wessex.",
        definition="People killed or seriously injured in reported road traffic collisions on "
        "roads in the county in the 12 months to the end of the quarter (provisional police "
        "data).",
        calculation="Count of killed plus seriously injured casualties in the rolling 12 months.",
        rationale="The council and its partners have adopted a Vision Zero approach to road "
        "deaths and serious injuries.",
        data_source="Police collision data (STATS19) via the road safety partnership",
        unit=Unit.COUNT,
        direction=Direction.LOWER,
        value_basis=Basis.ROLLING_12_MONTHS,
        metric_category=Category.PARTNER,
        benchmark="DfT reported road casualties: comparable counties",
        priorities=(2,),
        committees=("HT",),
        lead="officer6",
        long_term_target=205,
        long_term_target_year=2040,
        baseline=410,
        target=380,
    ),
    KpiSpec(
        reference="144",
        name="Principal (A) roads where maintenance should be considered (%)",
        directorate="P&S",
        service="Highways",
        level=Level.STRATEGIC,
        description="The condition of the A road network.",
        definition="Length of the principal road network classed red (maintenance should be "
        "considered) in the annual machine survey.",
        calculation="Red length divided by surveyed length, times 100 (DfT RDC0120 method).",
        rationale="Road condition affects safety, journey times and the cost of repairs.",
        data_source="Annual road condition survey",
        direction=Direction.LOWER,
        frequency=Frequency.ANNUAL,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="DfT road condition statistics: English county councils",
        numerator_label="Red length (km)",
        denominator_label="Surveyed principal road length (km)",
        priorities=(2,),
        committees=("HT",),
        lead="officer6",
        long_term_target=3,
        long_term_target_year=2030,
        baseline=4,
        target=4,
    ),
    KpiSpec(
        reference="145",
        name="Library visits (physical and virtual)",
        directorate="P&S",
        service="Libraries and Culture",
        level=Level.OPERATIONAL,
        description="Use of Wessex libraries, in person and online.",
        definition="Visits to the council's libraries (door counters) plus virtual visits "
        "(catalogue and e-library sessions) in the quarter.",
        calculation="Sum of physical and virtual visits in the quarter.",
        rationale="Libraries support literacy, digital inclusion and community life.",
        data_source="Library management system; door counters",
        unit=Unit.COUNT,
        benchmark="CIPFA public library statistics",
        priorities=(6,),
        committees=("CSMI",),
        baseline=612_000,
        target=650_000,
    ),
    KpiSpec(
        reference="146",
        name="Potholes and other highway defects repaired within the target time (%)",
        directorate="P&S",
        service="Highways",
        level=Level.OPERATIONAL,
        description="How quickly reported road defects are made safe or repaired.",
        definition="Highway defects due for repair in the month that were repaired within the "
        "response time for their category (2 hours to 28 days).",
        calculation="Defects repaired within target time divided by defects due for repair, "
        "times 100.",
        rationale="Defects left unrepaired put road users at risk and lead to insurance claims.",
        data_source="Highways asset management system",
        frequency=Frequency.MONTHLY,
        benchmark="National highways and transport public satisfaction survey",
        numerator_label="Defects repaired within target time",
        denominator_label="Defects due for repair",
        priorities=(2,),
        committees=("HT",),
        lead="officer6",
        baseline=88,
        target=95,
    ),
    KpiSpec(
        reference="147",
        name="Major planning applications (county matters) decided within 13 weeks or an "
        "agreed extension (%)",
        directorate="P&S",
        service="Planning and Development",
        level=Level.OPERATIONAL,
        description="Timeliness of decisions on the council's own planning applications "
        "(minerals, waste and council development).",
        definition="Major applications decided in the rolling 24 months within 13 weeks or an "
        "extension of time agreed with the applicant.",
        calculation="Applications decided on time divided by all major applications decided, "
        "times 100.",
        rationale="Government designates authorities that fall below the threshold.",
        data_source="Planning case management system (PS2 return)",
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="Planning application statistics (PS2); Oflog planning metrics",
        numerator_label="Major applications decided on time",
        denominator_label="Major applications decided",
        committees=("EGI",),
        baseline=92,
        target=90,
    ),
    KpiSpec(
        reference="149",
        name="Household recycling centre users satisfied with the service (%)",
        directorate="P&S",
        service="Waste Management",
        level=Level.OPERATIONAL,
        description="Satisfaction of residents using the household recycling centres.",
        definition="Respondents to the on-site survey who were satisfied or very satisfied.",
        calculation="Satisfied and very satisfied responses divided by all responses, times 100.",
        rationale="Good recycling centres support recycling and reduce fly-tipping.",
        data_source="On-site customer survey",
        in_information_asset_register=False,
        committees=("EGI",),
        status=Status.SUSPENDED,
        status_reason="Suspended when the recycling centre operating contract changed hands; "
        "the new operator starts a comparable survey from the next contract year.",
        baseline=89,
        target=90,
        suspended_on=datetime.date(2025, 10, 1),
    ),
    KpiSpec(
        reference="151",
        name="Non-frequent local bus services running on time (%)",
        directorate="P&S",
        service="Passenger Transport",
        level=Level.OPERATIONAL,
        description="Punctuality of timetabled bus services.",
        definition="Departures of non-frequent services at monitored timing points between one "
        "minute early and five minutes fifty-nine seconds late.",
        calculation="On-time departures divided by monitored departures, times 100.",
        rationale="Reliable buses are essential if people are to switch from car travel.",
        data_source="Bus open data (real-time vehicle locations) supplied by operators",
        metric_category=Category.PARTNER,
        benchmark="DfT bus punctuality statistics",
        numerator_label="On-time departures",
        denominator_label="Monitored departures",
        priorities=(2,),
        committees=("HT",),
        lead="officer6",
        baseline=78,
        target=85,
    ),
    KpiSpec(
        reference="152",
        name="Major transport schemes on track against their agreed programme and budget (%)",
        directorate="P&S",
        service="Highways",
        level=Level.STRATEGIC,
        description="Delivery of the major infrastructure programme.",
        definition="Major transport schemes (over £5 million) in delivery whose forecast "
        "completion date and cost are within the tolerances agreed at approval.",
        calculation="Schemes within both tolerances divided by schemes in delivery, times 100.",
        rationale="Late or over-budget schemes delay benefits and put pressure on the capital "
        "programme.",
        data_source="Major projects programme tracker",
        indicator_type=Indicator.LEADING,
        is_financial=True,
        numerator_label="Schemes on programme and budget",
        denominator_label="Major schemes in delivery",
        priorities=(2, 6),
        committees=("HT", "AP"),
        lead="officer6",
        long_term_target=90,
        long_term_target_year=2028,
        baseline=70,
        target=85,
    ),
    KpiSpec(
        reference="221",
        name="Street lights converted to LED (%)",
        directorate="P&S",
        service="Highways",
        level=Level.OPERATIONAL,
        description="Progress of the street lighting LED replacement programme.",
        definition="Council-owned street lights fitted with LED lanterns at the end of the "
        "quarter.",
        calculation="LED street lights divided by all council-owned street lights, times 100.",
        rationale="LED lighting cuts energy use, emissions and running costs.",
        data_source="Street lighting inventory",
        indicator_type=Indicator.LEADING,
        priorities=(1,),
        committees=("HT",),
        lead="officer6",
        added=HT_SEPTEMBER_2022,
        baseline=78,
        target=90,
    ),
    KpiSpec(
        reference="237",
        name="Bus passenger journeys starting in Wessex (rolling 12 months)",
        directorate="P&S",
        service="Passenger Transport",
        level=Level.STRATEGIC,
        description="Use of local bus services.",
        definition="Passenger journeys on local bus services starting in the county in the 12 "
        "months to the end of the quarter, including concessionary journeys.",
        calculation="Sum of operators' journey returns for the rolling 12 months.",
        rationale="More bus use means fewer car journeys, lower emissions and better access "
        "to work and services.",
        data_source="Operator returns under the enhanced partnership",
        unit=Unit.COUNT,
        value_basis=Basis.ROLLING_12_MONTHS,
        metric_category=Category.PARTNER,
        benchmark="DfT bus statistics (BUS01): English county councils",
        priorities=(1, 2),
        committees=("HT",),
        lead="officer6",
        added=SKPIS_2024,
        long_term_target=18_000_000,
        long_term_target_year=2030,
        baseline=14_200_000,
        target=15_000_000,
    ),
    KpiSpec(
        reference="238",
        name="Public electric vehicle charge points per 100,000 population",
        directorate="P&S",
        service="Climate Change and Energy",
        level=Level.STRATEGIC,
        description="Availability of public charging for electric vehicles.",
        definition="Publicly available charging devices in the county at the end of the "
        "quarter, per 100,000 residents.",
        calculation="Devices divided by the ONS mid-year population estimate, times 100,000.",
        rationale="Lack of public charging is a barrier for households without off-street parking.",
        data_source="DfT electric vehicle charging device statistics",
        unit=Unit.RATE_PER_100000,
        indicator_type=Indicator.LEADING,
        metric_category=Category.CENTRAL_GOVERNMENT,
        benchmark="DfT electric vehicle charging device statistics: region and England",
        priorities=(1, 2),
        committees=("EGI", "HT"),
        added=SKPIS_2024,
        long_term_target=250,
        long_term_target_year=2030,
        baseline=48,
        target=70,
    ),
    KpiSpec(
        reference="239",
        name="Council fleet vehicles that are zero emission (%)",
        directorate="P&S",
        service="Climate Change and Energy",
        level=Level.STRATEGIC,
        description="Progress in replacing the council's vans, cars and gritters with zero "
        "emission vehicles.",
        definition="Council-owned and leased vehicles that produce no tailpipe emissions, at "
        "the end of the quarter.",
        calculation="Zero emission vehicles divided by fleet vehicles, times 100.",
        rationale="Fleet fuel is the second largest source of the council's own emissions; a "
        "baseline is being tracked while the fleet replacement plan is agreed.",
        data_source="Fleet management system",
        indicator_type=Indicator.LEADING,
        perspective=Perspective.CORPORATE,
        priorities=(1,),
        committees=("EGI",),
        status=Status.BASELINE,
        added=SKPIS_2024,
        baseline=12,
    ),
    KpiSpec(
        reference="251",
        name="Tree canopy cover in Wessex (%)",
        directorate="P&S",
        service="Climate Change and Energy",
        level=Level.OPERATIONAL,
        description="The share of the county's land covered by tree canopy.",
        definition="Area under tree canopy as a percentage of land area, from aerial imagery.",
        calculation="Method to be agreed with the local nature partnership.",
        rationale="Trees store carbon, support nature recovery and cool towns in heatwaves.",
        data_source="Aerial imagery survey (to be commissioned)",
        in_information_asset_register=False,
        frequency=Frequency.ANNUAL,
        metric_category=Category.PARTNER,
        priorities=(1,),
        committees=("EGI",),
        status=Status.IN_DEVELOPMENT,
        added=EGI_OCTOBER_2025,
    ),
    # ---- Strategy and Partnerships --------------------------------------------------------
    KpiSpec(
        reference="182",
        name="Freedom of Information requests responded to within 20 working days (%, year to "
        "date)",
        directorate="S&P",
        service="Information Governance",
        level=Level.CORPORATE,
        description="Whether the council answers FOI and EIR requests within the statutory "
        "time limit.",
        definition="Freedom of Information and Environmental Information Regulations requests "
        "closed in the financial year to date that were answered within 20 working days.",
        calculation="Requests answered within 20 working days divided by requests answered, "
        "times 100, year to date.",
        rationale="A statutory duty; the Information Commissioner expects at least 90% on time.",
        data_source="Information requests case management system",
        value_basis=Basis.YEAR_TO_DATE,
        benchmark="Information Commissioner's Office expectation (90% within the statutory "
        "deadline)",
        numerator_label="Requests answered within 20 working days",
        denominator_label="Requests answered",
        priorities=(6,),
        baseline=79,
        target=90,
    ),
    KpiSpec(
        reference="183",
        name="Subject access requests responded to within the statutory timescale (%, year to "
        "date)",
        directorate="S&P",
        service="Information Governance",
        level=Level.CORPORATE,
        description="Whether people asking for their own records get them on time.",
        definition="Subject access requests closed in the financial year to date that were "
        "answered within one month, or within the extended period where the extension was "
        "lawfully applied.",
        calculation="Requests answered in time divided by requests answered, times 100, year to "
        "date.",
        rationale="A statutory duty under UK GDPR; most requests are for social care records, "
        "which are large and complex to redact.",
        data_source="Information requests case management system",
        value_basis=Basis.YEAR_TO_DATE,
        benchmark="Information Commissioner's Office guidance on the right of access",
        numerator_label="Requests answered in time",
        denominator_label="Requests answered",
        priorities=(6,),
        baseline=52,
        target=90,
    ),
    KpiSpec(
        reference="184",
        name="Staff who have completed data protection training in the last two years (%)",
        directorate="S&P",
        service="Information Governance",
        level=Level.CORPORATE,
        description="Completion of mandatory data protection and information security training.",
        definition="Employees (schools excluded) with a data protection e-learning completion "
        "dated within the last two years, at the end of the quarter.",
        calculation="Employees with a current completion divided by all employees, times 100.",
        rationale="Trained staff cause fewer data breaches; the Data Security and Protection "
        "Toolkit expects 95%.",
        data_source="Learning management system; HR system",
        indicator_type=Indicator.LEADING,
        perspective=Perspective.CORPORATE,
        benchmark="NHS Data Security and Protection Toolkit standard (95%)",
        numerator_label="Employees with current training",
        denominator_label="Employees",
        baseline=84,
        target=95,
    ),
    KpiSpec(
        reference="185",
        name="Committee papers published at least five clear working days before the meeting (%)",
        directorate="S&P",
        service="Legal and Democratic Services",
        level=Level.OPERATIONAL,
        description="Whether the public can see committee papers in good time.",
        definition="Committee meetings in the quarter whose agenda and reports were all "
        "published at least five clear working days before the meeting.",
        calculation="Meetings with papers published on time divided by meetings held, times 100.",
        rationale="Publishing on time is a legal requirement and supports transparency.",
        data_source="Committee management system",
        numerator_label="Meetings with papers published on time",
        denominator_label="Meetings held",
        priorities=(6,),
        baseline=94,
        target=100,
    ),
    KpiSpec(
        reference="186",
        name="Media enquiries answered by the journalist's deadline (%)",
        directorate="S&P",
        service="Communications",
        level=Level.OPERATIONAL,
        description="Responsiveness of the press office.",
        definition="Media enquiries closed in the quarter that were answered by the deadline "
        "the journalist gave.",
        calculation="Enquiries answered by the deadline divided by enquiries answered, times 100.",
        rationale="Timely responses mean the council's position is reported accurately.",
        data_source="Media enquiries log",
        in_information_asset_register=False,
        numerator_label="Enquiries answered by the deadline",
        denominator_label="Enquiries answered",
        baseline=92,
        target=95,
    ),
    KpiSpec(
        reference="189",
        name="Sessions on the council website",
        directorate="S&P",
        service="Communications",
        level=Level.CORPORATE,
        description="Number of visits to the council's website.",
        definition="Sessions recorded by web analytics on the main council website in the month.",
        calculation="Count of sessions in the month.",
        rationale="Was used as a proxy for channel shift to online services.",
        data_source="Web analytics",
        unit=Unit.COUNT,
        frequency=Frequency.MONTHLY,
        status=Status.RETIRED,
        status_reason="Visit numbers do not show whether residents found what they needed, and "
        "rise when the website is hard to use. Replaced by KPIs 217 (website quality) and 218 "
        "(website accessibility), added on 27 June 2022.",
        removed=SRP_MARCH_2022,
        baseline=410_000,
    ),
    KpiSpec(
        reference="217",
        name="Website quality score (%)",
        directorate="S&P",
        service="Communications",
        level=Level.CORPORATE,
        description="The overall quality of the council's website: content, usability, "
        "search and technical quality.",
        definition="The council's score in an independent monthly index of UK council websites, "
        "taken for the last month of the quarter.",
        calculation="Score as published by the index (0 to 100).",
        rationale="Replaces KPI 189 (sessions on the website) with a measure of whether the "
        "website works for residents.",
        data_source="Independent website quality index (monthly report)",
        benchmark="Independent index of UK council websites: county councils",
        priorities=(6,),
        added=SRP_JUNE_2022,
        baseline=78,
        target=85,
    ),
    KpiSpec(
        reference="218",
        name="Website accessibility score (%)",
        directorate="S&P",
        service="Communications",
        level=Level.CORPORATE,
        description="How accessible the council's website is to disabled people.",
        definition="The council's accessibility score against WCAG 2.2 level AA in an "
        "independent monthly index of UK council websites, for the last month of the quarter.",
        calculation="Score as published by the index (0 to 100).",
        rationale="Replaces KPI 189; the council must meet the public sector accessibility "
        "regulations and residents increasingly rely on online services.",
        data_source="Independent website quality index (monthly report)",
        benchmark="Independent index of UK council websites: county councils",
        priorities=(3, 6),
        added=SRP_JUNE_2022,
        baseline=82,
        target=90,
    ),
    KpiSpec(
        reference="223",
        name="KPI values submitted and signed off by the reporting deadline (%)",
        directorate="S&P",
        service="Governance and Performance",
        level=Level.OPERATIONAL,
        description="Timeliness of the quarterly performance reporting cycle.",
        definition="KPI values due for the quarter that were entered by the lead officer and "
        "signed off by the directorate approver by the deadline set by Governance and "
        "Performance.",
        calculation="Values signed off by the deadline divided by values due, times 100.",
        rationale="Late values delay committee packs and scrutiny.",
        data_source="Performance management system",
        indicator_type=Indicator.LEADING,
        perspective=Perspective.CORPORATE,
        numerator_label="Values signed off by the deadline",
        denominator_label="Values due",
        added=OPERATIONAL_2023,
        baseline=81,
        target=95,
    ),
    KpiSpec(
        reference="240",
        name="Residents satisfied with the way the council runs things (%)",
        directorate="S&P",
        service="Policy and Insight",
        level=Level.STRATEGIC,
        description="Overall satisfaction with the council, from the annual residents' survey.",
        definition="Respondents to the residents' survey who are very or fairly satisfied with "
        "the way Wessex County Council runs things.",
        calculation="Weighted satisfied responses divided by weighted responses, times 100.",
        rationale="A rounded measure of how residents experience the council's services.",
        data_source="Annual residents' survey",
        frequency=Frequency.ANNUAL,
        benchmark="LGA resident satisfaction polling (national comparison)",
        numerator_label="Satisfied respondents (weighted)",
        denominator_label="Respondents (weighted)",
        priorities=(6,),
        committees=("CSMI",),
        added=SKPIS_2024,
        long_term_target=65,
        long_term_target_year=2028,
        baseline=55,
        target=60,
    ),
    KpiSpec(
        reference="241",
        name="Working-age residents claiming out-of-work benefits (%)",
        directorate="S&P",
        service="Policy and Insight",
        level=Level.STRATEGIC,
        description="The claimant count rate, for context on the local labour market.",
        definition="Residents aged 16 to 64 claiming Jobseeker's Allowance or Universal Credit "
        "and required to seek work, in the last month of the quarter.",
        calculation="Published claimant count divided by the working-age population, times 100.",
        rationale="Gives context for poverty and the economy; largely outside the council's "
        "control, so there is no target.",
        data_source="ONS claimant count (Nomis)",
        direction=Direction.LOWER,
        metric_category=Category.CENTRAL_GOVERNMENT,
        target_kind=TargetKind.CONTEXTUAL,
        status=Status.CONTEXTUAL,
        benchmark="ONS claimant count: region and Great Britain",
        priorities=(5, 6),
        committees=("CSMI",),
        added=SKPIS_2024,
        baseline=2.6,
    ),
    KpiSpec(
        reference="242",
        name="Households given crisis support through the local welfare assistance scheme",
        directorate="S&P",
        service="Communities and Partnerships",
        level=Level.STRATEGIC,
        description="Demand for emergency help with food, fuel and essential household items.",
        definition="Households awarded at least one grant or voucher from the local welfare "
        "assistance scheme in the financial year to date.",
        calculation="Count of distinct households with an award, year to date.",
        rationale="Shows the level of financial hardship; tracked without a target because "
        "demand depends on need and national funding.",
        data_source="Local welfare assistance case management system",
        unit=Unit.COUNT,
        direction=Direction.LOWER,
        value_basis=Basis.YEAR_TO_DATE,
        target_kind=TargetKind.CONTEXTUAL,
        status=Status.CONTEXTUAL,
        priorities=(5,),
        committees=("CSMI",),
        added=SKPIS_2024,
        baseline=6_300,
    ),
    KpiSpec(
        reference="252",
        name="Residents who feel they can influence decisions affecting their local area (%)",
        directorate="S&P",
        service="Communities and Partnerships",
        level=Level.STRATEGIC,
        description="Whether residents feel heard, from the residents' survey.",
        definition="Respondents who definitely or tend to agree that they can influence "
        "decisions affecting their local area.",
        calculation="Weighted agreeing responses divided by weighted responses, times 100.",
        rationale="Tracks the council's commitment to work closer to communities; the question "
        "joins the residents' survey from 2026.",
        data_source="Annual residents' survey (from 2026)",
        in_information_asset_register=False,
        frequency=Frequency.ANNUAL,
        benchmark="DCMS Community Life Survey (England)",
        priorities=(6,),
        committees=("CSMI",),
        status=Status.IN_DEVELOPMENT,
        added=SRP_SEPTEMBER_2025,
    ),
)


# --------------------------------------------------------------------------------------------
# Derived data
# --------------------------------------------------------------------------------------------


def memberships_for(spec: KpiSpec) -> list[MembershipSpec]:
    """The committee KPI sets a KPI is (or was) in.

    Every strategic and corporate KPI is in the strategic committee's set (strategic KPIs from
    the day the 2024 strategic KPIs were adopted); every corporate KPI is in the audit
    committee's set from the day that committee chose to review them; and each KPI is in the
    sets of the policy and service committees it names. A retired KPI's memberships end on the
    day it was removed; a set it would have joined after that day is skipped.
    """
    added = spec.added or REGISTER_2021
    wanted: list[tuple[str, Decision]] = []
    if spec.level == Level.STRATEGIC:
        wanted.append(("SRP", _later(added, SKPIS_2024)))
    elif spec.level == Level.CORPORATE:
        wanted.append(("SRP", added))
        wanted.append(("AA", _later(added, AA_MAY_2022)))
    wanted.extend((committee, added) for committee in spec.committees)

    memberships = []
    for committee, start in wanted:
        if spec.removed and start.on > spec.removed.on:
            continue
        memberships.append(
            MembershipSpec(
                committee=committee,
                started_on=start.on,
                decision=start.text,
                ended_on=spec.removed.on if spec.removed else None,
                end_decision=spec.removed.text if spec.removed else "",
            )
        )
    return memberships


def _later(first: Decision, second: Decision) -> Decision:
    return second if second.on > first.on else first


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, action: str) -> None:
        setattr(self, action, getattr(self, action) + 1)


@dataclass
class DemoSummary:
    """What a load did, model by model, in the order the models were loaded."""

    tallies: dict[str, Tally] = field(default_factory=dict)

    def tally(self, label: str) -> Tally:
        return self.tallies.setdefault(label, Tally())

    def lines(self) -> list[str]:
        return [
            f"{label}: {t.total} ({t.created} created, {t.updated} updated, "
            f"{t.unchanged} unchanged)"
            for label, t in self.tallies.items()
        ]


# Sent by `manage.py load_demo` after the register's demo is written, with `today`, so that apps
# above the register (committees, reports) add their part of the story without kpis importing
# them. Receivers return an object with a `lines()` summary.
demo_loaded = Signal()


def load_demo(*, today: datetime.date | None = None) -> DemoSummary:
    """Write the demo council and its reporting history as seen from `today` (default: the
    council's local date). Safe to run again: it only saves what differs.

    The reporting calendar moves with the date: run again the same day and nothing changes; run
    on a later day and periods that have ended since are added, opened or locked, and the new
    periods' values written. Values already stored are never changed.
    """
    today = today or timezone.localdate()
    summary = DemoSummary()
    with transaction.atomic():
        priorities = _load_priorities(summary.tally("Priorities"))
        directorates = _load_directorates(summary.tally("Directorates"))
        services = _load_services(directorates, summary.tally("Services"))
        committees = _load_committees(summary.tally("Committees"))
        users = _load_users(directorates, summary.tally("Users"))
        kpis = _load_kpis(directorates, services, priorities, users, summary.tally("KPIs"))
        _load_memberships(kpis, committees, summary.tally("Committee memberships"))
        _load_reporting(kpis, users, today, summary)
    return summary


def _save_if_changed(queryset: models.QuerySet, values: dict) -> tuple[models.Model, str]:
    """Find the row, or make it; save (after full_clean) only if it is new or differs.

    `values` holds every field the demo sets, natural key included. Saving only on a difference
    keeps a second run from writing a history record for an unchanged row.
    """
    obj = queryset.first()
    if obj is None:
        obj = queryset.model(**values)
        action = "created"
    else:
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        if not changed:
            return obj, "unchanged"
        for name in changed:
            setattr(obj, name, values[name])
        action = "updated"
    obj._change_reason = CHANGE_REASON
    obj.full_clean()
    obj.save()
    return obj, action


def _differs(obj: models.Model, name: str, value) -> bool:
    model_field = obj._meta.get_field(name)
    if model_field.many_to_one:
        return getattr(obj, model_field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _sync_m2m(manager, wanted: list[models.Model]) -> bool:
    """Make a many-to-many set exactly `wanted`; touch it (and its history) only if it differs."""
    if set(manager.values_list("pk", flat=True)) == {obj.pk for obj in wanted}:
        return False
    manager.set(wanted)
    return True


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _load_priorities(tally: Tally) -> dict[int, Priority]:
    loaded = {}
    for spec in PRIORITIES:
        obj, action = _save_if_changed(
            Priority.objects.filter(number=spec.number),
            {
                "number": spec.number,
                "name": spec.name,
                "description": spec.description,
                "is_active": True,
            },
        )
        tally.add(action)
        loaded[spec.number] = obj
    return loaded


def _load_directorates(tally: Tally) -> dict[str, Directorate]:
    loaded = {}
    for spec in DIRECTORATES:
        obj, action = _save_if_changed(
            Directorate.objects.filter(short_name=spec.short_name),
            {"short_name": spec.short_name, "name": spec.name, "is_active": True},
        )
        tally.add(action)
        loaded[spec.short_name] = obj
    return loaded


def _load_services(
    directorates: dict[str, Directorate], tally: Tally
) -> dict[tuple[str, str], Service]:
    loaded = {}
    for spec in DIRECTORATES:
        directorate = directorates[spec.short_name]
        for name in spec.services:
            obj, action = _save_if_changed(
                Service.objects.filter(directorate=directorate, name=name),
                {"directorate": directorate, "name": name, "is_active": True},
            )
            tally.add(action)
            loaded[(spec.short_name, name)] = obj
    return loaded


def _load_committees(tally: Tally) -> dict[str, Committee]:
    loaded = {}
    for spec in COMMITTEES:
        obj, action = _save_if_changed(
            Committee.objects.filter(short_name=spec.short_name),
            {
                "short_name": spec.short_name,
                "name": spec.name,
                "kind": spec.kind,
                "remit": spec.remit,
                "is_active": True,
            },
        )
        tally.add(action)
        loaded[spec.short_name] = obj
    return loaded


class _DemoPasswordHash:
    """One hash of the demo password, shared by every demo user, and checked once per hash.

    The production hasher takes about 0.4 s a time on purpose; hashing (or checking) fifteen
    passwords would make every `load_demo` cost six seconds. The demo password is public, so a
    shared salt gives nothing away.
    """

    def __init__(self) -> None:
        self._encoded: str | None = None
        self._checked: dict[str, bool] = {}

    def holds(self, encoded: str) -> bool:
        if encoded not in self._checked:
            self._checked[encoded] = check_password(DEMO_PASSWORD, encoded)
        return self._checked[encoded]

    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(DEMO_PASSWORD)
            self._checked[self._encoded] = True
        return self._encoded


def _load_users(directorates: dict[str, Directorate], tally: Tally) -> dict[str, User]:
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    missing = set(Role.values) - set(groups)
    if missing:
        raise RuntimeError(f"Role groups missing (run migrate first): {sorted(missing)}")

    loaded = {}
    passwords = _DemoPasswordHash()
    for spec in USERS:
        values = {
            "username": spec.username,
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": spec.email,
            "job_title": spec.job_title,
            "is_active": True,
            "is_staff": False,
            "is_superuser": False,
        }
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(**values)
            action = "created"
        else:
            changed = [name for name, value in values.items() if getattr(user, name) != value]
            for name in changed:
                setattr(user, name, values[name])
            action = "updated" if changed else "unchanged"
        if action == "created" or not passwords.holds(user.password):
            validate_password(DEMO_PASSWORD, user)
            user.password = passwords.encoded()
            action = action if action == "created" else "updated"
        if action != "unchanged":
            user.full_clean()
            user.save()

        if _sync_m2m(user.groups, [groups[spec.role.value]]) and action == "unchanged":
            action = "updated"
        for short_name in spec.approves_for:
            approvers = directorates[short_name].approvers
            if not approvers.filter(pk=user.pk).exists():
                approvers.add(user)
                action = "updated" if action == "unchanged" else action
        tally.add(action)
        loaded[spec.username] = user
    return loaded


def _load_kpis(
    directorates: dict[str, Directorate],
    services: dict[tuple[str, str], Service],
    priorities: dict[int, Priority],
    users: dict[str, User],
    tally: Tally,
) -> dict[str, Kpi]:
    loaded = {}
    for spec in KPIS:
        added = spec.added or REGISTER_2021
        values = {
            "reference": spec.reference,
            "name": spec.name,
            "description": spec.description,
            "definition": spec.definition,
            "calculation": spec.calculation,
            "rationale": spec.rationale,
            "data_source": spec.data_source,
            "in_information_asset_register": spec.in_information_asset_register,
            "directorate": directorates[spec.directorate],
            "service": services[(spec.directorate, spec.service)],
            "lead_officer": users[spec.lead or DEFAULT_LEAD[spec.directorate]],
            "level": spec.level,
            "perspective": spec.perspective,
            "metric_category": spec.metric_category,
            "frequency": spec.frequency,
            "unit": spec.unit,
            "direction": spec.direction,
            "value_basis": spec.value_basis,
            "indicator_type": spec.indicator_type,
            "is_financial": spec.is_financial,
            "target_kind": spec.target_kind,
            "long_term_target": _decimal(spec.long_term_target),
            "long_term_target_year": spec.long_term_target_year,
            "benchmark": spec.benchmark,
            # HDC style for the KPIs with an intervention level: Amber down to it, Red beyond.
            "rag_use_intervention_levels": True if spec.reference in INTERVENTION_LEVELS else None,
            "numerator_label": spec.numerator_label,
            "denominator_label": spec.denominator_label,
            "status": spec.status,
            "status_reason": spec.status_reason,
            "date_added": added.on,
            "added_by_decision": added.text,
            "date_removed": spec.removed.on if spec.removed else None,
            "removed_by_decision": spec.removed.text if spec.removed else "",
        }
        kpi, action = _save_if_changed(Kpi.objects.filter(reference=spec.reference), values)
        kpi._change_reason = CHANGE_REASON
        wanted = [priorities[number] for number in spec.priorities]
        if _sync_m2m(kpi.priorities, wanted) and action == "unchanged":
            action = "updated"
        tally.add(action)
        loaded[spec.reference] = kpi
    return loaded


def _load_memberships(kpis: dict[str, Kpi], committees: dict[str, Committee], tally: Tally) -> None:
    for spec in KPIS:
        kpi = kpis[spec.reference]
        for membership in memberships_for(spec):
            committee = committees[membership.committee]
            existing = CommitteeMembership.objects.filter(kpi=kpi, committee=committee)
            if membership.ended_on is None:
                found = existing.filter(ended_on__isnull=True)
            else:
                # An ended membership is found by its start; failing that, it is the open one
                # that has now ended.
                found = existing.filter(started_on=membership.started_on)
                if not found.exists():
                    found = existing.filter(ended_on__isnull=True)
            _, action = _save_if_changed(
                found,
                {
                    "kpi": kpi,
                    "committee": committee,
                    "started_on": membership.started_on,
                    "ended_on": membership.ended_on,
                    "decision": membership.decision,
                    "end_decision": membership.end_decision,
                },
            )
            tally.add(action)


# --------------------------------------------------------------------------------------------
# Reporting history: periods, targets and each period's values
# --------------------------------------------------------------------------------------------

HISTORY_REASON = "Demo history"
HISTORY_YEARS = 3  # whole financial years of history before the current one
TARGET_BASE_YEAR = 2024  # `KpiSpec.target` is the 2024-25 target; later years step on from it
MISSING = "missing"  # in OPEN_PERIOD_PLAN: nothing entered yet

PeriodKey = tuple[str, int, int]  # (kind, financial year, number)
PeriodState = ReportingPeriod.State
ValueStatus = Measurement.Status


class Story(StrEnum):
    """How a KPI's values move over the demo's years, so each warning sign has an example."""

    STEADY = "steady"  # from its baseline towards target, either side of it now and then
    IMPROVING = "improving"  # Red at the start of the history, Green by the end
    RED = "red"  # Red period after period (a little better, never enough): a deep-dive candidate
    DECLINING = "declining"  # Green, but worse every period for the last year or so
    SEASONAL = "seasonal"  # worse every winter, better every summer


STORIES: dict[str, Story] = {
    "161": Story.RED,  # budget savings delivered
    "183": Story.RED,  # subject access requests in time
    "222": Story.RED,  # adult social care assessments waiting
    "109": Story.DECLINING,  # care home beds rated Good or Outstanding
    "163": Story.DECLINING,  # sickness absence
    "219": Story.DECLINING,  # foster carer households
    "101": Story.IMPROVING,
    "120": Story.IMPROVING,
    "182": Story.IMPROVING,
    "218": Story.IMPROVING,
    "221": Story.IMPROVING,
    "238": Story.IMPROVING,
    "102": Story.SEASONAL,  # reablement: winter discharges
    "145": Story.SEASONAL,  # library visits: the summer reading challenge
    "146": Story.SEASONAL,  # potholes: freeze and thaw
    "220": Story.SEASONAL,  # people in hospital who no longer need to be there: winter
}

# Performance against target by calendar month for seasonal stories (+ better, − worse).
SEASON = {4: 0.02, 5: 0.03, 6: 0.03, 7: 0.04, 8: 0.05, 9: 0.02, 10: 0.0, 11: -0.03, 12: -0.07}
SEASON |= {1: -0.10, 2: -0.08, 3: -0.03}
SEASON_STRENGTH = 1.5

# Typical size of the denominator in one period (and its decimal places) for the KPIs that
# define a numerator and a denominator; the value is then worked out from the two.
DENOMINATORS: dict[str, tuple[float, int]] = {
    "101": (4200, 0),
    "102": (310, 0),
    "106": (1650, 0),
    "108": (380, 0),
    "109": (5800, 0),
    "110": (260, 0),
    "120": (1100, 0),
    "123": (14500, 0),
    "124": (6800, 0),
    "125": (820, 0),
    "231": (7800, 0),
    "232": (8100, 0),
    "160": (9500, 0),
    "161": (18_500_000, 0),
    "165": (5200, 0),
    "166": (610, 0),
    "167": (1400, 0),
    "234": (145_000_000, 0),
    "235": (210, 0),
    "236": (78_000_000, 0),
    "140": (310_000, 0),
    "144": (820.5, 1),
    "146": (2300, 0),
    "147": (24, 0),
    "151": (48_000, 0),
    "152": (14, 0),
    "182": (1800, 0),
    "183": (420, 0),
    "184": (5200, 0),
    "185": (45, 0),
    "186": (380, 0),
    "223": (62, 0),
    "240": (2100, 0),
}
# Year-to-date KPIs whose denominator is the whole year's figure rather than the year so far.
WHOLE_YEAR_DENOMINATORS = {"234"}

# KPIs in development have no 2023-24 baseline: their first figures start here.
FIRST_VALUES: dict[str, float] = {"250": 2_400_000, "251": 16.2, "252": 24}

# HDC-style intervention levels: worse than target but no worse than this is Amber.
INTERVENTION_LEVELS: dict[str, float] = {"146": 88, "151": 75, "165": 82, "186": 88}


@dataclass(frozen=True)
class NotAvailable:
    """The one value that could not be produced, `periods_back` periods before the open one."""

    reference: str
    periods_back: int
    reason: str


NOT_AVAILABLE = NotAvailable(
    "151",
    5,
    "The operators' real-time bus data feed failed for most of the quarter after a ticket "
    "machine upgrade; too few journeys were tracked to give a reliable figure. The feed was "
    "restored and checked before the next quarter began.",
)

# The open period: who has done what so far (KPIs not named here have entered nothing).
# The `officer` user's own KPIs (Place and Sustainability) make "My KPIs" interesting, and
# officer6's submissions wait for the `approver` user.
OPEN_PERIOD_PLAN: dict[str, str] = {
    # Place and Sustainability: `officer`
    "140": MISSING,
    "145": MISSING,
    "239": MISSING,
    "147": ValueStatus.DRAFT,
    "238": ValueStatus.RETURNED,
    # Place and Sustainability: officer6
    "143": ValueStatus.SUBMITTED,
    "146": ValueStatus.SUBMITTED,
    "151": ValueStatus.SUBMITTED,
    "221": ValueStatus.SUBMITTED,
    "152": ValueStatus.APPROVED,
    "237": ValueStatus.DRAFT,
    # Adults, Health and Commissioning
    "101": ValueStatus.SUBMITTED,
    "102": ValueStatus.APPROVED,
    "103": MISSING,
    "106": ValueStatus.DRAFT,
    "108": ValueStatus.APPROVED,
    "109": MISSING,
    "110": ValueStatus.SUBMITTED,
    "220": ValueStatus.DRAFT,
    "222": MISSING,
    # Children, Education and Families
    "120": ValueStatus.APPROVED,
    "121": MISSING,
    "122": MISSING,
    "123": ValueStatus.SUBMITTED,
    "124": ValueStatus.DRAFT,
    "125": ValueStatus.RETURNED,
    "126": ValueStatus.DRAFT,
    "219": ValueStatus.APPROVED,
    # Finance and Resources
    "160": ValueStatus.APPROVED,
    "161": ValueStatus.DRAFT,
    "162": MISSING,
    "163": ValueStatus.SUBMITTED,
    "165": MISSING,
    "166": ValueStatus.SUBMITTED,
    "169": ValueStatus.DRAFT,
    "234": MISSING,
    "235": ValueStatus.APPROVED,
    "236": MISSING,
    "250": ValueStatus.DRAFT,
    # Strategy and Partnerships
    "182": ValueStatus.APPROVED,
    "183": ValueStatus.SUBMITTED,
    "184": MISSING,
    "185": ValueStatus.APPROVED,
    "186": ValueStatus.DRAFT,
    "217": ValueStatus.SUBMITTED,
    "218": MISSING,
    "223": MISSING,
    "241": ValueStatus.DRAFT,
    "242": ValueStatus.SUBMITTED,
}

# Words for commentary and action plans. `{soon}` and `{by}` are dates after the period ends,
# `{back}` the period by which the KPI should be back within tolerance.
_DRIVERS = {
    "AHC": (
        "The new hospital discharge pathway is now embedded in all three acute trusts.",
        "Additional reviewing officers funded by the Better Care Fund are in post.",
        "Joint work with the integrated care board on discharge planning is paying off.",
    ),
    "CEF": (
        "Caseloads are back to the level set in the workforce plan.",
        "The multi-agency safeguarding hub is working as designed.",
        "Early help partners in schools are referring families earlier.",
    ),
    "F&R": (
        "Automated workflows introduced last year continue to help.",
        "Directorates now own their figures and check them monthly.",
        "Monthly budget challenge sessions kept delivery on track.",
    ),
    "P&S": (
        "The new term contract is delivering what was agreed.",
        "Government grant funding is now showing results on the ground.",
        "Joint work with the district councils is paying off.",
    ),
    "S&P": (
        "The case management system gives managers a clear view of every deadline.",
        "Weekly tracking meetings are keeping work on schedule.",
        "Training for services last year has cut rework.",
    ),
}
_CAUSES = {
    "AHC": (
        "Referrals from the acute hospitals stayed high throughout the period.",
        "Vacancies in the locality social work teams slowed progress.",
        "Care market capacity in the south of the county remains tight.",
    ),
    "CEF": (
        "Demand rose sharply after the start of the school term.",
        "Educational psychology capacity remains the main constraint.",
        "Two experienced team managers left during the period.",
    ),
    "F&R": (
        "The new finance system went live and some processes are still bedding in.",
        "Recruitment to key posts took longer than planned.",
        "Pressures in children's services and home-to-school transport offset other gains.",
    ),
    "P&S": (
        "Wet weather held up work across the county.",
        "Contractor capacity was stretched for most of the period.",
        "Supplier price rises reduced what the budget could buy.",
    ),
    "S&P": (
        "The team carried two vacancies for most of the period.",
        "A rise in complex cases took more officer time.",
        "Staff were redeployed to support an election.",
    ),
}
_PLANS = {
    "AHC": (
        "Two additional officers funded until {by}, working the oldest cases first; weekly "
        "tracking at the directorate management team. Expected back within tolerance by {back}.",
        "Each locality manager to agree a recovery trajectory by {soon}; the Head of Service "
        "reviews progress fortnightly. Expected back within tolerance by {back}.",
        "Discharge-to-assess pilot with the integrated care board in the two largest hospitals "
        "from {soon} to {by}, evaluated at the directorate management team.",
    ),
    "CEF": (
        "Service manager to review every case over the threshold by {soon}; agency capacity "
        "funded until {by}. Expected back within tolerance by {back}.",
        "Recruitment to two senior practitioner posts closes on {soon}; meanwhile cases are "
        "prioritised weekly by risk. Progress reviewed at the directorate management team on "
        "{by}.",
        "Multi-agency practice review to report by {soon}, with changes in place by {by}; the "
        "lead member is briefed monthly.",
    ),
    "F&R": (
        "Process review with the finance business partners to finish by {soon}; system fixes "
        "released by {by}. Expected back within tolerance by {back}.",
        "Each directorate has a named lead and a monthly figure to hit; exceptions go to the "
        "budget challenge meeting on {soon}. Expected back within tolerance by {back}.",
        "Weekly checkpoints with the three services furthest off target until {by}; escalation "
        "to the Corporate Leadership Team if there is no improvement by {soon}.",
    ),
    "P&S": (
        "Extra contractor capacity until {by}, prioritising the worst-affected areas; progress "
        "reviewed fortnightly by the Head of Service. Expected back within tolerance by {back}.",
        "Contract performance meeting on {soon} to agree a recovery plan with the provider; "
        "service credits applied where standards were missed. Expected back within tolerance "
        "by {back}.",
        "Programme board to re-plan the work by {soon} and confirm funding by {by}; the lead "
        "member is updated monthly.",
    ),
    "S&P": (
        "Temporary officer in post until {by} to clear the oldest cases; weekly deadline "
        "tracking with each directorate. Expected back within tolerance by {back}.",
        "Reminders and escalation to directors three days before each deadline from {soon}; "
        "compliance reported to the Corporate Leadership Team monthly. Expected back within "
        "tolerance by {back}.",
        "Refresher training for service contacts by {soon} and updated guidance; position "
        "reviewed at the directorate management team on {by}.",
    ),
}
# The deep-dive candidates have their own recovery plans.
_RED_PLANS = {
    "161": "Every undelivered saving has a named director and a replacement proposal, "
    "reviewed by the Section 151 Officer at the monthly budget challenge. Replacement savings "
    "to be agreed by {by} and reported to Strategy, Resources and Performance Committee.",
    "183": "Recovery plan agreed by the Corporate Leadership Team: two temporary disclosure "
    "officers in post until {by}, redaction software in use from {soon}, oldest requests "
    "cleared first. Progress reported to Audit and Accounts Committee each quarter.",
    "222": "Waiting list recovery: a dedicated assessment team of six social workers taking "
    "the longest waits first, and trusted assessors in the discharge hubs from {soon}. Aim: "
    "fewer than 300 waiting by {by}; weekly report to the directorate management team.",
}
_RETURN_REASONS = (
    "The commentary still describes last period. Please update it for {label} and resubmit.",
    "This does not match the figure in the statutory return. Please check the numerator and "
    "denominator and resubmit.",
)
_RETURN_FOR_PLAN = (
    "The action plan needs dates and an owner: say who will do what by when, then resubmit."
)
_VAGUE_PLAN = "The team will look at ways to improve this."


@dataclass(frozen=True)
class DemoCalendar:
    """The demo's reporting calendar seen from `today`: what is locked, open and to come.

    Periods run from the financial year `HISTORY_YEARS` before today's up to today's. The month
    and the quarter that ended most recently are open; every earlier month, quarter and year
    is locked; the rest are not open yet.
    """

    today: datetime.date

    @property
    def current_year(self) -> int:
        return financial_year_of(self.today)

    @property
    def first_year(self) -> int:
        return self.current_year - HISTORY_YEARS

    @cached_property
    def specs(self) -> list[PeriodSpec]:
        years = range(self.first_year, self.current_year + 1)
        return [spec for year in years for spec in periods_of_year(year)]

    @cached_property
    def open_keys(self) -> dict[str, PeriodKey]:
        """The open month and quarter by kind (a year is never left open)."""
        latest: dict[str, PeriodSpec] = {}
        for spec in self.specs:
            if spec.kind == "year" or spec.ends_on >= self.today:
                continue
            if spec.kind not in latest or spec.ends_on > latest[spec.kind].ends_on:
                latest[spec.kind] = spec
        return {kind: _key(spec) for kind, spec in latest.items()}

    def is_open(self, key: PeriodKey) -> bool:
        return self.open_keys.get(key[0]) == key

    def plan(self, spec: PeriodSpec) -> tuple[str, datetime.date | None, datetime.date | None]:
        """The state and the submission and sign-off deadlines a period should have."""
        day = datetime.timedelta(days=1)
        if self.is_open(_key(spec)):
            if spec.kind == "quarter":
                return PeriodState.OPEN, self.today + 7 * day, self.today + 14 * day
            # The month's submission deadline has just passed: its late values are overdue.
            return (
                PeriodState.OPEN,
                max(spec.ends_on + day, self.today - 2 * day),
                self.today + 5 * day,
            )
        if spec.ends_on < self.today:
            return PeriodState.LOCKED, spec.ends_on + 21 * day, spec.ends_on + 28 * day
        return PeriodState.NOT_OPEN, None, None

    def reached(self, spec: PeriodSpec, state: str) -> datetime.date:
        """When a period got to its planned state: the year's calendar is set up in March,
        a period opens a few days after it ends and is locked a week after sign-off."""
        if state == PeriodState.LOCKED:
            return min(spec.ends_on + datetime.timedelta(days=35), self.today)
        if state == PeriodState.OPEN:
            return min(spec.ends_on + datetime.timedelta(days=3), self.today)
        return datetime.date(spec.financial_year, 3, 1)

    def horizon(self, kind: str) -> datetime.date:
        """Where each KPI's story ends: the start of the open period (or of this year)."""
        key = self.open_keys.get(kind, ("year", self.current_year, 1))
        return period_spec(*key).starts_on


def _key(spec: PeriodSpec | ReportingPeriod) -> PeriodKey:
    return (spec.kind, spec.financial_year, spec.number)


def _rng(seed: str) -> random.Random:
    """A generator seeded from text (crc32, not Python's salted hash) so every run agrees."""
    return random.Random(zlib.crc32(seed.encode()))


def _has_targets(spec: KpiSpec) -> bool:
    return (
        spec.target is not None
        and spec.target_kind != TargetKind.CONTEXTUAL
        and spec.status != Status.CONTEXTUAL
    )


def _is_cumulative(spec: KpiSpec) -> bool:
    """A year-to-date total (not a year-to-date percentage) builds up through the year."""
    return spec.value_basis == Basis.YEAR_TO_DATE and spec.unit != Unit.PERCENT


def _year_fraction(kind: str, number: int) -> float:
    return {"month": number / 12, "quarter": number / 4}.get(kind, 1.0)


_PLACES = {
    Unit.PERCENT: 1,
    Unit.COUNT: 0,
    Unit.MONEY: 2,
    Unit.DAYS: 1,
    Unit.WEEKS: 1,
    Unit.RATE_PER_1000: 1,
    Unit.RATE_PER_10000: 1,
    Unit.RATE_PER_100000: 1,
    Unit.SCORE: 1,
    Unit.RATIO: 2,
}


def _round(number: float, places: int) -> Decimal:
    return Decimal(str(round(number, places))).quantize(Decimal(1).scaleb(-places))


def _round_target(spec: KpiSpec, number: float) -> Decimal:
    if spec.unit == Unit.MONEY:
        return _round(number, -3).quantize(Decimal(1))
    if spec.unit == Unit.COUNT:
        return _round(number, -2 if abs(number) >= 10_000 else 0).quantize(Decimal(1))
    return _round(number, _PLACES[spec.unit])


def annual_target(spec: KpiSpec, financial_year: int) -> Decimal:
    """The spec's target up to 2024-25, then a straight line to the long-term target."""
    target = spec.target
    long_term, by = spec.long_term_target, spec.long_term_target_year
    if long_term is not None and by and financial_year > TARGET_BASE_YEAR:
        share = min(1.0, (financial_year - TARGET_BASE_YEAR) / max(1, by - TARGET_BASE_YEAR))
        target += (long_term - target) * share
    return _round_target(spec, target)


def _show(unit: str, value: Decimal, *, whole: bool = False) -> str:
    """A value as it reads in commentary: 61.2%, 1,234, £9,800,000.00, 8.5 days …"""
    places = 0 if whole and value == value.to_integral_value() else _PLACES.get(unit, 1)
    number = f"{value:,.{places}f}"
    suffix = {
        Unit.PERCENT: "%",
        Unit.DAYS: " days",
        Unit.WEEKS: " weeks",
        Unit.RATE_PER_1000: " per 1,000",
        Unit.RATE_PER_10000: " per 10,000",
        Unit.RATE_PER_100000: " per 100,000",
    }.get(unit, "")
    return f"£{number}" if unit == Unit.MONEY else f"{number}{suffix}"


def _label(key: PeriodKey) -> str:
    spec = period_spec(*key)
    return ReportingPeriod(
        kind=spec.kind,
        financial_year=spec.financial_year,
        number=spec.number,
        starts_on=spec.starts_on,
    ).label


def _shift(key: PeriodKey, steps: int) -> PeriodKey:
    kind, year, number = key
    per_year = {"month": 12, "quarter": 4}.get(kind, 1)
    index = year * per_year + number - 1 + steps
    return (kind, index // per_year, index % per_year + 1)


def _season_of(period: ReportingPeriod) -> str:
    """Winter (December to February), summer (June to September) or neither ("") by the
    period's middle month; years have no season."""
    if period.kind == "year":
        return ""
    middle = (period.starts_on + (period.ends_on - period.starts_on) / 2).month
    return "winter" if middle in (12, 1, 2) else "summer" if 6 <= middle <= 9 else ""


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _month_end_after(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    first = datetime.date(day.year + month // 12, month % 12 + 1, 1)
    following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _moment(
    day: datetime.date, rng: random.Random, *, not_after: datetime.datetime | None = None
) -> datetime.datetime:
    """A working-hours moment on `day` in the council's time zone (never after `not_after`)."""
    naive = datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59)))
    moment = timezone.make_aware(naive)
    return min(moment, not_after) if not_after is not None else moment


def _load_reporting(
    kpis: dict[str, Kpi], users: dict[str, User], today: datetime.date, summary: DemoSummary
) -> None:
    calendar = DemoCalendar(today)
    periods = _load_periods(calendar, users["gp"], summary.tally("Reporting periods"))
    targets = _load_targets(calendar, kpis, periods, users["gp"], summary.tally("Targets"))
    _load_values(calendar, kpis, periods, targets, users, summary.tally("Values"))


def _load_periods(
    calendar: DemoCalendar, gp: User, tally: Tally
) -> dict[PeriodKey, ReportingPeriod]:
    """Create the calendar's periods; move an existing one on only as time moves on.

    A period is opened or locked when the calendar says so and it is still behind (not open →
    open or locked, open → locked); a period G&P has reopened, or anything the calendar would
    take backwards, is left alone.
    """
    existing = {
        _key(period): period
        for period in ReportingPeriod.objects.filter(
            financial_year__gte=calendar.first_year, financial_year__lte=calendar.current_year
        )
    }
    forward = {
        PeriodState.NOT_OPEN: {PeriodState.OPEN, PeriodState.LOCKED},
        PeriodState.OPEN: {PeriodState.LOCKED},
    }
    new = []
    for spec in calendar.specs:
        state, submission, signoff = calendar.plan(spec)
        period = existing.get(_key(spec))
        if period is None:
            period = ReportingPeriod(
                kind=spec.kind,
                financial_year=spec.financial_year,
                number=spec.number,
                starts_on=spec.starts_on,
                ends_on=spec.ends_on,
                state=state,
                submission_deadline=submission,
                signoff_deadline=signoff,
            )
            period._history_date = _moment(
                calendar.reached(spec, state), _rng(period.label), not_after=timezone.now()
            )
            new.append(period)
            tally.add("created")
        elif state in forward.get(period.state, ()):
            if state == PeriodState.OPEN:
                period.submission_deadline, period.signoff_deadline = submission, signoff
            period.state = state
            period._history_user = gp
            period._change_reason = "Opened for entry" if state == PeriodState.OPEN else "Locked"
            period.full_clean()
            period.save()
            tally.add("updated")
        else:
            tally.add("unchanged")
    bulk_create_with_history(
        new, ReportingPeriod, default_user=gp, default_change_reason=HISTORY_REASON
    )
    return {_key(period): period for period in [*existing.values(), *new]}


def _load_targets(
    calendar: DemoCalendar,
    kpis: dict[str, Kpi],
    periods: dict[PeriodKey, ReportingPeriod],
    gp: User,
    tally: Tally,
) -> dict[int, list[Target]]:
    """An annual target per KPI per year from the year it was adopted; quarterly ones too for
    year-to-date totals (a quarter of the year's target each quarter). Returns them by KPI."""
    kpi_ids = [kpi.pk for kpi in kpis.values()]
    existing = set(
        Target.objects.filter(kpi_id__in=kpi_ids).values_list(
            "kpi_id", "financial_year", "period_id"
        )
    )
    new = []
    for spec in KPIS:
        if not _has_targets(spec):
            continue
        kpi = kpis[spec.reference]
        first = max(calendar.first_year, financial_year_of((spec.added or REGISTER_2021).on))
        last = calendar.current_year
        if spec.removed:
            last = min(last, financial_year_of(spec.removed.on))
        for year in range(first, last + 1):
            value = annual_target(spec, year)
            intervention = INTERVENTION_LEVELS.get(spec.reference)
            note = "Agreed with the budget and business plan"
            if spec.long_term_target is not None and year > TARGET_BASE_YEAR:
                note = (
                    f"A step towards the long-term target of "
                    f"{_show(spec.unit, _decimal(spec.long_term_target), whole=True)} by "
                    f"{spec.long_term_target_year}"
                )
            wanted = [(None, value, note)]
            if _is_cumulative(spec):
                kind = FREQUENCY_TO_KIND[spec.frequency]
                for number in range(1, {"month": 12, "quarter": 4}.get(kind, 0) + 1):
                    share = _round_target(spec, float(value) * _year_fraction(kind, number))
                    wanted.append(
                        (periods[(kind, year, number)], share, "Profiled evenly through the year")
                    )
            for period, amount, text in wanted:
                if (kpi.pk, year, period.pk if period else None) in existing:
                    tally.add("unchanged")
                    continue
                target = Target(
                    kpi=kpi,
                    financial_year=year,
                    period=period,
                    value=amount,
                    intervention_level=_decimal(intervention) if period is None else None,
                    note=text,
                )
                target._history_date = _moment(
                    datetime.date(year, 3, 1),
                    _rng(f"target {spec.reference} {year}"),
                    not_after=timezone.now(),
                )
                new.append(target)
                tally.add("created")
    bulk_create_with_history(new, Target, default_user=gp, default_change_reason=HISTORY_REASON)
    by_kpi: dict[int, list[Target]] = {}
    for target in Target.objects.filter(kpi_id__in=kpi_ids):
        by_kpi.setdefault(target.kpi_id, []).append(target)
    return by_kpi


@dataclass
class _Point:
    """One generated value, before it becomes a Measurement."""

    period: ReportingPeriod
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    not_available: bool
    target: Target | None
    rating: Rating
    red_run: int  # how many reported periods in a row, up to this one, were Red


class _Series:
    """A KPI's values over the demo's periods, following its story. Pure and deterministic:
    the same KPI, period and calendar always give the same value and words."""

    def __init__(
        self,
        spec: KpiSpec,
        kpi: Kpi,
        calendar: DemoCalendar,
        targets: list[Target],
        council: RagPolicy,
    ):
        self.spec, self.calendar, self.targets, self.council = spec, calendar, targets, council
        self.kind = FREQUENCY_TO_KIND[spec.frequency]
        self.story = STORIES.get(spec.reference, Story.STEADY)
        self.sign = 1 if spec.direction == Direction.HIGHER else -1
        self.base = spec.baseline if spec.baseline is not None else FIRST_VALUES.get(spec.reference)
        # Values are rated as they were when entered: a KPI suspended or retired since was live.
        self.rated_as = kpi
        if kpi.status in (Status.SUSPENDED, Status.RETIRED):
            self.rated_as = copy.copy(kpi)
            self.rated_as.status = Status.LIVE
        rng = _rng(spec.reference)
        self.start, self.end, self.drift = 0.0, 0.0, 0.0
        if spec.target is not None:
            gap = self.sign * (self.base - spec.target) / abs(spec.target)
            r0 = max(-0.45, min(0.15, gap))
            if self.story == Story.IMPROVING:
                self.start, self.end = min(r0, -0.16), rng.uniform(0.01, 0.04)
            elif self.story == Story.RED:
                self.start = min(max(gap, -0.7), -0.18)
                self.end = min(self.start + 0.08, -0.14)
            elif self.story == Story.DECLINING:
                self.start, self.end = 0.14, 0.012
            elif self.story == Story.SEASONAL:
                self.start, self.end = max(r0, -0.08), rng.uniform(0.0, 0.03)
            else:
                # Most end on or near target; about one in six slips well off it.
                self.start = r0
                self.end = rng.choice((-0.13, -0.06, -0.02, 0.02, 0.04, 0.06)) + rng.uniform(
                    -0.01, 0.01
                )
        elif spec.status == Status.CONTEXTUAL:
            self.drift = rng.uniform(-0.12, 0.12)
        else:  # baseline or in development: being tracked, slowly getting better
            self.drift = self.sign * rng.uniform(0.05, 0.25)
        self.noise = {Story.DECLINING: 0.018, Story.RED: 0.02}.get(self.story, 0.025)
        if spec.value_basis != Basis.PERIOD or self.kind == "year":
            self.noise *= 0.6

    def eligible(self, period: ReportingPeriod) -> bool:
        """Whether the KPI has a value for this period at all."""
        spec = self.spec
        if spec.removed and period.ends_on > spec.removed.on:
            return False
        if spec.suspended_on and period.ends_on >= spec.suspended_on:
            return False
        if spec.status == Status.IN_DEVELOPMENT:  # data starts with the first period it covers
            return period.ends_on >= (spec.added or REGISTER_2021).on
        return True

    def _position(self, period: ReportingPeriod) -> float:
        start = datetime.date(self.calendar.first_year, 4, 1)
        span = (self.calendar.horizon(self.kind) - start).days or 1
        return max(0.0, min(1.0, (period.starts_on - start).days / span))

    def _season(self, period: ReportingPeriod) -> float:
        if self.story != Story.SEASONAL or self.kind == "year":
            return 0.0
        months = [(period.starts_on.month + i - 1) % 12 + 1 for i in range(3)]
        if self.kind == "month":
            months = months[:1]
        return SEASON_STRENGTH * sum(SEASON[month] for month in months) / len(months)

    def _performance(self, t: float, noise: float, season: float) -> float:
        """Performance against target (+ better, − worse, as a fraction of the target)."""
        if self.story == Story.IMPROVING:
            r = self.start + (self.end - self.start) * (3 * t * t - 2 * t * t * t)
        elif self.story == Story.DECLINING:
            r = self.start - (self.start - self.end) * max(0.0, (t - 0.6) / 0.4)
        else:
            r = self.start + (self.end - self.start) * t
        r += noise + season
        if self.story == Story.RED:
            r = min(r, -0.125)
        elif self.story == Story.DECLINING:
            r = max(r, 0.004)
        return r

    def points(self, periods: list[ReportingPeriod]) -> list[_Point]:
        spec, points = self.spec, []
        unavailable = None
        if spec.reference == NOT_AVAILABLE.reference and self.kind in self.calendar.open_keys:
            unavailable = _shift(self.calendar.open_keys[self.kind], -NOT_AVAILABLE.periods_back)
        red_run = 0
        for period in periods:
            rng = _rng(f"{spec.reference} {period.label}")
            t = self._position(period)
            noise = rng.gauss(0, self.noise)
            if spec.target is not None:
                r = self._performance(t, noise, self._season(period))
                level = self._target_line(period) * (1 + self.sign * r)
            else:
                level = self.base * (1 + self.drift * t + noise + self._season(period))
            value, numerator, denominator = self._value(level, period, rng)
            not_available = _key(period) == unavailable
            if not_available:
                value = numerator = denominator = None
            target = target_for(self.rated_as, period, self.targets)
            rated = rate_entry(
                self.rated_as, value, target, not_available=not_available, council=self.council
            )
            if rated.is_performance:
                red_run = red_run + 1 if rated == Rating.RED else 0
            points.append(
                _Point(period, value, numerator, denominator, not_available, target, rated, red_run)
            )
        return points

    def _target_line(self, period: ReportingPeriod) -> float:
        """The annual targets joined up at mid-year, so values move smoothly when a target
        steps up; the rating still uses the period's own target."""
        day = period.starts_on + (period.ends_on - period.starts_on) / 2
        year = financial_year_of(day)
        mid = datetime.date(year, 10, 1)
        other = year + 1 if day >= mid else year - 1
        share = abs((day - mid).days) / 365
        here, there = annual_target(self.spec, year), annual_target(self.spec, other)
        return float(here) + float(there - here) * share

    def _value(
        self, level: float, period: ReportingPeriod, rng: random.Random
    ) -> tuple[Decimal, Decimal | None, Decimal | None]:
        spec = self.spec
        if _is_cumulative(spec):
            level *= _year_fraction(period.kind, period.number)
        if spec.unit == Unit.PERCENT:
            if level > 98 and spec.target is not None and spec.target < 99:
                # A service aiming at 95% seldom reaches 100%: ease off towards 99.8%.
                level = 98 + 1.8 * (1 - math.exp(-(level - 98) / 1.8))
            level = max(0.0, min(100.0, level))
        level = max(0.0, level)
        value = _round(level, _PLACES[spec.unit])
        if spec.reference not in DENOMINATORS or spec.unit != Unit.PERCENT:
            return value, None, None
        size, places = DENOMINATORS[spec.reference]
        if spec.value_basis == Basis.YEAR_TO_DATE and spec.reference not in WHOLE_YEAR_DENOMINATORS:
            size *= _year_fraction(period.kind, period.number)
        denominator = max(_round(size * (1 + rng.gauss(0, 0.03)), places), Decimal(1))
        numerator = min(denominator, _round(float(value) / 100 * float(denominator), places))
        return _round(float(numerator / denominator) * 100, 1), numerator, denominator


class _Writer:
    """Commentary, action plans and notes in the voice of a council officer."""

    def __init__(self, spec: KpiSpec, series: _Series):
        self.spec, self.series = spec, series
        self.unit = spec.unit
        self.word = {"month": "month", "quarter": "quarter", "year": "year"}[series.kind]

    def commentary(self, point: _Point, previous: _Point | None, rng: random.Random) -> str:
        rated = point.rating
        if point.not_available:
            return (
                f"No figure for {point.period.label}: see the reason given. Monitoring is back "
                "to normal and the next figure is expected on time."
            )
        value = _show(self.unit, point.value)
        target = _show(self.unit, point.target.value, whole=True) if point.target else ""
        if rated == Rating.GREEN:
            head = rng.choice(
                (
                    f"{value} against a target of {target}: on target",
                    f"On target at {value} (target {target})",
                    f"{value}, meeting the target of {target}",
                )
            )
        elif rated == Rating.AMBER:
            head = rng.choice(
                (
                    f"{value} against a target of {target}: just off target, within 10%",
                    f"Just off target at {value} (target {target})",
                    f"{value}: close to the target of {target} but not there yet",
                )
            )
        elif rated == Rating.RED:
            head = rng.choice(
                (
                    f"{value} against a target of {target}: off target by more than 10%",
                    f"Off target at {value} (target {target})",
                    f"{value}, well off the target of {target}",
                )
            )
        else:
            head = value
        change = self._change(point, previous)
        first = f"{head}; {change}." if change else f"{head}."
        return f"{first} {self._second(point, previous, rng)}".strip()

    def _worse(self, point: _Point, previous: _Point | None) -> bool:
        if previous is None or previous.value is None or point.value is None:
            return False
        return self.series.sign * (point.value - previous.value) < 0

    def _change(self, point: _Point, previous: _Point | None) -> str:
        if previous is None or previous.value is None or point.value is None:
            return ""
        before = _show(self.unit, previous.value)
        when = previous.period.label
        if point.value == previous.value:
            return f"the same as {when}"
        if not point.rating.is_performance:
            return f"{'up' if point.value > previous.value else 'down'} from {before} in {when}"
        return f"{'worse' if self._worse(point, previous) else 'better'} than {when} ({before})"

    def _second(self, point: _Point, previous: _Point | None, rng: random.Random) -> str:
        spec, rated, story = self.spec, point.rating, self.series.story
        if point.period.ends_on < (spec.added or REGISTER_2021).on:
            return (
                "Baseline figure from before the KPI was adopted, loaded from the service's "
                "records."
            )
        if rated == Rating.CONTEXTUAL:
            return rng.choice(
                (
                    "Reported for context: there is no target, and the figure reflects demand "
                    "more than performance.",
                    "A contextual measure with no target; it helps read the related KPIs.",
                )
            )
        if rated == Rating.BASELINE:
            return rng.choice(
                (
                    "Still being tracked as a baseline: a target will be proposed once there "
                    "are two full years of data.",
                    "Baseline measure with no target yet; the trend so far will inform one.",
                )
            )
        if rated == Rating.IN_DEVELOPMENT:
            return (
                "Early figure from the new data collection; the method and a target are still "
                "being developed."
            )
        if rated == Rating.RED and point.red_run >= 3:
            return (
                f"Off target for {point.red_run} {self.word}s in a row: Strategy, Resources and "
                "Performance Committee has asked for a deep-dive review."
            )
        worse = self._worse(point, previous)
        if story == Story.DECLINING and rated == Rating.GREEN and worse:
            return "Still on target, but worse than a year ago; the service is looking into why."
        season = _season_of(point.period)
        if story == Story.SEASONAL and season == "winter" and (rated != Rating.GREEN or worse):
            return "The usual winter pressures: this period is always the hardest of the year."
        if story == Story.SEASONAL and season == "summer" and rated == Rating.GREEN:
            return "Summer is usually the strongest period of the year."
        if (
            story == Story.IMPROVING
            and rated == Rating.GREEN
            and previous is not None
            and previous.rating in (Rating.AMBER, Rating.RED)
        ):
            return "Back on target: the improvement plan agreed last year is working."
        pool = _DRIVERS if rated == Rating.GREEN else _CAUSES
        return rng.choice(pool[spec.directorate])

    def action_plan(self, point: _Point, rng: random.Random) -> str:
        if point.rating not in (Rating.AMBER, Rating.RED):
            return ""
        ends = point.period.ends_on
        words = {
            "soon": _long_date(_month_end_after(ends, 2)),
            "by": _long_date(_month_end_after(ends, 5)),
            "back": _label(_shift(_key(point.period), 2 if self.word != "year" else 1)),
        }
        plan = _RED_PLANS.get(self.spec.reference) if self.series.story == Story.RED else None
        return (plan or rng.choice(_PLANS[self.spec.directorate])).format(**words)

    def data_quality_note(self, point: _Point, rng: random.Random, *, recent: bool) -> str:
        spec = self.spec
        if point.period.ends_on < (spec.added or REGISTER_2021).on:
            return (
                "Loaded by Governance and Performance from the service's records "
                f"({spec.data_source})."
            )
        if recent and spec.metric_category == Category.CENTRAL_GOVERNMENT:
            return (
                "Provisional: the figure may change slightly when the national return is validated."
            )
        if rng.random() < 0.08:
            extracted = _long_date(point.period.ends_on + datetime.timedelta(days=7))
            return (
                f"Extracted on {extracted} ({spec.data_source}); late entries may change it "
                "slightly."
            )
        return ""


def _people(users: dict[str, User]) -> tuple[dict[str, User], dict[str, User]]:
    """Lead officers by KPI reference and approvers by directorate short name."""
    leads = {spec.reference: users[spec.lead or DEFAULT_LEAD[spec.directorate]] for spec in KPIS}
    approvers = {
        short_name: users[spec.username] for spec in USERS for short_name in spec.approves_for
    }
    return leads, approvers


def _load_values(
    calendar: DemoCalendar,
    kpis: dict[str, Kpi],
    periods: dict[PeriodKey, ReportingPeriod],
    targets: dict[int, list[Target]],
    users: dict[str, User],
    tally: Tally,
) -> None:
    """Every demo KPI's values for every ended period, and the open period's mix of states.

    Values already in the database are never touched: only missing (KPI, period) pairs are
    written, so a second run the same day adds nothing.
    """
    kpi_ids = [kpi.pk for kpi in kpis.values()]
    existing = set(
        Measurement.objects.filter(kpi_id__in=kpi_ids).values_list("kpi_id", "period_id")
    )
    leads, approvers = _people(users)
    gp = users["gp"]
    council = RagPolicy.current()
    now = timezone.now()
    by_kind: dict[str, list[ReportingPeriod]] = {}
    for key, period in sorted(periods.items(), key=lambda item: item[1].starts_on):
        if period.ends_on < calendar.today:  # ended: locked history or the open period
            by_kind.setdefault(key[0], []).append(period)
    new = []
    for spec in KPIS:
        kpi = kpis[spec.reference]
        if spec.baseline is None and spec.reference not in FIRST_VALUES:
            continue
        series = _Series(spec, kpi, calendar, targets.get(kpi.pk, []), council)
        writer = _Writer(spec, series)
        eligible = [p for p in by_kind.get(series.kind, []) if series.eligible(p)]
        points = series.points(eligible)
        by_key = {_key(point.period): point for point in points}
        lead, approver = leads[spec.reference], approvers[spec.directorate]
        for index, point in enumerate(points):
            if (kpi.pk, point.period.pk) in existing:
                tally.add("unchanged")
                continue
            key = _key(point.period)
            is_open = calendar.is_open(key)
            status = (
                OPEN_PERIOD_PLAN.get(spec.reference, MISSING) if is_open else ValueStatus.APPROVED
            )
            if status == MISSING:
                continue
            previous = None
            if _is_cumulative(spec):
                previous = by_key.get(_shift(key, -{"month": 12, "quarter": 4}.get(key[0], 1)))
            elif index:
                previous = points[index - 1]
            rng = _rng(f"words {spec.reference} {point.period.label}")
            measurement = Measurement(
                kpi=kpi,
                period=point.period,
                value=point.value,
                numerator=point.numerator,
                denominator=point.denominator,
                not_available=point.not_available,
                not_available_reason=NOT_AVAILABLE.reason if point.not_available else "",
                commentary=writer.commentary(point, previous, rng),
                action_plan=writer.action_plan(point, rng),
                data_quality_note=writer.data_quality_note(
                    point, rng, recent=index >= len(points) - 2
                ),
                status=status,
                rating=point.rating.value,
                version=1,
                entered_by=lead,
            )
            if point.period.ends_on < (spec.added or REGISTER_2021).on:
                _as_historic_load(measurement, spec, gp, rng, now)
            elif is_open:
                _as_open_value(measurement, point, approver, calendar, rng, now)
            else:
                submitted = _moment(
                    point.period.ends_on + datetime.timedelta(days=rng.randint(8, 20)),
                    rng,
                    not_after=now,
                )
                measurement.submitted_by, measurement.submitted_at = lead, submitted
                measurement.approved_by = approver
                measurement.approved_at = min(
                    submitted + datetime.timedelta(days=rng.randint(1, 7), hours=rng.randint(0, 3)),
                    now,
                )
                measurement._history_user = approver
                measurement._history_date = measurement.approved_at
            new.append(measurement)
            tally.add("created")
    bulk_create_with_history(
        new, Measurement, default_user=gp, default_change_reason=HISTORY_REASON
    )


def _as_historic_load(
    measurement: Measurement,
    spec: KpiSpec,
    gp: User,
    rng: random.Random,
    now: datetime.datetime,
) -> None:
    """Figures from before the KPI was adopted: loaded by G&P from the service's records."""
    loaded = _moment((spec.added or REGISTER_2021).on, rng, not_after=now)
    measurement.is_historic_load = True
    measurement.entered_by = measurement.approved_by = gp
    measurement.approved_at = loaded
    measurement._history_user, measurement._history_date = gp, loaded


def _as_open_value(
    measurement: Measurement,
    point: _Point,
    approver: User,
    calendar: DemoCalendar,
    rng: random.Random,
    now: datetime.datetime,
) -> None:
    """The open period: drafts, submissions waiting for sign-off, sign-offs and returns."""
    lead, status = measurement.entered_by, measurement.status
    entered = _moment(
        calendar.today - datetime.timedelta(days=rng.randint(4, 12)), rng, not_after=now
    )
    entered = min(
        max(entered, _moment(point.period.ends_on + datetime.timedelta(days=1), rng)), now
    )
    measurement._history_user, measurement._history_date = lead, entered
    if status == ValueStatus.DRAFT:
        if rng.random() < 0.5:
            measurement.commentary = "Figure checked; commentary to follow after the team meeting."
            measurement.action_plan = ""
        return
    measurement.submitted_by, measurement.submitted_at = lead, entered
    decided = min(entered + datetime.timedelta(days=rng.randint(1, 3)), now)
    if status == ValueStatus.APPROVED:
        measurement.approved_by, measurement.approved_at = approver, decided
        measurement._history_user, measurement._history_date = approver, decided
    elif status == ValueStatus.RETURNED:
        if point.rating in (Rating.AMBER, Rating.RED):
            measurement.returned_reason = _RETURN_FOR_PLAN
            measurement.action_plan = _VAGUE_PLAN
        else:
            measurement.returned_reason = rng.choice(_RETURN_REASONS).format(
                label=point.period.label
            )
        measurement._history_user, measurement._history_date = approver, decided
