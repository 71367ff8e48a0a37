from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from egov.catalog.models import Sector
from egov.consultation import services
from egov.consultation.errors import ConsultationError
from egov.consultation.models import Regulation
from egov.consultation.services.regulations import update_costs
from egov.core.models import AuditEntry


def data(world, **extra):
    values = {
        "document_number": "15/2018/NĐ-CP",
        "document_type": "decree",
        "document_title": "Nghị định quy định chi tiết Luật An toàn thực phẩm",
        "issued_on": date(2018, 2, 2),
        "issuing_body": world.m,
        "article": "12",
        "clause": "1",
        "content": "Cơ sở kinh doanh dịch vụ ăn uống phải có Giấy chứng nhận đủ điều kiện.",
        "costs": {"subjects": 780_096, "frequency": 1, "days": 2, "day_value": 221_000},
    }
    values.update(extra)
    return services.RegulationData(**values)


def test_a_regulation_is_recorded_with_its_cost_and_audited(world):
    regulation = services.record_regulation(world.drafter, world.m, data(world))
    assert regulation.cost == 344_802_432_000
    assert regulation.place() == "khoản 1 Điều 12"
    entry = AuditEntry.objects.get(action="consultation.regulation.record")
    assert entry.summary["cost"] == 344_802_432_000
    changed = update_costs(world.drafter, regulation, {"fees": "100000"})
    assert changed.cost == 780_096 * (2 * 221_000 + 100_000)
    assert AuditEntry.objects.filter(action="consultation.regulation.costs").count() == 1


def test_search_without_diacritics(world):
    sector = Sector.objects.create(code="attp", name="An toàn thực phẩm", search_name="an toan")
    services.record_regulation(world.drafter, world.m, data(world, sector=sector))
    services.record_regulation(
        world.drafter,
        world.m,
        data(world, article="13", content="Giấy phép xuất khẩu hàng hóa", costs={}),
    )
    assert services.search("giay chung nhan du dieu kien").count() == 1
    assert services.search("GIẤY CHỨNG NHẬN").count() == 1
    assert services.search("giay").count() == 2
    assert services.search("xuat kh").count() == 1  # the last word as it is typed
    assert services.search("", sector="attp").count() == 1
    assert services.search("15/2018").count() == 2  # the document's number


@pytest.mark.parametrize(
    ("costs", "field"),
    [
        ({"subjects": "-1"}, "subjects"),
        ({"days": "abc"}, "days"),
        ({"fees": "1.5"}, "fees"),
        ({"frequency": "0.001"}, "frequency"),
        # Past the numeric(12, 2) column: refused, not a database error.
        ({"frequency": "1e12"}, "frequency"),
        ({"days": "NaN"}, "days"),  # comparing NaN raises: checked first
        # The cost past what a reform plan's bigint sums hold.
        ({"subjects": "1e15", "frequency": "1000", "days": "1", "day_value": "1000"}, "subjects"),
    ],
)
def test_bad_costs_change_nothing(world, costs, field):
    audited = AuditEntry.objects.count()
    with pytest.raises(ConsultationError) as caught:
        services.record_regulation(world.drafter, world.m, data(world, costs=costs))
    assert field in caught.value.message_dict
    assert not Regulation.objects.exists() and AuditEntry.objects.count() == audited


def test_unknown_procedures_and_other_organisations_are_refused(world):
    with pytest.raises(ConsultationError) as caught:
        services.record_regulation(
            world.drafter, world.m, data(world, procedure_codes=["9.999999"])
        )
    assert "9.999999" in caught.value.message_dict["procedures"][0]
    with pytest.raises(PermissionDenied):
        services.record_regulation(world.outsider, world.m, data(world))
    with pytest.raises(PermissionDenied):
        services.record_regulation(world.citizen, world.m, data(world))
    assert not Regulation.objects.exists()
