"""A demo Government: 27 members in their real positions (the people are fictional demo
officials, each with a personal certificate on first signature), an assistant for the Prime
Minister, and a secretariat official of the Government Office."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from egov.accounts.demo import DEMO_OFFICIAL_PASSWORD, demo_official
from egov.cabinet.models import Member, Position

P = Position
MINISTRIES = (
    "Quốc phòng", "Công an", "Ngoại giao", "Nội vụ", "Tư pháp", "Kế hoạch và Đầu tư",
    "Tài chính", "Công Thương", "Nông nghiệp và Phát triển nông thôn", "Giao thông vận tải",
    "Xây dựng", "Tài nguyên và Môi trường", "Thông tin và Truyền thông",
    "Lao động - Thương binh và Xã hội", "Văn hóa, Thể thao và Du lịch", "Khoa học và Công nghệ",
    "Giáo dục và Đào tạo", "Y tế",
)  # fmt: skip
POSITIONS = (
    [(P.PRIME_MINISTER, "Thủ tướng Chính phủ")]
    + [(P.DEPUTY_PRIME_MINISTER, "Phó Thủ tướng Chính phủ")] * 4
    + [(P.MINISTER, f"Bộ trưởng Bộ {name}") for name in MINISTRIES]
    + [
        (P.HEAD_OF_AGENCY, "Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc"),
        (P.HEAD_OF_AGENCY, "Thống đốc Ngân hàng Nhà nước Việt Nam"),
        (P.HEAD_OF_AGENCY, "Tổng Thanh tra Chính phủ"),
        (P.HEAD_OF_AGENCY, "Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ"),
    ]
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ")
GIVEN = ("Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Đức Hải", "Thanh Hương",
         "Hữu Khang", "Ngọc Lan")  # fmt: skip
TERM_START = dt.date(2021, 4, 8)
SECRETARY = ("thuky_cp", ("Thư ký", "Trần Thị"), "Chuyên viên Vụ Tổng hợp, Văn phòng Chính phủ")
ASSISTANT = ("troly_ttg", ("Trợ lý", "Lê Văn"), "Trợ lý Thủ tướng Chính phủ")
DEMO_PASSWORD = DEMO_OFFICIAL_PASSWORD


def demo_name(i: int) -> tuple[str, str]:
    """(first, last) of the i-th demo member: fictional, every one different."""
    return GIVEN[i % 9].split()[-1], f"{SURNAMES[i // 3 % 9]} {' '.join(GIVEN[i % 9].split()[:-1])}"


@transaction.atomic
def government(
    organisation, *, password: str = DEMO_PASSWORD, prefix: str = "tvcp"
) -> list[Member]:
    """Create the 27 members (and their officials) at ``organisation``; the existing ones when
    already made."""
    from egov.cabinet.services import members as member_services

    made = list(Member.objects.filter(official__user__username__startswith=f"{prefix}_"))
    if made:
        return made
    members = []
    for i, (position, title) in enumerate(POSITIONS, 1):
        first, last = demo_name(i)
        username = f"{prefix}_{i:02d}"
        official = demo_official(
            username,
            (first, last),
            title,
            organisation,
            password=password,
            email=f"{username}@chinhphu.example.vn",
        )
        members.append(
            member_services.appoint(official, position, title, term_start=TERM_START, rank=i)
        )
    return members


def staff(organisation, pm: Member, *, password: str = DEMO_PASSWORD):
    from egov.cabinet.services import members as member_services

    secretary, assistant = (
        demo_official(
            username,
            names,
            title,
            organisation,
            password=password,
            email=f"{username}@chinhphu.example.vn",
        )
        for username, names, title in (SECRETARY, ASSISTANT)
    )
    member_services.add_secretary(secretary)
    if not pm.assistants.filter(official=assistant).exists():
        member_services.authorise_assistant(assistant, pm, valid_from=TERM_START)
    return secretary, assistant


def load(write) -> None:
    from egov.core.models import Organisation

    if settings.PRODUCTION:
        write("Production: no demo Government was created.")
        return
    office = (
        Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE).order_by("-pk").first()
    )
    if office is None:
        return
    members = government(office)
    pm = next(m for m in members if m.is_prime_minister)
    secretary, _assistant = staff(office, pm)
    meeting(office, secretary)
    write(
        f"  e-Cabinet      /cabinet/  {len(members)} members tvcp_01 (Thủ tướng) … tvcp_27,"
        f" secretariat {SECRETARY[0]}, PM's assistant {ASSISTANT[0]}, password {DEMO_PASSWORD};"
        " a meeting at /cabinet/meetings/"
    )


def meeting(office, secretary) -> None:
    """A regular meeting a week ahead with three items; the secretariat official may assign
    the tasks its conclusions decide (assignments' clerk role at the Government Office)."""
    from egov.accounts.models import RoleAssignment
    from egov.accounts.services import officials as official_services
    from egov.cabinet.models import Meeting
    from egov.cabinet.services import meetings

    if not RoleAssignment.objects.filter(
        official=secretary, role="clerk", organisation=office
    ).exists():
        official_services.assign_role(secretary, "clerk", office, actor="system")
    if Meeting.objects.exists():
        return
    items = [
        meetings.ItemData(title, presenter, dt.time(8 + i), dt.time(9 + i))
        for i, (title, presenter) in enumerate(
            (
                ("Tình hình kinh tế - xã hội tháng trước", "Bộ trưởng Bộ Kế hoạch và Đầu tư"),
                ("Dự án Luật sửa đổi, bổ sung một số điều", "Bộ trưởng Bộ Tư pháp"),
                ("Kết quả giải ngân vốn đầu tư công", "Bộ trưởng Bộ Tài chính"),
            )
        )
    ]
    day = dt.date.today() + dt.timedelta(days=7)
    meetings.schedule(
        secretary,
        meetings.MeetingData("Phiên họp Chính phủ thường kỳ", "regular", day, items),
    )
