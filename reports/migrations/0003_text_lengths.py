import django.db.models.functions.text
import django.db.models.lookups
import pmf.fields
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Length


# Text written before these limits and longer than one is cut to fit, ending with NOTE, so that the
# constraints can be added. (Pack narratives and withdrawal reasons have no history.)
NOTE = " [shortened to {limit:,} characters when limits on text came in]"
LENGTHS = {
    "packdraft": {
        "outcome": 2000,
        "recommendations": 5000,
        "officer_contact": 1000,
        "member_contacts": 1000,
        "background": 10000,
        "alignment": 5000,
        "implications": 10000,
        "source_documents": 2000,
    },
    "packversion": {"withdrawn_reason": 2000},
}


def shorten_long_text(apps, schema_editor):
    for model_name, fields in LENGTHS.items():
        model = apps.get_model("reports", model_name)
        for name, limit in fields.items():
            too_long = model.objects.annotate(chars=Length(name)).filter(chars__gt=limit)
            for row in too_long.only("pk", name):
                note = NOTE.format(limit=limit)
                setattr(row, name, getattr(row, name)[: limit - len(note)] + note)
                row.save(update_fields=[name])


class Migration(migrations.Migration):

    dependencies = [
        ('committees', '0001_initial'),
        ('reports', '0002_pack_previews'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='packdraft',
            name='alignment',
            field=models.TextField(blank=True, max_length=5000, validators=[pmf.fields.TextLengthValidator(5000)], verbose_name='alignment with corporate priorities'),
        ),
        migrations.AlterField(
            model_name='packdraft',
            name='background',
            field=models.TextField(blank=True, max_length=10000, validators=[pmf.fields.TextLengthValidator(10000)]),
        ),
        migrations.AlterField(
            model_name='packdraft',
            name='implications',
            field=models.TextField(blank=True, max_length=10000, validators=[pmf.fields.TextLengthValidator(10000)], verbose_name='significant implications'),
        ),
        migrations.AlterField(
            model_name='packdraft',
            name='member_contacts',
            field=models.TextField(blank=True, max_length=1000, validators=[pmf.fields.TextLengthValidator(1000)], verbose_name='member contacts'),
        ),
        migrations.AlterField(
            model_name='packdraft',
            name='officer_contact',
            field=models.TextField(blank=True, max_length=1000, validators=[pmf.fields.TextLengthValidator(1000)], verbose_name='officer contact'),
        ),
        migrations.AlterField(
            model_name='packdraft',
            name='outcome',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='packdraft',
            name='recommendations',
            field=models.TextField(blank=True, help_text='One recommendation a line; they are lettered a), b), c) …', max_length=5000, validators=[pmf.fields.TextLengthValidator(5000)]),
        ),
        migrations.AlterField(
            model_name='packdraft',
            name='source_documents',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)], verbose_name='source documents'),
        ),
        migrations.AlterField(
            model_name='packversion',
            name='withdrawn_reason',
            field=models.TextField(blank=True, max_length=2000, validators=[pmf.fields.TextLengthValidator(2000)]),
        ),
        migrations.RunPython(shorten_long_text, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='packdraft',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('outcome'), 2000), name='pack_draft_outcome_length'),
        ),
        migrations.AddConstraint(
            model_name='packdraft',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('recommendations'), 5000), name='pack_draft_recommendations_length'),
        ),
        migrations.AddConstraint(
            model_name='packdraft',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('officer_contact'), 1000), name='pack_draft_officer_contact_length'),
        ),
        migrations.AddConstraint(
            model_name='packdraft',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('member_contacts'), 1000), name='pack_draft_member_contacts_length'),
        ),
        migrations.AddConstraint(
            model_name='packdraft',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('background'), 10000), name='pack_draft_background_length'),
        ),
        migrations.AddConstraint(
            model_name='packdraft',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('alignment'), 5000), name='pack_draft_alignment_length'),
        ),
        migrations.AddConstraint(
            model_name='packdraft',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('implications'), 10000), name='pack_draft_implications_length'),
        ),
        migrations.AddConstraint(
            model_name='packdraft',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('source_documents'), 2000), name='pack_draft_source_documents_length'),
        ),
        migrations.AddConstraint(
            model_name='packversion',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('withdrawn_reason'), 2000), name='pack_version_withdrawn_reason_length'),
        ),
    ]
