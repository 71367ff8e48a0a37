"""1.2 (published on time after the announcement) has a source: the catalogue's decision number
and the document exchange's registered decision (its date)."""

from django.db import migrations, models


def wire(apps, schema_editor):
    IndexIndicator = apps.get_model("serviceindex", "IndexIndicator")
    IndexIndicator.objects.filter(
        group__version__code="766-2022", code="1.2", formula="published_after_announcement"
    ).update(data_source="exchange")


def unwire(apps, schema_editor):
    IndexIndicator = apps.get_model("serviceindex", "IndexIndicator")
    IndexIndicator.objects.filter(group__version__code="766-2022", code="1.2").update(
        data_source="none"
    )


class Migration(migrations.Migration):
    dependencies = [("serviceindex", "0003_period_indexes")]

    operations = [
        migrations.AlterField(
            model_name="indexindicator",
            name="data_source",
            field=models.CharField(
                choices=[
                    ("catalog", "Catalogue of procedures"),
                    ("dossiers", "Dossiers"),
                    ("payments", "Payments"),
                    ("petitions", "Feedback and petitions"),
                    ("sync", "Sync to the national portal"),
                    ("ratings", "Satisfaction ratings"),
                    ("exchange", "Document exchange"),
                    ("none", "Not recorded by the platform"),
                ],
                max_length=12,
                verbose_name="data source",
            ),
        ),
        migrations.RunPython(wire, unwire),
    ]
