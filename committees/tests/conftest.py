"""Fixtures for the committees app: a committee with its clerk, a meeting, and proposals at any
stage of the KPI cycle (taken there through the real services)."""

import datetime

import pytest

from committees import services
from committees.tests.factories import CommitteeDetailsFactory, MeetingFactory, ProposalFactory
from kpis.register.tests.factories import CommitteeFactory
from pmf.tests.factories import UserFactory


@pytest.fixture
def committee(db):
    return CommitteeFactory(name="Strategy, Resources and Performance Committee", short_name="SRP")


@pytest.fixture
def other_committee(db):
    return CommitteeFactory(name="Highways and Transport Committee", short_name="HT")


@pytest.fixture
def committee_clerk(db, committee):
    """A clerk named as the clerk of `committee` (the standing `clerk` clerks nothing)."""
    user = UserFactory(username="srp-clerk", roles=["Committee clerk"])
    CommitteeDetailsFactory(committee=committee, clerks=[user])
    return user


@pytest.fixture
def meeting(db, committee):
    return MeetingFactory(committee=committee, date=datetime.date(2026, 9, 15))


@pytest.fixture
def draft(db, directorate, committee, owner):
    """A draft proposal to add a KPI, raised by the standing officer through the service."""
    proposal = ProposalFactory.build(directorate=directorate, raised_by=owner)
    return services.proposal_save(proposal=proposal, by=owner, committees=[committee])
