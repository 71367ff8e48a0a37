"""``egov load-demo`` on an empty database: the command centre filled with approved months up
the demo's tree down to a signed commune report, an open consultation with the demo citizens'
comments in its margin and the drafting agency's answers, a reform plan; and a second run that
adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from egov.accounts.models import Official
from egov.consultation.models import Answer, Comment, Consultation, DraftVersion, ReformItem
from egov.core.models import AuditEntry
from egov.reporting.models import (
    Aggregate,
    Approval,
    DataValue,
    Indicator,
    Submission,
    SubmissionSignature,
)

from ..reporting.conftest import ensure_indicators

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # the whole tree and catalogue, twice

RECEIVED = "svc_dossiers_received"


def _counts() -> dict:
    models = (Submission, Approval, SubmissionSignature, Aggregate, DataValue, Comment, Answer)
    counts = {m.__name__: m.objects.count() for m in models}
    counts.update(
        versions=DraftVersion.objects.count(),
        items=ReformItem.objects.count(),
        audit=AuditEntry.objects.count(),
    )
    return counts


def _user(username):
    return Official.objects.select_related("user", "organisation").get(user__username=username)


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="vi")


def test_load_demo_fills_the_command_centre_and_a_consultation_once(settings, capsys, client):
    """One test: the whole tree and catalogue take half a minute to load."""
    settings.PRODUCTION = False
    settings.EGOV_OIDC_ISSUER = "http://127.0.0.1:9999"  # the demo citizens' provider
    ensure_indicators()  # a transactional test before may have flushed them
    call_command("load_demo")
    _command_centre(capsys.readouterr().out, client)
    _consultation(client)
    before = _counts()
    call_command("load_demo")
    assert _counts() == before
    assert "0 sent, 0 signed, 0 approved now" in capsys.readouterr().out


def _command_centre(loaded, client):
    assert "user thongke" in loaded and "/reporting/dashboard/" in loaded
    regime = Submission.objects.select_related("regime").first().regime
    latest = Submission.objects.order_by("-year", "-number").first()
    year, number = latest.year, latest.number
    assert Approval.objects.filter(regime=regime, year=year).count() >= 10  # months approved
    received = Indicator.objects.get(key=RECEIVED)
    # The nation, read by the Government Office's official: the sum of the approved reports.
    nation = _get(client, _user("vpcp").user, "/reporting/dashboard/")
    assert nation.status_code == 200
    lines = {line.indicator.key: line for s in nation.context["sections"] for line in s.lines}
    sent = DataValue.objects.filter(
        indicator=received, submission__year=year, submission__number=number
    )
    assert lines[RECEIVED].value == sum(v.value for v in sent) > 0
    assert lines[RECEIVED].previous["then"] is not None  # the month before is there too
    assert lines[RECEIVED].last_year["then"] is not None  # and the same month last year
    assert lines["retail_sales"].value > 0  # the provinces' own figures
    body = nation.content.decode()
    assert received.name in body and received.unit in body
    # The province's official is sent to Đà Nẵng's dashboard.
    thongke = _user("thongke")
    home = _get(client, thongke.user, "/reporting/dashboard/")
    assert home.status_code == 302 and thongke.organisation.code in home["Location"]
    province = _get(client, thongke.user, home["Location"])
    assert province.status_code == 200 and thongke.organisation.name in province.content.decode()
    # Drilling down: the nation, the province, the demo commune's signed, approved report.
    motcua, lanhdao = _user("motcua"), _user("lanhdao")
    url = f"/reporting/dashboard/figure/{regime.code}/{RECEIVED}/{year}/{number}/"
    top = _get(client, _user("vpcp").user, url)
    assert thongke.organisation.name in top.content.decode()
    down = _get(client, thongke.user, url, organisation=thongke.organisation.code)
    assert down.status_code == 200 and motcua.organisation.name in down.content.decode()
    assert down.context["value"] == down.context["parts_sum"]  # a sum: the parts add up
    commune = _get(client, lanhdao.user, url, organisation=motcua.organisation.code)
    assert commune.status_code == 200
    (own,) = commune.context["own"]
    assert own["signature"] is not None and own["approval"].approved_by == lanhdao.user
    page = commune.content.decode()
    assert f"/reporting/signatures/{own['signature'].pk}.pdf" in page
    assert "Nguyễn Thị Lan Anh" in page and "Lê Minh Tuấn" in page  # names, not usernames
    pdf = _get(client, lanhdao.user, f"/reporting/signatures/{own['signature'].pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def _consultation(client):
    consultation = Consultation.objects.get()
    assert consultation.phase == "comments"
    page = client.get(f"/consultation/{consultation.code}/", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    body = page.content.decode()
    comments = Comment.objects.filter(consultation=consultation)
    assert comments.count() == 5 and Answer.objects.count() == 2
    for comment in comments:
        assert comment.text in body
    assert "Nguyễn Văn An" in body and "Trần Thị Bình" in body  # the commenters' names
    for answer in Answer.objects.all():
        assert answer.text in body
    item = ReformItem.objects.select_related("plan").first()
    plan = client.get(f"/api/v1/consultation/reform-plans/{item.plan_id}/")
    assert plan.status_code == 200 and len(plan.json()["items"]) == 2
