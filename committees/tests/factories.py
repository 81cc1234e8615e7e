import datetime

import factory

from committees.models import ActionItem, CommitteeDetails, Meeting, Proposal
from kpis.register.tests.factories import CommitteeFactory, DirectorateFactory
from pmf.tests.factories import UserFactory


class CommitteeDetailsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeDetails
        django_get_or_create = ("committee",)
        skip_postgeneration_save = True

    committee = factory.SubFactory(CommitteeFactory)
    chair = "Councillor A. Chair"
    vice_chair = "Councillor B. Vice"

    @factory.post_generation
    def clerks(self, create, extracted, **kwargs):
        if create and extracted:
            self.clerks.set(extracted)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    committee = factory.SubFactory(CommitteeFactory)
    date = datetime.date(2026, 9, 15)
    papers_published_on = factory.LazyAttribute(lambda m: m.date - datetime.timedelta(days=7))


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft proposal to add a new KPI (pass kind/kpi for a removal or amendment)."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    kind = Proposal.Kind.ADD
    directorate = factory.SubFactory(DirectorateFactory)
    rationale = "Replaces KPI 189 (sessions on the website) with a more relevant measure."
    name = "Website quality score (%)"
    description = "The quality of the council's website."
    kpi_rationale = "Shows whether the website works for residents."
    data_source = "Independent website index"
    unit = "percent"
    direction = "higher"
    frequency = "quarterly"
    level = "corporate"
    target_kind = "annual"
    raised_by = factory.SubFactory(UserFactory, roles=["Officer"])

    @factory.post_generation
    def committees(self, create, extracted, **kwargs):
        if create and extracted:
            self.committees.set(extracted)


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    committee = factory.SubFactory(CommitteeFactory)
    reference = factory.Sequence(lambda n: f"F.{n + 1}")
    action = "New project management framework and programme management office"
    milestone = "September 2026"
    lead_officer = "Head of Transformation"
    success_criteria = "Programme office established"
    baseline = "No programme office in place"
