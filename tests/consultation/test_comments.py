from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from egov.accounts.models import BusinessRepresentation
from egov.consultation import services
from egov.consultation.errors import ConsultationError, IllegalTransition
from egov.consultation.models import Comment, Moderation, Phase, PhaseWindow, Report
from egov.core.models import AuditEntry

from .conftest import window


def _snapshot():
    return (Comment.objects.count(), Report.objects.count(), AuditEntry.objects.count())


def test_a_comment_on_a_clause_and_on_a_range(world, consultation):
    on_clause = services.submit(
        world.citizen, consultation, services.CommentData("Nên bỏ khoản này", "dieu-3.khoan-1")
    )
    assert on_clause.author_kind == "citizen" and on_clause.author_name == "Nguyễn Văn An"
    on_range = services.submit(
        world.citizen,
        consultation,
        services.CommentData("Hằng năm là quá dày", "dieu-3.khoan-2.diem-a", 27, 47),
    )
    assert on_range.quote == on_range.version.units.get(anchor="dieu-3.khoan-2.diem-a").text[27:47]
    BusinessRepresentation.objects.create(
        citizen=world.citizen.citizen, tax_code="0101234567", business_name="Công ty A"
    )
    with pytest.raises(PermissionDenied):
        services.submit(
            world.citizen,
            consultation,
            services.CommentData("Ý kiến chung", business_tax_code="0109999999"),
        )
    whole = services.submit(
        world.citizen,
        consultation,
        services.CommentData("Ý kiến chung", business_tax_code="0101234567"),
    )
    assert (whole.anchor, whole.author_kind, whole.author_name) == ("", "business", "Công ty A")
    entry = AuditEntry.objects.filter(action="consultation.comment.receive").last()
    assert entry.object_id == str(whole.pk)


def test_a_range_from_the_quoted_words(world, consultation):
    """The page's form without JavaScript: the words typed (or copied, line breaks and all)
    are found in the clause and give the range; not there, or there twice, is refused with
    the reason."""
    made = services.submit(
        world.citizen,
        consultation,
        services.CommentData(
            "Một lần là đủ", "dieu-3.khoan-2.diem-a", quote="  an toàn\n thực phẩm "
        ),
    )
    text = made.version.units.get(anchor="dieu-3.khoan-2.diem-a").text
    assert (made.range_start, made.range_end) == (text.index("an toàn"), text.index(" hằng"))
    assert made.quote == "an toàn thực phẩm"
    with translation.override("vi"), pytest.raises(ConsultationError) as missing:
        services.submit(
            world.citizen,
            consultation,
            services.CommentData("x", "dieu-3.khoan-2.diem-a", quote="mỗi tháng"),
        )
    assert missing.value.message_dict["quote"] == ["Không có đoạn “mỗi tháng” trong Điểm a."]
    with translation.override("vi"), pytest.raises(ConsultationError) as twice:
        services.submit(
            world.citizen,
            consultation,
            services.CommentData("x", "dieu-3.khoan-2.diem-a", quote="th"),
        )
    assert "2 lần" in twice.value.message_dict["quote"][0]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (services.CommentData("x", "dieu-99"), "anchor"),
        (services.CommentData("x", "dieu-3.khoan-1", 5, 500), "range_start"),
        (services.CommentData("x", "", 0, 3), "anchor"),
        (services.CommentData("   "), "text"),
        (services.CommentData("x", "dieu-3.khoan-2.diem-a", quote="mỗi tháng"), "quote"),
        (services.CommentData("x", "dieu-3.khoan-2.diem-a", quote="th"), "quote"),
        (services.CommentData("x", "", quote="an toàn"), "quote"),
    ],
)
def test_bad_comments_change_nothing(world, consultation, data, field):
    before = _snapshot()
    with pytest.raises(ConsultationError) as caught:
        services.submit(world.citizen, consultation, data)
    assert field in caught.value.message_dict
    assert _snapshot() == before


def test_comments_only_within_the_window_unless_late_ones_are_allowed(world, consultation):
    PhaseWindow.objects.filter(consultation=consultation).update(
        ends_at=timezone.now() - timedelta(hours=1)
    )
    before = _snapshot()
    with pytest.raises(IllegalTransition) as caught:
        services.submit(world.citizen, consultation, services.CommentData("Muộn"))
    assert caught.value.code == "window_closed"
    assert _snapshot() == before
    consultation.allow_late = True
    consultation.save()
    assert services.submit(world.citizen, consultation, services.CommentData("Muộn")).pk


def test_no_comment_before_the_window_or_outside_the_comments_phase(world, draft):
    c = services.create_consultation(
        world.drafter, draft, title="Sắp mở", windows=window(days_before=-2, days_after=30)
    )
    with pytest.raises(IllegalTransition):
        services.submit(world.citizen, c, services.CommentData("Sớm"))
    c = services.make(world.drafter, c, "open_comments")
    with pytest.raises(IllegalTransition):
        services.submit(world.citizen, c, services.CommentData("Sớm"))
    assert not Comment.objects.exists()


def test_officials_and_anonymous_people_do_not_comment_as_citizens(world, consultation):
    with pytest.raises(PermissionDenied):
        services.submit(world.drafter, consultation, services.CommentData("Tôi là cán bộ"))
    with pytest.raises(PermissionDenied):
        services.submit(None, consultation, services.CommentData("Ẩn danh"))


def test_identical_comments_are_grouped_and_counted(world, consultation):
    first = services.submit(
        world.citizen, consultation, services.CommentData("Đề nghị  BỎ quy định này.", "dieu-3")
    )
    for person in world.citizens:
        services.submit(
            person, consultation, services.CommentData("đề nghị bỏ quy định này", "dieu-3")
        )
    other_place = services.submit(
        world.citizen, consultation, services.CommentData("Đề nghị bỏ quy định này.", "dieu-1")
    )
    first.refresh_from_db()
    assert first.group_size == 5 and other_place.group_size == 1
    assert Comment.objects.filter(leader=first).count() == 4
    published = Comment.objects.filter(moderation=Moderation.VISIBLE, leader__isnull=True)
    assert (Comment.objects.count(), published.count()) == (6, 2)


def test_three_reports_hide_a_comment_pending_review(world, consultation):
    comment = services.submit(world.citizen, consultation, services.CommentData("Quảng cáo"))
    services.report(world.citizens[0], comment, reason="spam")
    before = _snapshot()
    with pytest.raises(ConsultationError) as caught:
        services.report(world.citizens[0], comment, reason="offensive")
    assert caught.value.code == "already_reported"
    assert _snapshot() == before
    with pytest.raises(ConsultationError):
        services.report(world.citizens[1], comment, reason="nonsense")
    services.report(world.citizens[1], comment, reason="off_topic")
    comment.refresh_from_db()
    assert comment.moderation == Moderation.VISIBLE
    services.report(world.citizens[2], comment, reason="spam", details="Bán hàng")
    comment.refresh_from_db()
    assert (comment.moderation, comment.reports_count) == (Moderation.PENDING, 3)
    assert comment.text == "Quảng cáo"  # hidden text is kept
    assert AuditEntry.objects.filter(action="consultation.comment.auto_hide").count() == 1
    with pytest.raises(ConsultationError):  # no longer published
        services.report(world.citizens[3], comment, reason="spam")


def test_moderators_hide_and_restore_and_are_audited(world, consultation):
    comment = services.submit(world.citizen, consultation, services.CommentData("Lời lẽ"))
    with pytest.raises(PermissionDenied):
        services.hide(world.drafter, comment, reason="x")  # a specialist is not a moderator
    with pytest.raises(PermissionDenied):
        services.hide(world.outsider, comment, reason="x")
    with pytest.raises(ConsultationError):
        services.hide(world.lead, comment, reason="")
    hidden = services.hide(world.lead, comment, reason="Xúc phạm")
    assert hidden.moderation == Moderation.HIDDEN and hidden.text == "Lời lẽ"
    with pytest.raises(IllegalTransition):
        services.hide(world.lead, comment, reason="Lần nữa")
    restored = services.restore(world.lead, comment, reason="Xem lại")
    assert restored.moderation == Moderation.VISIBLE
    rows = AuditEntry.objects.filter(
        action__in=["consultation.comment.hide", "consultation.comment.restore"]
    )
    assert [(r.action, r.summary["reason"]) for r in rows.order_by("pk")] == [
        ("consultation.comment.hide", "Xúc phạm"),
        ("consultation.comment.restore", "Xem lại"),
    ]
    assert consultation.phase == Phase.COMMENTS
