import django_filters
from django.db.models import Q, QuerySet

from kpis.register.models import Committee, Directorate, Kpi, Priority, Service
from pmf.forms_govuk import GovukForm


class RegisterFilterForm(GovukForm):
    pass


class KpiRegisterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="search", help_text="Reference, name or description"
    )
    directorate = django_filters.ModelChoiceFilter(
        queryset=Directorate.objects.all(), empty_label="All directorates"
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.select_related("directorate"), empty_label="All services"
    )
    level = django_filters.ChoiceFilter(choices=Kpi.Level.choices, empty_label="All levels")
    priority = django_filters.ModelChoiceFilter(
        label="Priority or ambition",
        field_name="priorities",
        queryset=Priority.objects.all(),
        empty_label="All priorities",
    )
    committee = django_filters.ModelChoiceFilter(
        label="Committee",
        queryset=Committee.objects.all(),
        method="in_committee",
        empty_label="All committees",
    )
    status = django_filters.ChoiceFilter(choices=Kpi.Status.choices, empty_label="All statuses")
    frequency = django_filters.ChoiceFilter(
        choices=Kpi.Frequency.choices, empty_label="All frequencies"
    )

    class Meta:
        model = Kpi
        fields = [
            "q",
            "directorate",
            "service",
            "level",
            "priority",
            "committee",
            "status",
            "frequency",
        ]
        form = RegisterFilterForm

    def search(self, queryset: QuerySet[Kpi], name: str, value: str) -> QuerySet[Kpi]:
        terms = value.split()
        for term in terms[:10]:
            queryset = queryset.filter(
                Q(reference__icontains=term)
                | Q(name__icontains=term)
                | Q(description__icontains=term)
            )
        return queryset

    def in_committee(self, queryset: QuerySet[Kpi], name: str, value: Committee) -> QuerySet[Kpi]:
        return queryset.filter(
            memberships__committee=value, memberships__ended_on__isnull=True
        ).distinct()
