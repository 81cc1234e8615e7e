import datetime

import factory

from kpis.register.models import Committee, CommitteeMembership, Directorate, Kpi, Priority, Service


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ("short_name",)

    name = factory.Sequence(lambda n: f"Directorate {n}")
    short_name = factory.Sequence(lambda n: f"D{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    directorate = factory.SubFactory(DirectorateFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Ambition {n + 1}")


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("short_name",)

    name = factory.Sequence(lambda n: f"Committee {n}")
    short_name = factory.Sequence(lambda n: f"C{n}")
    kind = Committee.Kind.POLICY_AND_SERVICE


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"{100 + n}")
    name = factory.Sequence(lambda n: f"Indicator number {n}")
    description = "What the indicator measures."
    directorate = factory.SubFactory(DirectorateFactory)
    service = factory.SubFactory(ServiceFactory, directorate=factory.SelfAttribute("..directorate"))
    level = Kpi.Level.OPERATIONAL
    perspective = Kpi.Perspective.RESIDENTS
    metric_category = Kpi.MetricCategory.LOCAL_AUTHORITY
    frequency = Kpi.Frequency.QUARTERLY
    unit = Kpi.Unit.PERCENT
    direction = Kpi.Direction.HIGHER
    indicator_type = Kpi.IndicatorType.LAGGING
    target_kind = Kpi.TargetKind.ANNUAL
    date_added = datetime.date(2024, 4, 1)

    @factory.post_generation
    def priorities(self, create, extracted, **kwargs):
        if create and extracted:
            self.priorities.set(extracted)

    @factory.post_generation
    def committees(self, create, extracted, **kwargs):
        if create and extracted:
            for committee in extracted:
                CommitteeMembership.objects.create(
                    kpi=self, committee=committee, started_on=self.date_added
                )
