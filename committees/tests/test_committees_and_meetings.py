"""Committee pages, the KPI set at a date, meetings and who may manage them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from committees import services
from committees.models import CommitteeDetails, Meeting
from committees.tests.factories import CommitteeDetailsFactory, MeetingFactory
from kpis.register.services import committee_set_change
from kpis.register.tests.factories import CommitteeFactory, KpiFactory
from kpis.reporting.models import ReportingPeriod
from pmf.tests.table_helpers import aria_sort, row_headers

D = datetime.date


@pytest.fixture
def quarter(db):
    return ReportingPeriod.objects.create(
        kind="quarter",
        financial_year=2022,
        number=1,
        starts_on=D(2022, 4, 1),
        ends_on=D(2022, 6, 30),
        state=ReportingPeriod.State.LOCKED,
    )


# --- services ---------------------------------------------------------------------------------


def test_papers_are_published_a_week_before_by_default(committee, gp):
    meeting = services.meeting_save(
        meeting=Meeting(committee=committee, date=D(2022, 6, 27)), by=gp
    )
    assert meeting.papers_published_on == D(2022, 6, 20)


def test_papers_cannot_be_published_after_the_meeting(committee, gp):
    meeting = Meeting(committee=committee, date=D(2022, 6, 27), papers_published_on=D(2022, 7, 1))
    with pytest.raises(ValidationError):
        services.meeting_save(meeting=meeting, by=gp)


def test_the_committees_clerk_manages_its_meetings(committee, committee_clerk):
    meeting = services.meeting_save(
        meeting=Meeting(committee=committee, date=D(2022, 6, 27)), by=committee_clerk
    )
    assert meeting.pk


@pytest.mark.parametrize("who", ["clerk", "owner", "approver", "viewer"])
def test_others_cannot_manage_meetings(request, who, committee, committee_clerk):
    with pytest.raises(PermissionDenied):
        services.meeting_save(
            meeting=Meeting(committee=committee, date=D(2022, 6, 27)),
            by=request.getfixturevalue(who),
        )
    assert not Meeting.objects.exists()


def test_audit_and_accounts_considers_a_quarter_after_the_strategic_committee(
    committee, gp, quarter
):
    audit = CommitteeFactory(name="Audit and Accounts Committee", short_name="AA", kind="audit")
    CommitteeDetailsFactory(committee=audit, reports_after=committee)
    early = Meeting(committee=audit, date=D(2022, 7, 20), period=quarter)
    with pytest.raises(ValidationError, match="after"):
        services.meeting_save(meeting=early, by=gp)
    services.meeting_save(
        meeting=Meeting(committee=committee, date=D(2022, 7, 21), period=quarter), by=gp
    )
    with pytest.raises(ValidationError):
        services.meeting_save(meeting=early, by=gp)  # same day is not after
    late = services.meeting_save(
        meeting=Meeting(committee=audit, date=D(2022, 7, 28), period=quarter), by=gp
    )
    assert late.pk


def test_only_gp_change_a_committees_details(committee, owner, gp, clerk):
    details = CommitteeDetails(committee=committee, chair="Cllr Chair")
    with pytest.raises(PermissionDenied):
        services.committee_details_save(details=details, by=owner, clerks=[clerk])
    services.committee_details_save(details=details, by=gp, clerks=[clerk])
    assert clerk.has_perm("committees.manage_committee", committee)


# --- pages ------------------------------------------------------------------------------------


def test_the_list_shows_each_committee_and_its_set_size(client, viewer, committee):
    KpiFactory(committees=[committee], date_added=D(2021, 4, 1))
    client.force_login(viewer)
    body = client.get(reverse("committees:index")).content.decode()
    assert committee.name in body
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in body


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_is_a_fixed_number_of_queries(
    client, viewer, count, django_assert_max_num_queries
):
    for n in range(count):
        committee = CommitteeFactory()
        CommitteeDetailsFactory(committee=committee)
        KpiFactory(committees=[committee])
        MeetingFactory(committee=committee, date=D(2099, 1, n + 1))
    client.force_login(viewer)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("committees:index")).status_code == 200


def test_the_committee_page_answers_what_the_set_was_at_a_past_meeting(client, viewer, committee):
    old = KpiFactory(reference="189", name="Sessions on the website", date_added=D(2021, 4, 1))
    new = KpiFactory(reference="217", name="Website quality", date_added=D(2022, 6, 27))
    committee_set_change(kpi=old, committees=[committee], on=D(2021, 4, 1), decision="2021")
    committee_set_change(kpi=old, committees=[], on=D(2022, 3, 24), decision="Removed")
    committee_set_change(kpi=new, committees=[committee], on=D(2022, 6, 27), decision="Added")
    client.force_login(viewer)
    url = reverse("committees:detail", args=[committee.pk])
    body = client.get(url, {"on": "2022-06-27"}).content.decode()
    assert "KPIs in the set on 27 June 2022" in body
    assert "Website quality" in body
    set_table = body.split('id="kpi-set"')[1].split("<h2")[0]
    assert "Sessions on the website" not in set_table
    body = client.get(url, {"on": "2022-01-01"}).content.decode()
    set_table = body.split('id="kpi-set"')[1].split("<h2")[0]
    assert "Sessions on the website" in set_table
    assert "Website quality" not in set_table


def test_a_bad_date_shows_an_error_and_todays_set(client, viewer, committee):
    client.force_login(viewer)
    response = client.get(reverse("committees:detail", args=[committee.pk]), {"on": "27/06/22x"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "KPIs in the set today" in body


@pytest.mark.parametrize("count", [2, 60])
def test_the_committee_page_is_a_fixed_number_of_queries(
    client, viewer, committee, quarter, count, django_assert_max_num_queries
):
    CommitteeDetailsFactory(committee=committee)
    for n in range(count):
        KpiFactory(committees=[committee])
        MeetingFactory(committee=committee, date=D(2020, 1, 1) + datetime.timedelta(n))
    Meeting.objects.filter(date__day=1).update(period=quarter)
    client.force_login(viewer)
    url = reverse("committees:detail", args=[committee.pk])
    for sort in ("", "-period", "status"):
        with django_assert_max_num_queries(12):
            client.get(url, {"sort": sort, "page": 2})


def test_the_committee_page_sorts_its_meetings_and_pages_them_keeping_the_date(
    client, viewer, committee, quarter
):
    for n in range(52):
        MeetingFactory(committee=committee, date=D(2020, 1, 1) + datetime.timedelta(n))
    Meeting.objects.filter(date=D(2020, 1, 5)).update(period=quarter)
    client.force_login(viewer)
    url = reverse("committees:detail", args=[committee.pk])
    html = client.get(url, {"on": "2022-06-27"}).content.decode()
    meetings = html.split("Meetings of")[1]
    assert row_headers(meetings)[:2] == ["21 February 2020", "20 February 2020"]  # newest first
    assert aria_sort(html, "Date") == "descending"
    assert "?on=2022-06-27&amp;page=2" in html and "Showing 1 to 50 of 52" in html
    html = client.get(url, {"on": "2022-06-27", "sort": "-period"}).content.decode()
    assert row_headers(html.split("Meetings of")[1])[0] == "5 January 2020"
    assert aria_sort(html, "Period considered") == "descending"
    assert "?on=2022-06-27&amp;sort=-period&amp;page=2" in html


def test_the_committee_page_links_to_its_scorecard(client, viewer, committee, quarter):
    client.force_login(viewer)
    body = client.get(reverse("committees:detail", args=[committee.pk])).content.decode()
    assert reverse("scorecards:committee", args=[committee.pk, quarter.pk]) in body


def test_a_clerk_adds_a_meeting_through_the_form(client, committee, committee_clerk, quarter):
    client.force_login(committee_clerk)
    response = client.post(
        reverse("committees:meeting_create", args=[committee.pk]),
        {"date": "2022-09-15", "period": quarter.pk, "status": "scheduled", "notes": ""},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.papers_published_on == D(2022, 9, 8)


def test_bad_meeting_input_shows_the_errors_and_saves_nothing(client, committee, gp):
    client.force_login(gp)
    response = client.post(
        reverse("committees:meeting_create", args=[committee.pk]),
        {"date": "not a date", "status": "scheduled"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#id_date"' in body
    assert not Meeting.objects.exists()


def test_a_clerk_of_another_committee_gets_403_even_with_a_crafted_post(
    client, committee, other_committee, committee_clerk
):
    client.force_login(committee_clerk)
    url = reverse("committees:meeting_create", args=[other_committee.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"date": "2022-09-15", "status": "scheduled"}).status_code == 403
    meeting = MeetingFactory(committee=other_committee)
    edit = reverse("committees:meeting_edit", args=[meeting.pk])
    assert client.post(edit, {"date": "2022-09-16", "status": "held"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_the_meeting_page_shows_the_set_on_its_day(client, viewer, committee):
    kpi = KpiFactory(name="Website accessibility", date_added=D(2022, 6, 27))
    committee_set_change(kpi=kpi, committees=[committee], on=D(2022, 6, 27), decision="Added")
    meeting = MeetingFactory(committee=committee, date=D(2022, 6, 27))
    client.force_login(viewer)
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert "Meeting of 27 June 2022" in body
    assert "Website accessibility" in body


def test_anonymous_users_are_sent_to_sign_in(client, committee):
    response = client.get(reverse("committees:detail", args=[committee.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_meeting_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("committees:meeting", args=[999])).status_code == 404


def test_gp_set_the_chair_and_clerks(client, gp, committee, clerk):
    client.force_login(gp)
    response = client.post(
        reverse("committees:details_edit", args=[committee.pk]),
        {"chair": "Councillor Chair", "vice_chair": "Councillor Vice", "clerks": [clerk.pk]},
    )
    assert response.status_code == 302
    details = CommitteeDetails.objects.get(committee=committee)
    assert details.chair == "Councillor Chair"
    assert list(details.clerks.all()) == [clerk]
