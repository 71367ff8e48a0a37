import pytest
from django.core.exceptions import PermissionDenied

from egov.consultation import services
from egov.consultation.errors import ConsultationError, IllegalTransition
from egov.consultation.models import Consultation, Draft, Phase
from egov.consultation.services.drafts import one_in_one_out
from egov.core.models import AuditEntry

from .conftest import TEXT_V2, window


def test_a_draft_has_versions_compared_clause_by_clause(world, draft):
    assert draft.code.startswith("DT-") and one_in_one_out(draft)
    v1 = draft.versions.get()
    assert v1.units.count() == 11
    v2 = services.add_version(world.drafter, draft, text=TEXT_V2, note="Sau góp ý")
    assert v2.number == 2
    rows = {r["anchor"]: r["change"] for r in services.compare(draft, 1, 2)}
    assert rows["dieu-3.khoan-1"] == "changed"
    assert rows["dieu-3.khoan-2.diem-c"] == "added"
    assert rows["dieu-2.khoan-2"] == "removed"
    entry = AuditEntry.objects.get(action="consultation.draft.version")
    assert entry.summary == {
        "number": 2,
        "source": "text",
        "unchanged": 9,
        "changed": 1,
        "added": 1,
        "removed": 1,
    }
    with pytest.raises(ConsultationError):
        services.compare(draft, 1, 7)


def test_drafts_are_written_by_the_agency_only(world, draft):
    with pytest.raises(PermissionDenied):
        services.add_version(world.outsider, draft, text=TEXT_V2)
    with pytest.raises(ConsultationError):
        services.add_version(world.drafter, draft, text="Không có điều nào")
    assert draft.versions.count() == 1
    with pytest.raises(PermissionDenied):
        services.create_draft(world.outsider, world.m, title="X", doc_type="decree", text=TEXT_V2)
    assert Draft.objects.count() == 1


def test_the_phases_move_through_the_act_table(world, draft):
    c = services.create_consultation(world.drafter, draft, title="Lấy ý kiến", windows=window())
    assert c.phase == Phase.PREPARING
    with pytest.raises(IllegalTransition):
        services.make(world.drafter, c, "close_comments")
    with pytest.raises(PermissionDenied):
        services.make(world.outsider, c, "open_debate")
    c = services.make(world.drafter, c, "open_debate")
    c = services.make(world.drafter, c, "open_comments")
    c = services.make(world.drafter, c, "close_comments")
    c = services.make(world.drafter, c, "publish_result")  # no comment: nothing to answer
    assert c.phase == Phase.RESULT
    actions = list(
        AuditEntry.objects.filter(action__startswith="consultation.").values_list(
            "action", flat=True
        )
    )
    assert actions[-5:] == [
        "consultation.open_debate",
        "consultation.open_comments",
        "consultation.close_comments",
        "consultation.publish_result",
        "consultation.summary.publish",  # the table, sealed, with the result
    ]


def test_a_consultation_needs_its_comment_window(world, draft):
    with pytest.raises(ConsultationError) as caught:
        services.create_consultation(world.drafter, draft, title="X", windows={})
    assert "phases.comments" in caught.value.message_dict
    start, end = window()[Phase.COMMENTS]
    with pytest.raises(ConsultationError):
        services.create_consultation(
            world.drafter, draft, title="X", windows={Phase.COMMENTS: (end, start)}
        )
    assert not Consultation.objects.exists()
