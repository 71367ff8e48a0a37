"""services.sign_result: signed, attached and approved all or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from egov.core.models import AuditEntry
from egov.dossiers import services
from egov.dossiers.models import Result, Status
from egov.dossiers.services import signed_results

from .core_support import submit, world  # noqa: F401


@pytest.fixture
def at_approval(world):  # noqa: F811
    w = world
    dossier = submit(w)
    services.receive(dossier, actor=w.desk.user)
    services.start_processing(dossier, actor=w.desk.user)
    services.forward(dossier, actor=w.processor.user)
    dossier.refresh_from_db()
    return w, dossier


def test_when_the_approval_fails_nothing_of_the_result_stays(at_approval, monkeypatch):
    w, dossier = at_approval
    saved = []
    real_save = default_storage.save
    monkeypatch.setattr(
        default_storage,
        "save",
        lambda name, content, **kw: saved.append(real_save(name, content, **kw)) or saved[-1],
    )

    def refuse(*args, **kwargs):
        raise ValidationError("refused late")

    monkeypatch.setattr(signed_results, "approve_dossier", refuse)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.sign_result(
            dossier,
            actor=w.approver.user,
            source="template",
            name="Giấy phép",
            decision="Cấp phép.",
            approve=True,
        )
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert not Result.objects.exists() and AuditEntry.objects.count() == before
    assert saved and not any(default_storage.exists(name) for name in saved)


def test_a_second_result_is_refused_before_signing(at_approval, monkeypatch):
    w, dossier = at_approval
    services.sign_result(
        dossier, actor=w.approver.user, source="template", name="Giấy phép", decision="Cấp."
    )
    monkeypatch.setattr(signed_results, "sign_pdf_as", lambda *a, **k: pytest.fail("signed"))
    with pytest.raises(ValidationError, match="đã có kết quả"):
        services.sign_result(
            dossier, actor=w.approver.user, source="template", name="Giấy phép", decision="Cấp."
        )
    assert Result.objects.count() == 1
