"""Shared fixtures of the consultation tests: a ministry drafting (M), another ministry (N),
their officials, two citizens, a draft with a consultation taking comments."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from egov.accounts.models import Citizen
from egov.consultation import memo, services
from egov.consultation.models import Phase
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData

from ..accounts.officials_support import make_official

TEXT_V1 = """NGHỊ ĐỊNH
Quy định điều kiện kinh doanh dịch vụ ăn uống
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Nghị định này quy định điều kiện kinh doanh dịch vụ ăn uống.
Điều 2. Đối tượng áp dụng
1. Hộ kinh doanh và doanh nghiệp kinh doanh dịch vụ ăn uống.
2. Cơ quan quản lý nhà nước có liên quan.
Chương II
ĐIỀU KIỆN KINH DOANH
Điều 3. Điều kiện
1. Có giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm.
2. Người trực tiếp chế biến phải:
a) Được tập huấn kiến thức an toàn thực phẩm hằng năm;
b) Có giấy xác nhận đủ sức khỏe.
"""

# Version 2: clause 3.1 cut down, point 3.2.b unchanged, point 3.2.c added, article 2 clause 2
# gone.
TEXT_V2 = """Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Nghị định này quy định điều kiện kinh doanh dịch vụ ăn uống.
Điều 2. Đối tượng áp dụng
1. Hộ kinh doanh và doanh nghiệp kinh doanh dịch vụ ăn uống.
Chương II
ĐIỀU KIỆN KINH DOANH
Điều 3. Điều kiện
1. Tự công bố bảo đảm an toàn thực phẩm.
2. Người trực tiếp chế biến phải:
a) Được tập huấn kiến thức an toàn thực phẩm hằng năm;
b) Có giấy xác nhận đủ sức khỏe.
c) Đeo găng tay khi chế biến.
"""


def make_citizen(name="citizen_1", pid="001099012345", full_name="Nguyễn Văn An"):
    user = get_user_model().objects.create_user(name, password=None)
    Citizen.objects.create(
        user=user,
        issuer="https://id.example",
        subject=name,
        personal_id_number=pid,
        full_name=full_name,
        email=f"{name}@example.vn",
    )
    return user


def window(days_before=1, days_after=30):
    now = timezone.now()
    return {Phase.COMMENTS: (now - timedelta(days=days_before), now + timedelta(days=days_after))}


@pytest.fixture(autouse=True)
def _pages_change_with_their_consultation(monkeypatch):
    """A test's transaction never commits, so a change's after-commit bump of its
    consultation's page generation (memo.COUNTERS) would never run: here it runs when the change
    records its audit rows. test_draft_pages.py checks the real after-commit path."""
    monkeypatch.setattr(memo.COUNTERS, "on_commit", lambda run: run())


@pytest.fixture
def world(db):
    create = org_services.create_organisation
    m = create(OrganisationData("000.00.00.G10", "Bộ Công Thương", "central"))
    n = create(OrganisationData("000.00.00.G12", "Bộ Y tế", "central"))
    return SimpleNamespace(
        m=m,
        n=n,
        drafter=make_official("drafter_m", m, "processor").user,
        lead=make_official("lead_m", m, "approver").user,
        outsider=make_official("lead_n", n, "approver", "processor").user,
        citizen=make_citizen(),
        citizens=[
            make_citizen(f"citizen_{i}", f"0010990000{i:02d}", f"Người {i}") for i in range(2, 6)
        ],
    )


@pytest.fixture
def draft(world):
    return services.create_draft(
        world.drafter,
        world.m,
        title="Nghị định về điều kiện kinh doanh dịch vụ ăn uống",
        doc_type="decree",
        text=TEXT_V1,
    )


@pytest.fixture
def consultation(world, draft):
    c = services.create_consultation(
        world.drafter, draft, title="Lấy ý kiến dự thảo Nghị định", windows=window()
    )
    return services.make(world.drafter, c, "open_comments")
