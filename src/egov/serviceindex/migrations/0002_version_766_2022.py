"""Version 766-2022 of the index: its groups and indicators (docs/serviceindex.md, "Sources").

Names are in English here and shown through the app's catalogue (egov.serviceindex.labels).
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations


GROUPS = [
    # key, name, maximum
    ("publicity", "Publicity and transparency", 18),
    ("progress", "Progress and results of handling", 20),
    ("digitisation", "Digitisation of dossiers and results", 22),
    ("online", "Online services", 22),
    ("satisfaction", "Satisfaction", 18),
]

# group, code, name, points, formula, target, source, variant, parameters, numerator, denominator
INDICATORS = [
    ("publicity", "1.1", "Procedures announced on time", 6, "announced_on_time", 100,
     "catalog", "all", {"ministry_days": 20, "province_days": 5},
     "Versions published on time", "Versions published in the period"),
    ("publicity", "1.2", "Procedures published on time after announcement", 4,
     "published_after_announcement", 100, "none", "all",
     {"ministry_days": 10, "province_days": 5},
     "Procedures published on time", "Procedures announced"),
    ("publicity", "1.3", "Procedure records complete", 2, "records_complete", 100,
     "catalog", "all", {}, "Complete procedure records", "Procedures in force"),
    ("publicity", "1.4", "Dossiers synced to the national portal", 6, "dossiers_synced", 100,
     "sync", "all", {}, "Dossiers synced", "Dossiers received"),
    ("progress", "2.1", "Dossiers handled early or on time", 20, "handled_on_time", 100,
     "dossiers", "all", {"max_supplements": 1},
     "Dossiers finished early or on time", "Dossiers finished"),
    ("progress", "2.2", "Average handling time (working days)", 0, "average_handling_time", 100,
     "dossiers", "all", {}, "Working days spent", "Dossiers finished"),
    ("online", "3.1", "Procedures offered online", 4, "offered_online", 80,
     "catalog", "all", {}, "Procedures offered online", "Procedures in force"),
    ("online", "3.2", "Online procedures that received dossiers", 4, "online_with_dossiers", 100,
     "dossiers", "all", {}, "Online procedures with dossiers", "Procedures offered online"),
    ("online", "3.3", "Online submissions with an electronic result", 4, "online_submissions", 50,
     "dossiers", "all", {}, "Dossiers submitted online with an e-result", "Dossiers received"),
    ("online", "3.5", "Fee procedures payable online", 2, "fee_procedures_payable", 80,
     "catalog", "all", {}, "Fee procedures payable online", "Procedures with a fee"),
    ("online", "3.5b", "Fee procedures paid online", 2, "fee_procedures_paid", 80,
     "payments", "all", {}, "Fee procedures with an online payment", "Procedures with a fee"),
    ("online", "3.6", "Dossiers paid online", 6, "dossiers_paid_online", 80,
     "payments", "all", {}, "Dossiers paid online", "Dossiers with fees due"),
    ("digitisation", "4.1", "Electronic results issued", 6, "e_results", 100,
     "dossiers", "all", {}, "Finished dossiers with an e-result", "Dossiers finished"),
    ("digitisation", "4.2", "Dossiers digitised", 4, "digitised", 80,
     "dossiers", "all", {}, "Dossiers digitised", "Dossiers received"),
    ("digitisation", "4.2b", "Certified electronic copies", 2, "certified_copies", 100,
     "none", "all", {}, "Certified copies issued", "Certification requests"),
    ("digitisation", "4.3", "Digitised data reused", 2, "reused", 80,
     "dossiers", "all", {}, "Dossiers reusing digitised data", "Dossiers received"),
    ("digitisation", "4.4", "Files from the citizen's data store", 4, "data_store", 100,
     "dossiers", "all", {}, "Dossiers shared with the data store", "Dossiers received"),
    ("digitisation", "4.5", "Identity verified with the e-ID", 2, "eid_verified", 100,
     "dossiers", "all", {}, "Dossiers of citizens logged in with the e-ID", "Dossiers received"),
    ("digitisation", "4.5a", "Procedures connected to the population database", 2,
     "population_data", 100, "none", "all", {},
     "Procedures connected", "Procedures for citizens"),
    ("satisfaction", "5.2", "Petitions answered on time", 6, "petitions_on_time", 100,
     "petitions", "all", {}, "Petitions answered on time", "Petitions answered"),
    ("satisfaction", "5.3", "Satisfaction with the handling of petitions", 6,
     "petition_satisfaction", 100, "petitions", "all", {},
     "Petitions answered on time and found useful", "Petitions answered"),
    ("satisfaction", "5.4", "Satisfaction with procedures", 6, "procedure_satisfaction", 90,
     "ratings", "all", {}, "Dossiers without delay, petition or dislike", "Dossiers finished"),
]


def load(apps, schema_editor):
    IndexVersion = apps.get_model("serviceindex", "IndexVersion")
    IndicatorGroup = apps.get_model("serviceindex", "IndicatorGroup")
    IndexIndicator = apps.get_model("serviceindex", "IndexIndicator")
    version = IndexVersion.objects.create(
        code="766-2022",
        name="Decision 766/QĐ-TTg (2022)",
        applies_from=dt.date(2022, 6, 23),
        basis="766/QĐ-TTg",
    )
    groups = {}
    for order, (key, name, maximum) in enumerate(GROUPS):
        groups[key] = IndicatorGroup.objects.create(
            version=version, key=key, name=name, maximum=Decimal(maximum), order=order
        )
    for order, row in enumerate(INDICATORS):
        group, code, name, points, formula, target, source, variant, params, num, den = row
        IndexIndicator.objects.create(
            group=groups[group],
            code=code,
            name=name,
            points=Decimal(points),
            formula=formula,
            measure="average" if formula == "average_handling_time" else "rate",
            target=Decimal(target),
            data_source=source,
            variant=variant,
            parameters=params,
            numerator_label=num,
            denominator_label=den,
            order=order,
        )


def unload(apps, schema_editor):
    apps.get_model("serviceindex", "IndexVersion").objects.filter(code="766-2022").delete()


class Migration(migrations.Migration):
    dependencies = [("serviceindex", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
