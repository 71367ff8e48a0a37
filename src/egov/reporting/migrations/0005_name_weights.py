"""Name the weight of the weighted indicators whose data-set note names one in the data set.

The notes of shared/data/indicators.json (``aggregation_note``) say what a rate is recomputed
from; where that denominator is itself one of the 57, it becomes the weight:

- unemployment_rate: "Gia quyền theo lực lượng lao động" -> labour_force;
- grdp_per_capita: "bình quân gia quyền theo dân số" -> population_avg;
- health_insurance_coverage: "= tổng số người tham gia BHYT / tổng dân số" -> population_avg;
- ent_new_avg_capital: "= tổng vốn đăng ký / tổng số DN thành lập mới" -> ent_new;
- svc_online_dossier_rate: "= tổng số hồ sơ trực tuyến / tổng số hồ sơ" -> svc_dossiers_received.

The other weighted indicators keep no weight until an administrator names one (their
denominators, e.g. households for the poverty rate, are not among the 57).
"""

from django.db import migrations

WEIGHTS = {
    "unemployment_rate": "labour_force",
    "grdp_per_capita": "population_avg",
    "health_insurance_coverage": "population_avg",
    "ent_new_avg_capital": "ent_new",
    "svc_online_dossier_rate": "svc_dossiers_received",
}


def name(apps, schema_editor):
    Indicator = apps.get_model("reporting", "Indicator")
    keys = {i.key: i for i in Indicator.objects.filter(key__in=[*WEIGHTS, *WEIGHTS.values()])}
    for rate, weight in WEIGHTS.items():
        if rate in keys and weight in keys:
            Indicator.objects.filter(pk=keys[rate].pk).update(weight=keys[weight])


def unname(apps, schema_editor):
    Indicator = apps.get_model("reporting", "Indicator")
    Indicator.objects.filter(key__in=list(WEIGHTS)).update(weight=None)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_submissions")]

    operations = [migrations.RunPython(name, unname)]
