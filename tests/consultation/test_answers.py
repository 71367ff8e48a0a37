import pytest
from django.core.exceptions import PermissionDenied

from egov.consultation import services
from egov.consultation.errors import ConsultationError, IllegalTransition
from egov.consultation.models import Answer, Comment, Phase
from egov.core.models import AuditEntry

from .conftest import TEXT_V2


@pytest.fixture
def comments(world, consultation):
    a = services.submit(
        world.citizen, consultation, services.CommentData("Bỏ giấy chứng nhận", "dieu-3.khoan-1")
    )
    b = services.submit(
        world.citizens[0],
        consultation,
        services.CommentData("Giữ giấy sức khỏe", "dieu-3.khoan-2.diem-b"),
    )
    services.submit(  # a duplicate of a: answered with it
        world.citizens[1],
        consultation,
        services.CommentData("bỏ giấy chứng nhận", "dieu-3.khoan-1"),
    )
    return a, b


def _state():
    return (Answer.objects.count(), list(Comment.objects.values_list("answer", flat=True)))


def test_every_comment_answered_before_the_result(world, consultation, comments):
    a, b = comments
    c = services.make(world.drafter, consultation, "close_comments")
    with pytest.raises(IllegalTransition) as caught:
        services.make(world.drafter, c, "publish_result")
    assert "2" in caught.value.messages[0]
    c.refresh_from_db()
    assert c.phase == Phase.ANSWERS
    # Accepted: the clause changed in the next version is linked.
    with pytest.raises(ConsultationError) as no_version:
        services.answer(
            world.drafter,
            c,
            [a.pk],
            kind="accepted",
            text="Tiếp thu",
            changed_anchor="dieu-3.khoan-1",
        )
    assert no_version.value.code == "no_next_version"
    services.add_version(world.drafter, c.draft, text=TEXT_V2)
    accepted = services.answer(
        world.drafter, c, [a.pk], kind="accepted", text="Đã bỏ", changed_anchor="dieu-3.khoan-1"
    )
    assert accepted.changed_unit.version.number == 2
    with pytest.raises(IllegalTransition):
        services.make(world.drafter, c, "publish_result")
    explained = services.answer(world.lead, c, [b.pk], kind="explained", text="Cần cho sức khỏe")
    assert explained.changed_unit is None
    c = services.make(world.drafter, c, "publish_result")
    assert c.phase == Phase.RESULT
    entry = AuditEntry.objects.filter(action="consultation.comment.answer").first()
    assert entry.summary == {
        "kind": "accepted",
        "comments": [a.pk],
        "changed": "dieu-3.khoan-1",
        "version": 2,
    }


def test_bad_answers_change_nothing(world, consultation, comments):
    a, b = comments
    services.add_version(world.drafter, consultation.draft, text=TEXT_V2)
    before = _state()
    with pytest.raises(PermissionDenied):  # not at the drafting agency
        services.answer(world.outsider, consultation, [a.pk], kind="explained", text="Không")
    with pytest.raises(PermissionDenied):
        services.answer(world.citizen, consultation, [a.pk], kind="explained", text="Không")
    cases = [
        ({"kind": "accepted", "text": "x", "changed_anchor": ""}, "required"),
        (
            {"kind": "accepted", "text": "x", "changed_anchor": "dieu-3.khoan-2.diem-b"},
            "unchanged_unit",
        ),
        ({"kind": "accepted", "text": "x", "changed_anchor": "dieu-9"}, "unknown_anchor"),
        ({"kind": "explained", "text": ""}, "required"),
        ({"kind": "maybe", "text": "x"}, "invalid"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ConsultationError) as caught:
            services.answer(world.drafter, consultation, [a.pk], **kwargs)
        assert caught.value.code == code, kwargs
    duplicate = Comment.objects.get(leader=a)
    with pytest.raises(ConsultationError) as caught:
        services.answer(world.drafter, consultation, [duplicate.pk], kind="explained", text="x")
    assert caught.value.code == "not_published"
    services.answer(world.drafter, consultation, [a.pk, b.pk], kind="explained", text="Chung")
    with pytest.raises(ConsultationError) as caught:
        services.answer(world.drafter, consultation, [a.pk], kind="explained", text="Lại")
    assert caught.value.code == "answered"
    assert Answer.objects.count() == before[0] + 1


def test_a_comment_hidden_by_reports_holds_the_gate(world, consultation, comments):
    a, b = comments
    for person in world.citizens[:3]:
        services.report(person, b, reason="spam")
    services.answer(world.drafter, consultation, [a.pk], kind="explained", text="Giải trình")
    c = services.make(world.drafter, consultation, "close_comments")
    with pytest.raises(IllegalTransition) as caught:
        services.make(world.drafter, c, "publish_result")
    assert caught.value.code == "unanswered"
    services.hide(world.lead, b, reason="Spam")
    assert services.make(world.drafter, c, "publish_result").phase == Phase.RESULT
