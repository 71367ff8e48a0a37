"""Procedure versions: publishing and superseding (egov.catalog.services.versions)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from egov.catalog.models import Procedure, ProcedureVersion, VersionStatus
from egov.catalog.services import versions

from .conftest import minimal_content

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 1)


# --- versions ---------------------------------------------------------------------------------


def test_publish_refuses_a_version_without_channel_or_documents(orgs):
    draft = versions.create_procedure(
        minimal_content(channels=[], required_documents=[], detailed=True)
    )
    with pytest.raises(ValidationError) as exc:
        versions.publish(draft, effective_from=DAY)
    assert "no channel" in str(exc.value) and "no required documents" in str(exc.value)
    assert ProcedureVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_supersede_closes_the_old_version_and_overlap_is_refused(orgs):
    v1 = versions.publish(versions.create_procedure(minimal_content()), effective_from=DAY)
    with pytest.raises(ValidationError, match="only a draft can be edited"):
        versions.update_draft(v1, minimal_content(name="Changed in place"))
    v2 = versions.new_draft(v1.procedure)
    versions.update_draft(v2, minimal_content(name="Tên mới của thủ tục"))
    with pytest.raises(ValidationError, match="overlaps version 1"):
        versions.publish(v2, effective_from=DAY)  # same day as v1
    versions.publish(v2, effective_from=DAY + dt.timedelta(days=10))
    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED
    assert v1.effective_to == DAY + dt.timedelta(days=9)
    procedure = Procedure.objects.get(pk=v1.procedure_id)
    assert procedure.current_version_id == v2.pk and procedure.name == "Tên mới của thủ tục"
    assert procedure.version_on(DAY + dt.timedelta(days=3)) == v1
    assert procedure.version_on(DAY + dt.timedelta(days=10)).pk == v2.pk
