import json
from pathlib import Path

import pytest

from egov.core.services.organisations import OrganisationData, create_organisation

DATA = Path(__file__).resolve().parents[2] / "src" / "egov" / "catalog" / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def orgs(db):
    """A small tree: two ministries, a province with two communes, another province."""
    justice = create_organisation(
        OrganisationData(code="000.00.00.G15", name="Bộ Tư pháp", level="central")
    )
    police = create_organisation(
        OrganisationData(code="000.00.00.G01", name="Bộ Công an", level="central")
    )
    hanoi = create_organisation(
        OrganisationData(code="000.00.00.H26", name="Thành phố Hà Nội", level="province")
    )
    ba_dinh = create_organisation(
        OrganisationData(code="000.01.26.H26", name="Phường Ba Đình", level="commune", parent=hanoi)
    )
    hue = create_organisation(
        OrganisationData(code="000.00.00.H46", name="Thành phố Huế", level="province")
    )
    thuan_an = create_organisation(
        OrganisationData(code="000.01.46.H46", name="Phường Thuận An", level="commune", parent=hue)
    )
    return {
        "justice": justice,
        "police": police,
        "hanoi": hanoi,
        "ba_dinh": ba_dinh,
        "hue": hue,
        "thuan_an": thuan_an,
    }


def procedures_subset(tmp_path, codes=None, mutate=None) -> Path:
    """A procedures.json with some real records (all by default), optionally changed."""
    data = json.loads((DATA / "procedures.json").read_text(encoding="utf-8"))
    if codes:
        data["procedures"] = [p for p in data["procedures"] if p["code"] in codes]
    if mutate:
        mutate(data["procedures"])
    path = tmp_path / "procedures.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def minimal_content(code="9.000001", **extra) -> dict:
    content = {
        "code": code,
        "name": "Thủ tục thử nghiệm cấp giấy xác nhận",
        "sectors": ["Hộ tịch"],
        "levels": ["commune"],
        "implementing_agencies": [{"name": "Ủy ban nhân dân cấp xã", "level": "commune"}],
        "channels": [
            {
                "channel": "in_person",
                "time_limit": 3,
                "time_unit": "working_days",
                "fees": [{"amount_vnd": 10000, "description": "Lệ phí"}],
            }
        ],
        "required_documents": [{"name": "Tờ khai", "copies": 0}],
        "online_level": "partial",
    }
    content.update(extra)
    return content


@pytest.fixture(autouse=True)
def _english():
    """Assertions use the English source messages (the UI default is Vietnamese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def birth_application(orgs, **child):
    """A good birth registration form (the bundled schema), ``child`` fields overridden."""
    residence = {"province": orgs["hanoi"].code, "commune": orgs["ba_dinh"].code}
    return {
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "personal_id": "001090012345",
            "phone": "0912345678",
            "residence": residence,
            "relationship": "Cha",
        },
        "child": {
            "full_name": "Nguyễn Minh Khôi",
            "sex": "nam",
            "date_of_birth": "2026-11-20",
            "place_of_birth": "Bệnh viện Phụ sản Hà Nội",
            "ethnicity": "Kinh",
        }
        | child,
        "mother": {"full_name": "Trần Thị Bình"},
        "birth_certificate": "file:7f3c2a",
    }
