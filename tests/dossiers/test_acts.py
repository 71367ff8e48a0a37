"""The act table (egov.dossiers.acts) is the one answer to "who may do what to a dossier now":
the pages offer what the API accepts, for every status, demo role and act; and the defects the
copies of the table had (issue 11, section 3) stay fixed."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIRequestFactory, force_authenticate

from egov.accounts.models import Role
from egov.accounts.policy import ROLE_SCOPES
from egov.dossiers import services
from egov.dossiers.acts import ACTS, BATCH_ACTS, allowed_acts, check_transition
from egov.dossiers.models import Result, Status

from .core_support import PDF, submit, world  # noqa: F401
from .web_support import citizen_login, pdf_file, small_signed_pdf

pytestmark = pytest.mark.django_db

FACTORY = APIRequestFactory()
OFFERED = re.compile(r'name="act" value="(\w+)"')


def _states(w) -> dict[str, object]:
    """A dossier of commune A in each status (and processing at each kind of step)."""
    new = submit(w)

    def received():
        return services.receive(submit(w), actor=None)

    def processing():
        return services.start_processing(received(), actor=None)

    at_approval = services.forward(processing(), actor=None)
    at_last_step = services.forward(services.forward(processing(), actor=None), actor=None)
    supplement = received()
    services.request_supplement(supplement, actor=None, items=[{"name": "Bản sao"}])
    supplement.refresh_from_db()
    states = {
        "new": new,
        "received": received(),
        "not_received": services.refuse(submit(w), actor=None, reason="Sai thẩm quyền"),
        "processing": processing(),
        "processing_at_approval": at_approval,
        "processing_at_last_step": at_last_step,
        "supplement_requested": supplement,
        "fees_due": services.require_fees(processing(), actor=None, amount_vnd=50000),
        "withdrawn": services.withdraw(submit(w), actor=None, reason="Không cần nữa"),
        "stopped": services.stop(received(), actor=None, reason="Dừng"),
        "processed": services.mark_processed(processing(), actor=None),
        "returned": services.return_result(
            services.mark_processed(processing(), actor=None), actor=None
        ),
    }
    assert {d.status for d in states.values()} == set(Status.values)
    return states


def _body(act: str, dossier, w, signed_pdf: bytes) -> dict:
    steps = [s for s in w.steps if dossier.current_step and s.order < dossier.current_step.order]
    due = dossier.due_at or timezone.now()
    return {
        "refuse": {"reason": "Lý do"},
        "withdraw": {"reason": "Lý do"},
        "stop": {"reason": "Lý do"},
        "request_supplement": {"items": [{"name": "Bản sao"}]},
        "return_to_step": {"step": (steps[-1] if steps else w.steps[0]).pk, "reason": "Thiếu"},
        "assign": {"official": w.processor.pk},
        "require_fees": {"amount_vnd": 1000},
        "transfer": {"organisation": w.b.code},
        "issue_apology": {"reason": "Chậm", "new_due_at": (due + dt.timedelta(days=7)).isoformat()},
        "attach_result": {
            "filename": "kq.pdf",
            "content_base64": base64.b64encode(signed_pdf).decode(),
            "name": "Giấy xác nhận",
        },
    }.get(act, {})


def _api(user, url: str, body: dict) -> int:
    """The API's answer to ``user``, with everything it wrote rolled back. The view is called
    straight (no middleware, the same user object, whose grants the policy remembers): a
    thousand calls in seconds."""
    match = resolve(url)
    request = FACTORY.post(url, body, format="json")
    force_authenticate(request, user=user)
    with transaction.atomic():
        response = match.func(request, *match.args, **match.kwargs)
        transaction.set_rollback(True)
    assert response.status_code < 500, (url, response.status_code)
    return response.status_code


def test_pages_offer_exactly_what_the_api_accepts(world):  # noqa: F811
    w = world
    states = _states(w)
    signed_pdf = small_signed_pdf(w.a)
    roles = {
        "desk": w.desk.user,
        "specialist": w.processor.user,
        "leader": w.approver.user,
        "citizen": w.citizen.user,
    }
    acts = [act for act in ACTS.values() if act.sources]  # submit and register make dossiers
    held = {
        "desk": set(ROLE_SCOPES[Role.DESK]),
        "specialist": set(ROLE_SCOPES[Role.PROCESSOR]),
        "leader": set(ROLE_SCOPES[Role.APPROVER]),
        "citizen": set(),
    }
    mismatches, checks, refused_alike = [], 0, set()
    for role, user in roles.items():
        page = Client()
        if role == "citizen":
            citizen_login(page, w.citizen)
        else:
            page.force_login(user)
        for state, dossier in states.items():
            url = (
                f"/my/dossiers/{dossier.code}/"
                if role == "citizen"
                else f"/one-stop/d/{dossier.code}/"
            )
            response = page.get(url)
            assert response.status_code == 200, (role, state, response.status_code)
            offered = set(OFFERED.findall(response.content.decode()))
            for act in acts:
                # An act the role holds no scope of (nor the applicant's right) is refused
                # before the dossier is read: asked once per role and act, not per status.
                blind = not (set(act.all_scopes) & held[role]) and not (
                    act.applicant and role == "citizen"
                )
                if blind and (role, act.name) in refused_alike:
                    checks += 1
                    if act.name in offered:
                        mismatches.append((state, role, act.name, "page", True))
                    continue
                refused_alike.add((role, act.name))
                body = _body(act.name, dossier, w, signed_pdf)
                base = f"/api/v1/dossiers/{dossier.code}/"
                answers = {"api": _api(user, f"{base}{act.api.replace('_', '-')}/", body) < 300}
                if act.batch:
                    batch = f"/api/v1/dossiers/batch/{act.name.replace('_', '-')}/"
                    answers["batch"] = _api(user, batch, {"codes": [dossier.code]}) < 300
                for where, accepted in answers.items():
                    checks += 1
                    if accepted != (act.name in offered):
                        mismatches.append((state, role, act.name, where, accepted))
    assert checks >= len(states) * len(roles) * len(acts) > 800
    assert mismatches == []


def test_the_table_answers_what_the_services_enforce(world):  # noqa: F811
    d = submit(world)
    names = [a.name for a in allowed_acts(d, world.desk.user)]
    assert names == ["receive", "refuse", "request_supplement", "withdraw"]
    assert check_transition(d, "receive") == Status.RECEIVED
    with pytest.raises(services.IllegalTransition):
        check_transition(d, "approve")
    assert set(BATCH_ACTS) == {
        "receive",
        "start_processing",
        "approve",
        "mark_processed",
        "return_result",
    }


# --- the defects of the copies (issue 11, section 3) ---


def test_the_desk_assigns_a_received_dossier_through_the_page_and_the_api(client, world):  # noqa: F811
    # One rule: the desk gives received dossiers to a specialist (receive or process). The API
    # asked for dossiers.process only.
    d = services.receive(submit(world), actor=None)
    client.force_login(world.desk.user)
    assert 'value="assign"' in client.get(f"/one-stop/d/{d.code}/").content.decode()
    api = Client()
    api.force_login(world.desk.user)
    r = api.post(
        f"/api/v1/dossiers/{d.code}/assign/",
        {"official": world.processor.pk},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert d.assignments.get(ended_at__isnull=True).official == world.processor


def test_a_new_dossier_is_not_offered_stop(client, world):  # noqa: F811
    d = submit(world)
    client.force_login(world.approver.user)
    page = client.get(f"/one-stop/d/{d.code}/").content.decode()
    assert 'value="stop"' not in page
    with pytest.raises(services.IllegalTransition):
        services.stop(d, actor=world.approver.user, reason="Dừng")


def test_an_unsigned_result_is_refused_alike_by_page_and_api(client, world):  # noqa: F811
    d = services.start_processing(services.receive(submit(world), actor=None), actor=None)
    message = "Kết quả phải là tệp PDF có chữ ký số hợp lệ của chứng thư số tin cậy."
    api = Client(HTTP_ACCEPT_LANGUAGE="vi")
    api.force_login(world.processor.user)
    r = api.post(
        f"/api/v1/dossiers/{d.code}/result/",
        {
            "filename": "kq.pdf",
            "content_base64": base64.b64encode(PDF).decode(),
            "name": "Kết quả",
            "signed": True,
        },
        content_type="application/json",
    )
    assert r.status_code == 400, r.content
    assert r.json()["fields"] == {"file": [message]}
    client.force_login(world.processor.user)
    page = client.post(
        f"/one-stop/d/{d.code}/act/",
        {"act": "attach_result", "result": pdf_file("kq.pdf")},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert page.status_code == 400 and message in page.content.decode()
    assert not Result.objects.filter(dossier=d).exists()
    with pytest.raises(services.UploadRejected):
        services.attach_result(d, actor=None, content=PDF, filename="kq.pdf", name="Kết quả")


def test_the_specialist_sends_the_dossier_on_to_approval_and_is_not_told_to_approve(
    client,
    world,  # noqa: F811
):
    # At the specialist's step the page offers the move to the approval step, named; at the last
    # step it offers no "next step" the services refuse.
    d = services.start_processing(services.receive(submit(world), actor=None), actor=None)
    client.force_login(world.processor.user)
    page = client.get(f"/one-stop/d/{d.code}/").content.decode()
    assert 'value="forward"' in page and "2. Phê duyệt" in page
    client.post(f"/one-stop/d/{d.code}/act/", {"act": "forward"})
    d.refresh_from_db()
    assert d.current_step == world.steps[2]
    client.force_login(world.approver.user)
    assert 'value="approve"' in client.get(f"/one-stop/d/{d.code}/").content.decode()

    last = services.forward(d, actor=None)
    assert last.current_step == world.steps[3]
    for official in (world.processor, world.approver, world.desk):
        client.force_login(official.user)
        page = client.get(f"/one-stop/d/{last.code}/").content.decode()
        assert 'value="forward"' not in page
    client.force_login(world.processor.user)
    assert 'value="mark_processed"' in client.get(f"/one-stop/d/{last.code}/").content.decode()


def test_the_queue_offers_the_bulk_acts_of_the_officials_scopes(client, world):  # noqa: F811
    submit(world)
    offered = {}
    for name, official in (("desk", world.desk), ("leader", world.approver)):
        client.force_login(official.user)
        page = client.get("/one-stop/").content.decode()
        bulk = page[page.index('id="bulk-act"') :].split("</select>")[0]
        offered[name] = re.findall(r'<option value="(\w+)"', bulk)
    assert offered["desk"] == ["receive", "start_processing", "return_result", "assign"]
    assert offered["leader"] == ["approve"]


def test_fees_asked_on_the_page_keep_their_zeros(
    client,
    world,  # noqa: F811
):
    """ "221.000" asked on the dossier's page is 221000 đồng (it was refused: digits only);
    what is not an amount is refused in Vietnamese and the dossier stays as it was."""
    d = services.start_processing(services.receive(submit(world), actor=None), actor=None)
    client.force_login(world.processor.user)
    for bad in ("22l.000", "221.00", "1,5"):
        response = client.post(
            f"/one-stop/d/{d.code}/act/", {"act": "require_fees", "amount_vnd": bad}
        )
        assert "phân cách hàng nghìn bằng dấu chấm" in response.content.decode()
        d.refresh_from_db()
        assert d.status == Status.PROCESSING and d.fees_due_vnd is None
    client.post(f"/one-stop/d/{d.code}/act/", {"act": "require_fees", "amount_vnd": "221.000"})
    d.refresh_from_db()
    assert d.status == Status.FEES_DUE and d.fees_due_vnd == 221000
