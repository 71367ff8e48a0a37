"""Submitting through forms and .xlsx, signing, and the rules' missing-value strategies.

The old ``skip_if_missing`` becomes DHIS2's strategy: True was "skip if any value is missing",
False "never skip". The signature of a submission is its own table (its signed PDF kept in the
row). All of it in one migration so that it can be renumbered at merge.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def strategies(apps, schema_editor):
    Rule = apps.get_model("reporting", "ValidationRule")
    Rule.objects.filter(skip_if_missing=False).update(missing_values="never_skip")


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0005_name_weights'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SubmissionSignature',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.DateTimeField(verbose_name='version signed')),
                ('holder', models.CharField(max_length=64, verbose_name='certificate holder')),
                ('signed_at', models.DateTimeField(verbose_name='signed at')),
                ('pdf', models.BinaryField(verbose_name='signed report (PDF)')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256 of the signed PDF')),
            ],
            options={
                'verbose_name': 'submission signature',
                'ordering': ['-signed_at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='validationrule',
            name='missing_values',
            field=models.CharField(choices=[('skip_if_any', 'Skip if any value is missing'), ('skip_if_all', 'Skip if all values are missing'), ('never_skip', 'Never skip')], default='skip_if_any', max_length=12, verbose_name='when a value is missing'),
        ),
        migrations.RunPython(strategies, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='validationrule',
            name='skip_if_missing',
        ),
        migrations.AddField(
            model_name='validationrule',
            name='percent',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=7, null=True, verbose_name='allowed change (%)'),
        ),
        migrations.AlterField(
            model_name='validationrule',
            name='operator',
            field=models.CharField(choices=[('<=', 'at most'), ('<', 'less than'), ('==', 'equal to'), ('>=', 'at least'), ('>', 'greater than'), ('required', 'is required'), ('within%', 'within ±x% of the previous period')], max_length=8, verbose_name='comparison'),
        ),
        migrations.AddConstraint(
            model_name='validationrule',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('operator', 'within%'), _negated=True), models.Q(('percent__gte', 0), ('percent__isnull', False)), _connector='OR'), name='reporting_rule_within_percent'),
        ),
        migrations.AddField(
            model_name='submissionsignature',
            name='signed_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='signed by'),
        ),
        migrations.AddField(
            model_name='submissionsignature',
            name='submission',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='signatures', to='reporting.submission', verbose_name='submission'),
        ),
    ]
