"""The consultation scenario's plumbing (bench/consultation.py) at a tiny size: its setup makes
a draft through the services and bulk comments the draft page shows, and leaves an e-ID
session the API takes a comment from; gunicorn and wrk only in the real run."""

from __future__ import annotations

import json

from django.test import Client

from bench import consultation as scenario
from bench.petitions import auth_headers
from egov.consultation.models import Comment, Consultation, Moderation
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData


def test_setup_the_page_and_intake(db, settings, capsys):
    settings.EGOV_INSTANCE_ORG_CODE = "000.00.00.G22"
    create = org_services.create_organisation
    create(OrganisationData("000.00.00.G22", "Văn phòng Chính phủ", "central"))
    create(OrganisationData("000.00.00.G10", "Bộ Công Thương", "central"))
    exec(scenario.SETUP % {"articles": 12, "comments": 80}, {})  # noqa: S102 (egov shell's)
    setup = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert setup["articles"] == 12
    assert setup["comments"] == 80
    consultation = Consultation.objects.get(code=setup["code"])
    assert consultation.organisation.code == "000.00.00.G10"
    assert consultation.phase == "comments"
    comments = Comment.objects.filter(consultation=consultation)
    assert comments.filter(moderation=Moderation.VISIBLE, leader__isnull=True).count() == 80
    assert comments.filter(answer__isnull=False).count() == 20
    assert comments.filter(anchor="").count() == 2
    page = Client().get(scenario.PAGE_PATH.format(code=setup["code"]), HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    html = page.content.decode()
    assert "80 góp ý đã nhận, 80 đã công khai" in html
    assert "(ý kiến số 79)." in html
    client = Client(enforce_csrf_checks=True)
    headers = auth_headers(setup)
    client.cookies.load(headers["Cookie"])
    answer = client.post(
        scenario.SUBMIT_PATH.format(code=setup["code"]),
        json.dumps({"text": "Bench: ý kiến mới", "anchor": scenario.INTAKE_ANCHORS[0]}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=headers["X-CSRFToken"],
    )
    assert answer.status_code == 201, answer.content
    assert comments.count() == 81
