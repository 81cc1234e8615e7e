"""The council's units become a table Governance and Performance keep.

The units of the old fixed list keep their codes (KPIs, files and history name them) and print
their figures exactly as before; Tonnes CO2e joins them. A unit's range is the one the entry
checks and forecasts used: percentages 0 to 100; numbers, money, days, weeks, rates and tonnes
not below 0; scores and ratios without limit.
"""

import datetime
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import kpis.register.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models


# Frozen here: later changes to the units are the council's, made on the Units page. A field
# left out takes the model's default (blank, no, no limit).
UNITS = [
    dict(code="percent", name="Percentage (%)", suffix="%", rate_per=100, lowest=0, highest=100,
         aliases="%; percent; per cent"),
    dict(code="count", name="Number", whole_numbers=True, lowest=0),
    dict(code="money", name="Money (£)", prefix="£", money=True, lowest=0,
         aliases="£; GBP; pounds; pounds sterling"),
    dict(code="days", name="Days", suffix="days", singular_suffix="day", lowest=0, aliases="day"),
    dict(code="weeks", name="Weeks", suffix="weeks", singular_suffix="week", lowest=0,
         aliases="week"),
    dict(code="rate_1k", name="Rate per 1,000", suffix="per 1,000", rate_per=1000, lowest=0,
         aliases="per 1,000"),
    dict(code="rate_10k", name="Rate per 10,000", suffix="per 10,000", rate_per=10000, lowest=0,
         aliases="per 10,000"),
    dict(code="rate_100k", name="Rate per 100,000", suffix="per 100,000", rate_per=100000,
         lowest=0, aliases="per 100,000"),
    dict(code="score", name="Score"),
    dict(code="ratio", name="Ratio"),
    dict(code="tonnes_co2e", name="Tonnes CO2e", suffix="tCO2e", lowest=0,
         aliases="tCO2e; t CO2e; tonnes of CO2e; tonnes of carbon dioxide equivalent"),
]
REASON = "The council's units, as the register used them"


def add_the_councils_units(apps, schema_editor):
    """Create each unit that is not there yet, with a first version in its history. (Tests call
    this again after a test that empties every table.)"""
    Unit = apps.get_model("kpis", "Unit")
    HistoricalUnit = apps.get_model("kpis", "HistoricalUnit")
    now = datetime.datetime.now(datetime.UTC)
    for spec in UNITS:
        fields = {key: Decimal(value) if key in ("lowest", "highest") else value
                  for key, value in spec.items()}
        unit, created = Unit.objects.get_or_create(code=fields.pop("code"), defaults=fields)
        if created and not HistoricalUnit.objects.filter(id=unit.pk).exists():
            values = {f.attname: getattr(unit, f.attname) for f in Unit._meta.concrete_fields}
            HistoricalUnit.objects.create(
                **values, history_date=now, history_type="+", history_change_reason=REASON
            )


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0005_historic_authority"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Unit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        help_text="The key KPIs store and files may use, like tonnes_co2e. It cannot change.",
                        max_length=20,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[a-z][a-z0-9_]{0,19}$",
                                "Use small letters, digits and underscores (at most 20), starting with a letter.",
                            )
                        ],
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="As people read it, like Tonnes CO2e.",
                        max_length=100,
                        unique=True,
                    ),
                ),
                (
                    "prefix",
                    models.CharField(
                        blank=True,
                        help_text="Written before the number, like £ in £1,250.",
                        max_length=10,
                    ),
                ),
                (
                    "suffix",
                    models.CharField(
                        blank=True,
                        help_text="Written after the number, like % or days. A word goes after a space (12 days), a symbol does not (72.5%).",
                        max_length=30,
                    ),
                ),
                (
                    "singular_suffix",
                    models.CharField(
                        blank=True,
                        help_text="Only if it differs, like day in 1 day. Leave blank to use the suffix.",
                        max_length=30,
                        verbose_name="suffix for exactly 1",
                    ),
                ),
                (
                    "money",
                    models.BooleanField(
                        default=False,
                        help_text="Written as whole pounds or pounds and pence (£75, £75.50), and entered to the penny.",
                        verbose_name="money",
                    ),
                ),
                (
                    "decimals",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="How many decimal places figures are shown with. As entered writes them without trailing zeros (72.5, not 72.50). A KPI may set its own.",
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(4)],
                        verbose_name="decimal places",
                    ),
                ),
                (
                    "whole_numbers",
                    models.BooleanField(
                        default=False,
                        help_text="Values with a fraction are refused.",
                        verbose_name="whole numbers only",
                    ),
                ),
                (
                    "rate_per",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="For a percentage or rate worked out from a numerator and a denominator: the number it is multiplied by, like 100 for a percentage or 100000 for a rate per 100,000.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="multiplier",
                    ),
                ),
                (
                    "lowest",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="Values below it are refused, unless the KPI allows values outside its unit's range; forecasts stay above it. Blank for no limit.",
                        max_digits=16,
                        null=True,
                        verbose_name="lowest value allowed",
                    ),
                ),
                (
                    "highest",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="Values above it are refused, unless the KPI allows values outside its unit's range; forecasts stay below it. Blank for no limit.",
                        max_digits=16,
                        null=True,
                        verbose_name="highest value allowed",
                    ),
                ),
                (
                    "aliases",
                    models.TextField(
                        blank=True,
                        help_text="Other ways people write this unit in a spreadsheet, separated by ; like GBP; pounds. Case does not matter.",
                        verbose_name="other names",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.AddField(
            model_name="historicalkpi",
            name="decimals",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="How many decimal places its figures are shown with, if not as its unit says.",
                null=True,
                validators=[django.core.validators.MaxValueValidator(4)],
                verbose_name="decimal places (this KPI)",
            ),
        ),
        migrations.AddField(
            model_name="kpi",
            name="decimals",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="How many decimal places its figures are shown with, if not as its unit says.",
                null=True,
                validators=[django.core.validators.MaxValueValidator(4)],
                verbose_name="decimal places (this KPI)",
            ),
        ),
        migrations.AlterField(
            model_name="historicalkpi",
            name="allows_values_outside_0_100",
            field=models.BooleanField(
                default=False,
                help_text="For changes or balances that can be negative, or percentages that can exceed 100%.",
                verbose_name="values may fall outside the unit's range",
            ),
        ),
        migrations.AlterField(
            model_name="historicalkpi",
            name="unit",
            field=models.CharField(
                help_text="One of the council's units (the register's Units page).",
                max_length=20,
                validators=[kpis.register.models.validate_unit],
            ),
        ),
        migrations.AlterField(
            model_name="kpi",
            name="allows_values_outside_0_100",
            field=models.BooleanField(
                default=False,
                help_text="For changes or balances that can be negative, or percentages that can exceed 100%.",
                verbose_name="values may fall outside the unit's range",
            ),
        ),
        migrations.AlterField(
            model_name="kpi",
            name="unit",
            field=models.CharField(
                help_text="One of the council's units (the register's Units page).",
                max_length=20,
                validators=[kpis.register.models.validate_unit],
            ),
        ),
        migrations.CreateModel(
            name="HistoricalUnit",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        db_index=True,
                        help_text="The key KPIs store and files may use, like tonnes_co2e. It cannot change.",
                        max_length=20,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[a-z][a-z0-9_]{0,19}$",
                                "Use small letters, digits and underscores (at most 20), starting with a letter.",
                            )
                        ],
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        db_index=True,
                        help_text="As people read it, like Tonnes CO2e.",
                        max_length=100,
                    ),
                ),
                (
                    "prefix",
                    models.CharField(
                        blank=True,
                        help_text="Written before the number, like £ in £1,250.",
                        max_length=10,
                    ),
                ),
                (
                    "suffix",
                    models.CharField(
                        blank=True,
                        help_text="Written after the number, like % or days. A word goes after a space (12 days), a symbol does not (72.5%).",
                        max_length=30,
                    ),
                ),
                (
                    "singular_suffix",
                    models.CharField(
                        blank=True,
                        help_text="Only if it differs, like day in 1 day. Leave blank to use the suffix.",
                        max_length=30,
                        verbose_name="suffix for exactly 1",
                    ),
                ),
                (
                    "money",
                    models.BooleanField(
                        default=False,
                        help_text="Written as whole pounds or pounds and pence (£75, £75.50), and entered to the penny.",
                        verbose_name="money",
                    ),
                ),
                (
                    "decimals",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="How many decimal places figures are shown with. As entered writes them without trailing zeros (72.5, not 72.50). A KPI may set its own.",
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(4)],
                        verbose_name="decimal places",
                    ),
                ),
                (
                    "whole_numbers",
                    models.BooleanField(
                        default=False,
                        help_text="Values with a fraction are refused.",
                        verbose_name="whole numbers only",
                    ),
                ),
                (
                    "rate_per",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="For a percentage or rate worked out from a numerator and a denominator: the number it is multiplied by, like 100 for a percentage or 100000 for a rate per 100,000.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="multiplier",
                    ),
                ),
                (
                    "lowest",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="Values below it are refused, unless the KPI allows values outside its unit's range; forecasts stay above it. Blank for no limit.",
                        max_digits=16,
                        null=True,
                        verbose_name="lowest value allowed",
                    ),
                ),
                (
                    "highest",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="Values above it are refused, unless the KPI allows values outside its unit's range; forecasts stay below it. Blank for no limit.",
                        max_digits=16,
                        null=True,
                        verbose_name="highest value allowed",
                    ),
                ),
                (
                    "aliases",
                    models.TextField(
                        blank=True,
                        help_text="Other ways people write this unit in a spreadsheet, separated by ; like GBP; pounds. Case does not matter.",
                        verbose_name="other names",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical unit",
                "verbose_name_plural": "historical units",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(add_the_councils_units, migrations.RunPython.noop),
    ]
