"""assignments' part of ``egov load-demo`` (after the logins): an official of the Government
Office who assigns and decides, a follow-up official at the Ministry of Finance (its focal point,
the person responsible for its tasks), and tasks assigned to ministries and provinces in every
category, made through the services (each with its audit row). Loaded once: skipped when tasks
exist."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.accounts.demo import DEMO_OFFICIAL_PASSWORD, demo_official
from egov.assignments import services
from egov.assignments.models import Assignment, FocalPoint, SourceType
from egov.core.models import Organisation

OFFICE_OFFICIAL = ("vpcp", ("Lê Thị", "Hà"), "Chuyên viên Vụ Tổng hợp, Văn phòng Chính phủ")
LEAD_OFFICIAL = ("btc_theodoi", ("Đỗ Văn", "Khánh"), "Chuyên viên theo dõi nhiệm vụ, Bộ Tài chính")
CONTENTS = [
    "Hoàn thiện hồ sơ dự án Luật sửa đổi, bổ sung một số điều của Luật Ngân sách nhà nước",
    "Rà soát, cắt giảm thủ tục hành chính trong lĩnh vực đầu tư công",
    "Báo cáo tình hình giải ngân vốn đầu tư công",
    "Triển khai kết nối dữ liệu dân cư với cơ sở dữ liệu chuyên ngành",
    "Xây dựng đề án phát triển hạ tầng số giai đoạn 2026–2030",
    "Kiểm tra việc thực hiện chính sách hỗ trợ người dân sau bão",
]


def load(write) -> None:
    if settings.PRODUCTION:
        write("Production: no demo assigned tasks were created.")
        return
    made = _load()
    if made:
        write(
            f"  official       /accounts/login/  user {OFFICE_OFFICIAL[0]}"
            f"  password {DEMO_OFFICIAL_PASSWORD}  (Government Office: assigns tasks)"
        )
        write(
            f"  official       /accounts/login/  user {LEAD_OFFICIAL[0]}"
            f"  password {DEMO_OFFICIAL_PASSWORD}  (Ministry of Finance: reports on them)"
        )
        write(f"Assigned tasks: {made} created (/assignments/).")


def _official(spec, organisation, roles):
    username, names, title = spec
    email = f"{username}@example.gov.vn"
    return demo_official(username, names, title, organisation, roles, email=email)


@transaction.atomic
def _load() -> int:
    if Assignment.objects.exists():
        return 0
    office = Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE).first()
    ministries = list(
        Organisation.objects.filter(level="central", valid_to__isnull=True)
        .exclude(code=settings.EGOV_INSTANCE_ORG_CODE)
        .order_by("code")[:6]
    )
    provinces = list(
        Organisation.objects.filter(level="province", valid_to__isnull=True).order_by("code")[:6]
    )
    finance = Organisation.objects.filter(
        search_name__contains="tai chinh", level="central"
    ).first()
    if office is None or not ministries or finance is None:
        return 0
    clerk = _official(OFFICE_OFFICIAL, office, ("clerk", "approver"))
    lead = _official(LEAD_OFFICIAL, finance, ("processor", "approver"))
    FocalPoint.objects.get_or_create(organisation=finance, defaults={"official": lead})
    today = timezone.localdate()
    source = services.SourceDocument(
        "15/NQ-CP", today - timedelta(days=120), SourceType.RESOLUTION, "Thủ tướng Chính phủ"
    )
    result = services.DocumentRef("120/BC-BTC", today - timedelta(days=5), "Báo cáo kết quả")
    leads = [finance] * 6 + [o for o in ministries if o != finance] + provinces
    made = 0
    for i, org in enumerate(leads):
        kind = i % 6
        deadline = today + timedelta(days=(-30, 20, -60, 3, 0, 45)[kind])
        task = services.create_assignment(
            clerk.user,
            document=source,
            content=CONTENTS[i % len(CONTENTS)],
            lead=org,
            coordinators=[o for o in ministries[:2] if o != org],
            deadline=None if kind == 4 else deadline,
            deadline_kind="ongoing" if kind == 4 else ("monthly" if kind == 5 else "date"),
            responsible=lead if org == finance else None,
            is_key=i % 3 == 0,
            source="cabinet" if i % 4 == 1 else "manual",
            source_ref="KL-2026-12" if i % 4 == 1 else "",
            on=today - timedelta(days=100),
        )
        made += 1
        actor = lead.user if org == finance else None
        if actor is None:
            continue  # only the Ministry of Finance's demo official reports here
        services.report_progress(actor, task, text="Đã lấy ý kiến các bộ, ngành.")
        if kind in (0, 2):  # done: on time, and late
            services.report_completion(actor, task, text="Đã trình Chính phủ.", result=result)
            done_on = deadline - timedelta(days=2) if kind == 0 else deadline + timedelta(days=9)
            services.accept(clerk.user, task, on=done_on)
        if kind == 1:
            services.request_extension(
                actor, task, new_deadline=deadline + timedelta(days=30), reason="Chờ ý kiến"
            )
    return made
