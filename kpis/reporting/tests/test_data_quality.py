"""Data-quality queries at entry: a value far from the KPI's last period or the same period last
year is held on submission until its officer confirms it and explains it; the approver, G&P and
the KPI page show the query and the explanation, read-only viewers do not."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting.models import Measurement, RagPolicy, ReportingPeriod
from kpis.reporting.services import Entry, ValueQueried, measurement_save, policy_update
from kpis.reporting.tests.factories import make_measurement, make_period, make_target

MY_KPIS = "/my-kpis/"
QUERY = "This is 180% higher than 2025/26 Q4 (120)."
APPROVED = Measurement.Status.APPROVED


@pytest.fixture
def periods(db):
    """2026/27 Q1 open; the quarter before and the same quarter last year, locked."""
    locked = ReportingPeriod.State.LOCKED
    return {
        "now": make_period("quarter", 2026, 1),
        "before": make_period("quarter", 2025, 4, state=locked),
        "last_year": make_period("quarter", 2025, 1, state=locked),
    }


@pytest.fixture
def kpi(owner, directorate, periods):
    """A count KPI: 120 last quarter, 300 in the same quarter last year, target 100."""
    kpi = KpiFactory(
        reference="182",
        name="Households helped",
        unit=Kpi.Unit.COUNT,
        lead_officer=owner,
        directorate=directorate,
    )
    make_target(kpi, 100, financial_year=2026)
    make_measurement(kpi, periods["before"], 120, status=APPROVED)
    make_measurement(kpi, periods["last_year"], 300, status=APPROVED)
    return kpi


def _edit_url(periods, kpi) -> str:
    return reverse("entry:edit", args=[periods["now"].pk, kpi.reference])


def _fields(periods, kpi, **fields) -> dict:
    prefix = f"e{periods['now'].pk}-{kpi.pk}-"
    data = {f"{prefix}version": str(fields.pop("version", 0))}
    return data | {f"{prefix}{name}": value for name, value in fields.items()}


def _submit(client, periods, kpi, **fields):
    return client.post(
        _edit_url(periods, kpi), {"action": "submit"} | _fields(periods, kpi, **fields)
    )


def _ticked(page: str) -> bool:
    return '-query_confirmed" type="checkbox" checked' in page


def _stored(kpi, periods) -> Measurement | None:
    return Measurement.objects.filter(kpi=kpi, period=periods["now"]).first()


# Submitting -----------------------------------------------------------------------------------


def test_a_value_within_the_threshold_submits_straight_away(client, owner, periods, kpi):
    client.force_login(owner)
    response = _submit(client, periods, kpi, value="150")  # 25% above 120, 50% below 300
    assert response.status_code == 302
    stored = _stored(kpi, periods)
    assert stored.status == Measurement.Status.SUBMITTED
    assert stored.data_query == "" and stored.query_explanation == ""


def test_a_value_outside_it_is_held_with_the_query_and_nothing_saved_changes(
    client, owner, periods, kpi
):
    draft = make_measurement(kpi, periods["now"], 130, commentary="First go")
    history_before = draft.history.count()
    client.force_login(owner)
    response = _submit(client, periods, kpi, version=1, value="336", commentary="Second go")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error:" in page
    confirm_id = f"id_e{periods['now'].pk}-{kpi.pk}-query_confirmed"
    assert f'href="#{confirm_id}"' in page  # the error summary links to the confirmation
    assert f"KPI 182: {QUERY} Correct the value, or confirm it is right and explain why" in page
    assert f'id="{confirm_id}_error"' in page
    assert 'type="checkbox"' in page and "I have checked this value and it is right" in page
    assert f'value="{QUERY}"' in page  # the query the confirmation will be for
    assert 'value="336"' in page and "Second go" in page  # what was typed is kept
    draft.refresh_from_db()
    assert (draft.value, draft.status, draft.version) == (130, Measurement.Status.DRAFT, 1)
    assert draft.commentary == "First go" and draft.data_query == ""
    assert draft.history.count() == history_before


def test_confirmed_and_explained_it_submits_and_the_approver_sees_both(
    client, owner, approver, periods, kpi
):
    client.force_login(owner)
    explanation = "A new <b>referral</b> route opened in April."
    response = _submit(
        client,
        periods,
        kpi,
        value="336",
        query_seen=QUERY,
        query_confirmed="on",
        query_explanation=explanation,
    )
    assert response.status_code == 302
    stored = _stored(kpi, periods)
    assert stored.status == Measurement.Status.SUBMITTED
    assert stored.data_query == QUERY and stored.query_explanation == explanation
    submitted = stored.history.latest()
    assert submitted.history_change_reason == "Submitted"
    assert (submitted.data_query, submitted.query_explanation) == (QUERY, explanation)

    client.force_login(approver)
    queue = client.get(reverse("entry:approvals")).content.decode()
    card = queue[queue.index(f'id="measurement-{stored.pk}"') :]
    assert "Data-quality query" in card and QUERY in card
    assert '<strong class="govuk-tag govuk-tag--orange">Queried</strong>' in card
    assert "A new &lt;b&gt;referral&lt;/b&gt; route opened in April." in card
    assert "Return it to the officer" in card  # returned as usual
    returned = client.post(
        reverse("entry:return"),
        {"measurement": stored.pk, "version": stored.version, "reason": "Check April"},
    )
    assert returned.status_code == 302
    stored.refresh_from_db()
    assert stored.status == Measurement.Status.RETURNED
    assert stored.query_explanation == explanation  # kept for the officer's next submission


def test_a_confirmation_without_an_explanation_asks_for_one(client, owner, periods, kpi):
    client.force_login(owner)
    response = _submit(client, periods, kpi, value="336", query_seen=QUERY, query_confirmed="on")
    page = response.content.decode()
    assert response.status_code == 200
    assert "KPI 182: Explain why the value is so different from earlier ones" in page
    assert f"id_e{periods['now'].pk}-{kpi.pk}-query_explanation_error" in page
    assert QUERY in page  # the query is still said, as a warning
    assert _ticked(page)  # the tick is kept
    assert _stored(kpi, periods) is None


def test_a_value_changed_after_its_query_is_checked_again(client, owner, periods, kpi):
    client.force_login(owner)
    response = _submit(
        client,
        periods,
        kpi,
        value="480",
        query_seen=QUERY,  # confirmed for 336
        query_confirmed="on",
        query_explanation="New referral route.",
    )
    page = response.content.decode()
    assert response.status_code == 200
    new_query = "This is 300% higher than 2025/26 Q4 (120) and 60% higher than 2025/26 Q1 (300)."
    assert f"{new_query} This has changed since you confirmed it" in page
    assert f'value="{new_query}"' in page
    assert not _ticked(page)  # the officer confirms the new query afresh
    assert "New referral route." in page
    assert _stored(kpi, periods) is None
    # Corrected to a value within the threshold, it goes without the explanation.
    fine = _submit(
        client, periods, kpi, value="160", query_seen=new_query, query_explanation="Old words"
    )
    assert fine.status_code == 302
    stored = _stored(kpi, periods)
    assert stored.status == Measurement.Status.SUBMITTED
    assert stored.data_query == "" and stored.query_explanation == ""


def test_saving_a_draft_never_queries(client, owner, periods, kpi):
    client.force_login(owner)
    data = {"action": "draft"} | _fields(periods, kpi, value="3360")
    assert client.post(_edit_url(periods, kpi), data).status_code == 302
    assert _stored(kpi, periods).value == 3360


def test_the_kpis_own_threshold_overrides_the_councils(client, owner, periods, kpi, directorate):
    kpi.query_threshold = Decimal(200)
    kpi.save()
    client.force_login(owner)
    assert _submit(client, periods, kpi, value="336").status_code == 302  # 180% < 200%
    # The council's default made stricter: another KPI without its own threshold is queried.
    RagPolicy.objects.filter(pk=RagPolicy.current().pk).update(query_change_percent=20)
    other = KpiFactory(unit=Kpi.Unit.COUNT, lead_officer=owner, directorate=directorate)
    make_measurement(other, periods["before"], 120, status=APPROVED)
    response = _submit(client, periods, other, value="150")  # 25% higher
    assert response.status_code == 200
    assert "This is 25% higher than 2025/26 Q4 (120)." in response.content.decode()


def test_the_same_period_last_year_is_compared_too(owner, periods, kpi):
    entry = Entry(value=Decimal("130"))  # 8% above last quarter, 57% below last year
    with pytest.raises(ValueQueried) as queried:
        measurement_save(
            kpi=kpi, period=periods["now"], by=owner, entry=entry, expected_version=0, submit=True
        )
    assert queried.value.query == "This is 56.7% lower than 2025/26 Q1 (300)."


def test_a_year_to_date_value_is_compared_with_last_year_only(owner, periods, directorate):
    kpi = KpiFactory(
        unit=Kpi.Unit.COUNT,
        value_basis=Kpi.ValueBasis.YEAR_TO_DATE,
        lead_officer=owner,
        directorate=directorate,
    )
    make_measurement(kpi, periods["before"], 1000, status=APPROVED)  # last year's whole year
    make_measurement(kpi, periods["last_year"], 260, status=APPROVED)
    saved = measurement_save(
        kpi=kpi,
        period=periods["now"],
        by=owner,
        entry=Entry(value=Decimal("250")),
        expected_version=0,
        submit=True,
    )
    assert saved.status == Measurement.Status.SUBMITTED and saved.data_query == ""


def test_a_percentage_is_compared_in_points(owner, periods, directorate):
    kpi = KpiFactory(unit=Kpi.Unit.PERCENT, lead_officer=owner, directorate=directorate)
    make_measurement(kpi, periods["before"], "72.5", status=APPROVED)
    with pytest.raises(ValueQueried) as queried:
        measurement_save(
            kpi=kpi,
            period=periods["now"],
            by=owner,
            entry=Entry(value=Decimal("40"), action_plan="Recover"),
            expected_version=0,
            submit=True,
        )
    assert queried.value.query == "This is 32.5 percentage points lower than 2025/26 Q4 (72.5%)."
    # 15 points is within the council's 20.
    saved = measurement_save(
        kpi=kpi,
        period=periods["now"],
        by=owner,
        entry=Entry(value=Decimal("57.5"), action_plan="Recover"),
        expected_version=0,
        submit=True,
    )
    assert saved.status == Measurement.Status.SUBMITTED


def test_only_reported_values_are_compared_with(owner, periods, directorate):
    kpi = KpiFactory(unit=Kpi.Unit.MONEY, lead_officer=owner, directorate=directorate)
    make_measurement(kpi, periods["before"], "12.50")  # a draft: not a value to compare with
    make_measurement(kpi, periods["last_year"], "4000", status=Measurement.Status.SUBMITTED)
    with pytest.raises(ValueQueried) as queried:
        measurement_save(
            kpi=kpi,
            period=periods["now"],
            by=owner,
            entry=Entry(value=Decimal("1250.50")),
            expected_version=0,
            submit=True,
        )
    assert queried.value.query == "This is 68.7% lower than 2025/26 Q1 (£4,000)."


def test_a_change_from_zero_is_said_in_the_kpis_own_units(owner, periods, directorate):
    kpi = KpiFactory(unit=Kpi.Unit.DAYS, lead_officer=owner, directorate=directorate)
    make_measurement(kpi, periods["before"], 0, status=APPROVED)
    with pytest.raises(ValueQueried) as queried:
        measurement_save(
            kpi=kpi,
            period=periods["now"],
            by=owner,
            entry=Entry(value=Decimal("12")),
            expected_version=0,
            submit=True,
        )
    assert queried.value.query == "This is 12 days higher than 2025/26 Q4 (0 days)."


def test_the_council_can_turn_queries_off(owner, gp, periods, kpi):
    policy_update(
        by=gp,
        amber_tolerance=Decimal(10),
        tolerance_basis="relative",
        blue_margin=None,
        use_intervention_levels=False,
        query_change_percent=None,
    )
    saved = measurement_save(
        kpi=kpi,
        period=periods["now"],
        by=owner,
        entry=Entry(value=Decimal("3360")),
        expected_version=0,
        submit=True,
    )
    assert saved.status == Measurement.Status.SUBMITTED and saved.data_query == ""


def test_one_queried_kpi_holds_the_whole_page(client, owner, periods, kpi, directorate):
    other = KpiFactory(
        reference="183", unit=Kpi.Unit.COUNT, lead_officer=owner, directorate=directorate
    )
    client.force_login(owner)
    data = {"action": "submit"}
    data |= _fields(periods, kpi, value="336")
    data |= _fields(periods, other, value="20")
    response = client.post(MY_KPIS, data)
    assert response.status_code == 200
    assert f"KPI 182: {QUERY}" in response.content.decode()
    assert not Measurement.objects.filter(period=periods["now"]).exists()


def test_a_returned_value_shows_its_query_and_keeps_the_explanation(
    client, owner, approver, periods, kpi
):
    make_measurement(
        kpi,
        periods["now"],
        336,
        status=Measurement.Status.RETURNED,
        submitted_by=owner,
        returned_reason="Check the April figure",
        data_query=QUERY,
        query_explanation="New referral route.",
    )
    client.force_login(owner)
    page = client.get(_edit_url(periods, kpi)).content.decode()
    assert f"When it was last submitted this value was queried: {QUERY}" in page
    assert "New referral route." in page
    # Submitting it unchanged asks for the confirmation again, with the explanation kept.
    held = _submit(
        client, periods, kpi, version=1, value="336", query_explanation="New referral route."
    )
    assert held.status_code == 200 and "Correct the value, or confirm it" in held.content.decode()
    again = _submit(
        client,
        periods,
        kpi,
        version=1,
        value="336",
        query_seen=QUERY,
        query_confirmed="on",
        query_explanation="New referral route.",
    )
    assert again.status_code == 302
    assert _stored(kpi, periods).status == Measurement.Status.SUBMITTED


# Who sees queries ----------------------------------------------------------------------------


@pytest.fixture
def queried(kpi, periods, owner):
    return measurement_save(
        kpi=kpi,
        period=periods["now"],
        by=owner,
        entry=Entry(value=Decimal("336"), query_explanation="New referral route opened."),
        expected_version=0,
        submit=True,
        confirmed_query=QUERY,
    )


@pytest.mark.parametrize("who", ["gp", "approver", "owner"])
def test_gp_approvers_and_the_officer_see_the_query_on_the_kpi_page(client, request, who, queried):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("kpis:detail", args=["182"])).content.decode()
    assert QUERY in page
    assert "New referral route opened." in page
    assert "Explanation of the query" in page  # in the history of changes


@pytest.mark.parametrize("who", ["viewer", "clerk", "outsider"])
def test_a_viewer_does_not_see_queries_or_explanations(client, request, who, queried):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("kpis:detail", args=["182"])).content.decode()
    assert "336" in page  # the value itself is public to them
    assert QUERY not in page
    assert "New referral route opened." not in page
    assert "Explanation of the query" not in page and "Data-quality query" not in page


# The council's thresholds --------------------------------------------------------------------


def test_gp_set_the_councils_thresholds_on_the_rag_policy_page(client, gp, viewer):
    url = reverse("reporting:rag_policy")
    client.force_login(gp)
    page = client.get(url).content.decode()
    assert "A value more than 50% higher or lower" in page
    assert "more than 20 percentage points" in page
    form = {
        "amber_tolerance": "10",
        "tolerance_basis": "relative",
        "blue_margin": "",
        "use_intervention_levels": "no",
        "query_change_percent": "75",
        "query_change_points": "",
    }
    assert client.post(url, form).status_code == 302
    policy = RagPolicy.current()
    assert policy.query_change_percent == 75 and policy.query_change_points is None
    page = client.get(url).content.decode()
    assert "A value more than 75% higher or lower" in page
    assert "percentages are not queried" in page
    was = '<span class="govuk-visually-hidden">was </span>'
    assert f"Data-quality query threshold: <del>{was}50</del>" in page  # the policy's history
    bad = client.post(url, form | {"query_change_percent": "-5"})
    assert "Enter a threshold of 0 or more, or leave it blank" in bad.content.decode()
    assert RagPolicy.current().query_change_percent == 75
    client.force_login(viewer)
    assert "A value more than 75% higher or lower" in client.get(url).content.decode()
