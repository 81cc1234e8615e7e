import django.db.models.functions.text
import django.db.models.lookups
import pmf.fields
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Length


# Text written before these limits and longer than one is cut to fit, ending with NOTE, so that the
# constraints can be added. The full text stays in the row's history.
NOTE = " [shortened to {limit:,} characters when limits on text came in; the full text is in the history]"
LENGTHS = {
    "committee": {"remit": 2000},
    "priority": {"description": 2000},
    "kpi": {
        "description": 2000,
        "definition": 4000,
        "calculation": 4000,
        "rationale": 2000,
        "status_reason": 2000,
    },
    "reportingperiod": {"state_reason": 2000},
    "measurement": {
        "not_available_reason": 1000,
        "commentary": 5000,
        "action_plan": 5000,
        "data_quality_note": 2000,
        "returned_reason": 2000,
    },
}


def shorten_long_text(apps, schema_editor):
    for model_name, fields in LENGTHS.items():
        model = apps.get_model("kpis", model_name)
        for name, limit in fields.items():
            too_long = model.objects.annotate(chars=Length(name)).filter(chars__gt=limit)
            for row in too_long.only("pk", name):
                note = NOTE.format(limit=limit)
                setattr(row, name, getattr(row, name)[: limit - len(note)] + note)
                row.save(update_fields=[name])


class Migration(migrations.Migration):

    dependencies = [
        ('kpis', '0007_data_quality'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='committee',
            name='remit',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='historicalcommittee',
            name='remit',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='historicalkpi',
            name='calculation',
            field=models.TextField(blank=True, max_length=4000, validators=[pmf.fields.TextLengthValidator(4000)], verbose_name='how it is calculated'),
        ),
        migrations.AlterField(
            model_name='historicalkpi',
            name='definition',
            field=models.TextField(blank=True, max_length=4000, validators=[pmf.fields.TextLengthValidator(4000)]),
        ),
        migrations.AlterField(
            model_name='historicalkpi',
            name='description',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='historicalkpi',
            name='rationale',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='historicalkpi',
            name='status_reason',
            field=models.TextField(blank=True, help_text='Why the KPI was suspended or retired.', max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='historicalmeasurement',
            name='action_plan',
            field=models.TextField(blank=True, max_length=5000, validators=[pmf.fields.TextLengthValidator(5000)]),
        ),
        migrations.AlterField(
            model_name='historicalmeasurement',
            name='commentary',
            field=models.TextField(blank=True, max_length=5000, validators=[pmf.fields.TextLengthValidator(5000)]),
        ),
        migrations.AlterField(
            model_name='historicalmeasurement',
            name='data_quality_note',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='historicalmeasurement',
            name='not_available_reason',
            field=models.TextField(blank=True, max_length=1000, validators=[pmf.fields.TextLengthValidator(1000)]),
        ),
        migrations.AlterField(
            model_name='historicalmeasurement',
            name='returned_reason',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='historicalpriority',
            name='description',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='historicalreportingperiod',
            name='state_reason',
            field=models.TextField(blank=True, help_text='Why it was last reopened.', max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='kpi',
            name='calculation',
            field=models.TextField(blank=True, max_length=4000, validators=[pmf.fields.TextLengthValidator(4000)], verbose_name='how it is calculated'),
        ),
        migrations.AlterField(
            model_name='kpi',
            name='definition',
            field=models.TextField(blank=True, max_length=4000, validators=[pmf.fields.TextLengthValidator(4000)]),
        ),
        migrations.AlterField(
            model_name='kpi',
            name='description',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='kpi',
            name='rationale',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='kpi',
            name='status_reason',
            field=models.TextField(blank=True, help_text='Why the KPI was suspended or retired.', max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='measurement',
            name='action_plan',
            field=models.TextField(blank=True, max_length=5000, validators=[pmf.fields.TextLengthValidator(5000)]),
        ),
        migrations.AlterField(
            model_name='measurement',
            name='commentary',
            field=models.TextField(blank=True, max_length=5000, validators=[pmf.fields.TextLengthValidator(5000)]),
        ),
        migrations.AlterField(
            model_name='measurement',
            name='data_quality_note',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='measurement',
            name='not_available_reason',
            field=models.TextField(blank=True, max_length=1000, validators=[pmf.fields.TextLengthValidator(1000)]),
        ),
        migrations.AlterField(
            model_name='measurement',
            name='returned_reason',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='priority',
            name='description',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='reportingperiod',
            name='state_reason',
            field=models.TextField(blank=True, help_text='Why it was last reopened.', max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.RunPython(shorten_long_text, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='committee',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('remit'), 2000), name='committee_remit_length'),
        ),
        migrations.AddConstraint(
            model_name='kpi',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description'), 2000), name='kpi_description_length'),
        ),
        migrations.AddConstraint(
            model_name='kpi',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('definition'), 4000), name='kpi_definition_length'),
        ),
        migrations.AddConstraint(
            model_name='kpi',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('calculation'), 4000), name='kpi_calculation_length'),
        ),
        migrations.AddConstraint(
            model_name='kpi',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('rationale'), 2000), name='kpi_rationale_length'),
        ),
        migrations.AddConstraint(
            model_name='kpi',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('status_reason'), 2000), name='kpi_status_reason_length'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('not_available_reason'), 1000), name='measurement_not_available_reason_length'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('commentary'), 5000), name='measurement_commentary_length'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('action_plan'), 5000), name='measurement_action_plan_length'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('data_quality_note'), 2000), name='measurement_data_quality_note_length'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('returned_reason'), 2000), name='measurement_returned_reason_length'),
        ),
        migrations.AddConstraint(
            model_name='priority',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description'), 2000), name='priority_description_length'),
        ),
        migrations.AddConstraint(
            model_name='reportingperiod',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('state_reason'), 2000), name='reporting_period_state_reason_length'),
        ),
    ]
