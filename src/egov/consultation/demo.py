"""consultation's part of ``egov load-demo`` (after the logins and the ratings' demo citizen):
the Ministry of Industry and Trade's drafting official, three business regulations of a decree
on petrol trading with their compliance costs, a draft amending it (repealing one of them) open
for comments, comments of the development e-ID provider's two citizens in the margin of its
clauses, a second version, two comments answered (one accepted with the clause that changed,
one explained), and the ministry's reform plan for next year. All through the services (each
act's audit row). Each part is made once: a second run finds it."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.accounts.demo import DEMO_CITIZENS, DEMO_OFFICIAL_PASSWORD, demo_citizen, demo_official
from egov.accounts.models import Official
from egov.catalog.models import Sector
from egov.core.models import Organisation

from . import services
from .models import Draft, Phase, ReformPlan, Regulation

MINISTRY = "bo cong thuong"  # the drafting agency, found by its name without diacritics
DRAFTER = ("soanthao", ("Ngô Thị", "Thu"), "Chuyên viên Vụ Pháp chế, Bộ Công Thương")
DOCUMENT = ("83/2014/NĐ-CP", "Nghị định về kinh doanh xăng dầu", date(2014, 9, 3))
# (article, clause, text, costs): subjects, times a year, days a time, a day's value, fees.
REGULATIONS = (
    (
        "8",
        "1",
        "Thương nhân đầu mối phải có giấy xác nhận đủ điều kiện kinh doanh xuất khẩu, nhập "
        "khẩu xăng dầu do Bộ Công Thương cấp.",
        {"subjects": 40, "frequency": 1, "days": 10, "day_value": 221000, "fees": 2000000},
    ),
    (
        "24",
        "2",
        "Cửa hàng bán lẻ xăng dầu phải có giấy chứng nhận đủ điều kiện, thời hạn 05 năm.",
        {"subjects": 17000, "frequency": "0.2", "days": 5, "day_value": 221000, "fees": 1200000},
    ),
    (
        "27",
        "3",
        "Thương nhân phân phối báo cáo tình hình kinh doanh xăng dầu hằng tháng bằng văn bản.",
        {"subjects": 320, "frequency": 12, "days": 1, "day_value": 221000},
    ),
)
DRAFT_TITLE = "Nghị định sửa đổi, bổ sung Nghị định số 83/2014/NĐ-CP về kinh doanh xăng dầu"
TEXT_V1 = """NGHỊ ĐỊNH
Sửa đổi, bổ sung một số điều của Nghị định số 83/2014/NĐ-CP về kinh doanh xăng dầu
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Nghị định này sửa đổi điều kiện kinh doanh và chế độ báo cáo trong kinh doanh xăng dầu.
Điều 2. Đối tượng áp dụng
1. Thương nhân đầu mối, thương nhân phân phối xăng dầu.
2. Cửa hàng bán lẻ xăng dầu.
Chương II
ĐIỀU KIỆN KINH DOANH
Điều 3. Giấy chứng nhận cửa hàng bán lẻ
1. Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu có thời hạn 05 năm.
2. Hồ sơ đề nghị cấp lại gồm:
a) Đơn đề nghị theo mẫu;
b) Bản sao giấy chứng nhận đã cấp.
Điều 4. Báo cáo
1. Thương nhân phân phối báo cáo hằng tháng bằng văn bản giấy về Sở Công Thương.
"""
# Version 2 takes two comments in: the certificate no longer expires, reports go online.
TEXT_V2 = TEXT_V1.replace(
    "có thời hạn 05 năm.", "không ghi thời hạn; cửa hàng tự công bố khi thay đổi."
).replace(
    "hằng tháng bằng văn bản giấy về Sở Công Thương.",
    "hằng quý qua Hệ thống thông tin giải quyết thủ tục hành chính.",
)
# (citizen index, anchor, text); "" is the whole draft.
COMMENTS = (
    (
        0,
        "dieu-3.khoan-1",
        "Đề nghị bỏ thời hạn 05 năm của giấy chứng nhận: cửa hàng không thay đổi điều kiện "
        "thì không nên phải xin cấp lại.",
    ),
    (
        1,
        "dieu-4.khoan-1",
        "Báo cáo bằng giấy hằng tháng tốn nhiều công sức; đề nghị cho báo cáo trực tuyến.",
    ),
    (
        1,
        "dieu-3.khoan-2.diem-b",
        "Bản sao giấy chứng nhận đã cấp cơ quan cấp phép đã có trong hệ thống, đề nghị bỏ.",
    ),
    (0, "dieu-2.khoan-2", "Đề nghị làm rõ cửa hàng bán lẻ trên tàu thuyền có thuộc phạm vi."),
    (0, "", "Dự thảo cắt giảm được nhiều chi phí, tôi đồng tình với hướng sửa đổi."),
)


def load(write) -> None:
    if settings.PRODUCTION:
        write("Production: no demo consultation was made.")
        return
    made = _load()
    write(made)


def _drafter(ministry) -> Official:
    username, names, title = DRAFTER
    # Processor: drafts and answers; approver: also moderates.
    return demo_official(username, names, title, ministry, ("processor", "approver"))


def _regulations(user, ministry) -> list[Regulation]:
    sector = Sector.objects.filter(name__icontains="xăng dầu").order_by("pk").first()
    made = []
    for article, clause, text, costs in REGULATIONS:
        found = Regulation.objects.filter(
            document__number=DOCUMENT[0], article=article, clause=clause
        ).first()
        made.append(
            found
            or services.record_regulation(
                user,
                ministry,
                services.RegulationData(
                    document_number=DOCUMENT[0],
                    document_type="decree",
                    document_title=DOCUMENT[1],
                    issued_on=DOCUMENT[2],
                    issuing_body=ministry,
                    article=article,
                    clause=clause,
                    content=text,
                    sector=sector,
                    costs=costs,
                ),
            )
        )
    return made


def _consultation(user, ministry, regulations):
    draft = Draft.objects.filter(organisation=ministry, title=DRAFT_TITLE).first()
    if draft is None:
        draft = services.create_draft(
            user,
            ministry,
            title=DRAFT_TITLE,
            doc_type="decree",
            text=TEXT_V1,
            repeals=regulations[2:],  # the monthly paper report goes
        )
    consultation = draft.consultations.order_by("pk").first()
    if consultation is None:
        now = timezone.now()
        consultation = services.create_consultation(
            user,
            draft,
            title=f"Lấy ý kiến {DRAFT_TITLE[0].lower()}{DRAFT_TITLE[1:]}",
            windows={Phase.COMMENTS: (now - timedelta(days=10), now + timedelta(days=20))},
        )
        consultation = services.make(user, consultation, "open_comments")
    return draft, consultation


def _comments(user, draft, consultation) -> int:
    """The citizens' comments, version 2, and two answers: once, on a consultation without
    comments still at version 1 (answers accept a clause of a later version)."""
    if consultation.comments.exists() or draft.versions.count() > 1:
        return 0
    if consultation.phase != Phase.COMMENTS:
        return 0
    citizens = [demo_citizen(*c) for c in DEMO_CITIZENS]
    if None in citizens:
        return 0
    made = [
        services.submit(
            citizens[who].user, consultation, services.CommentData(text=text, anchor=anchor)
        )
        for who, anchor, text in COMMENTS
    ]
    services.add_version(
        user, draft, text=TEXT_V2, note="Tiếp thu ý kiến góp ý: thời hạn và chế độ báo cáo"
    )
    services.answer(
        user,
        consultation,
        [made[0].pk],
        kind="accepted",
        text="Tiếp thu: giấy chứng nhận không ghi thời hạn, cửa hàng tự công bố khi thay đổi.",
        changed_anchor="dieu-3.khoan-1",
    )
    services.answer(
        user,
        consultation,
        [made[3].pk],
        kind="explained",
        text="Cửa hàng bán lẻ trên tàu thuyền áp dụng quy định về cửa hàng bán lẻ xăng dầu "
        "trên mặt nước tại Điều 24 Nghị định số 83/2014/NĐ-CP, không thuộc dự thảo này.",
    )
    return len(made)


def _plan(user, ministry, regulations) -> ReformPlan:
    year = timezone.localdate().year + 1
    plan = ReformPlan.objects.filter(organisation=ministry, year=year).first()
    if plan is not None:
        return plan
    plan = services.create_plan(
        user,
        ministry,
        year=year,
        title=f"Phương án cắt giảm, đơn giản hóa quy định kinh doanh năm {year}",
    )
    services.add_item(user, plan, regulations[0], action="cut", costs_after={})
    services.add_item(
        user,
        plan,
        regulations[1],
        action="simplify",
        costs_after={"subjects": 17000, "frequency": "0.1", "days": 2, "day_value": 221000},
    )
    return plan


@transaction.atomic
def _load() -> str:
    ministry = (
        Organisation.objects.filter(search_name=MINISTRY, level="central", valid_to__isnull=True)
        .order_by("code")
        .first()
    )
    if ministry is None:
        return "  Consultation: no Ministry of Industry and Trade in the tree, no demo draft."
    user = _drafter(ministry).user
    regulations = _regulations(user, ministry)
    draft, consultation = _consultation(user, ministry, regulations)
    comments = _comments(user, draft, consultation)
    plan = _plan(user, ministry, regulations)
    lines = [
        f"  Consultation: {consultation.title} at /consultation/{consultation.code}/"
        + (f" ({comments} comments, 2 answered)" if comments else ""),
        f"  official       /accounts/login/  user {DRAFTER[0]}  password {DEMO_OFFICIAL_PASSWORD}"
        f"  ({ministry.name}: drafts, answers comments at /consultation/manage/;"
        f" reform plan {plan.year}: /consultation/reform-plans/{plan.pk}/)",
    ]
    if not settings.EGOV_OIDC_ISSUER:
        lines.append("  (no e-ID provider is configured: no demo citizens' comments)")
    return "\n".join(lines)
