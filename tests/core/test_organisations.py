import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from egov.core.models import AuditEntry, Organisation
from egov.core.services import organisations as svc
from egov.core.services.organisations import OrganisationData

pytestmark = pytest.mark.django_db


def make(code, name, level="central", **kw):
    return svc.create_organisation(OrganisationData(code=code, name=name, level=level, **kw))


def test_create_sets_path_search_name_and_audits():
    province = make("000.00.00.H99", "Tỉnh Thử Nghiệm", "province")
    commune = make("000.00.01.H99", "Phường Đống Đa", "commune", parent=province)
    assert commune.path == f"/{province.pk}/{commune.pk}/"
    assert commune.search_name == "phuong dong da"
    entries = list(AuditEntry.objects.filter(action="organisation.create"))
    assert [e.object_id for e in entries] == [str(province.pk), str(commune.pk)]


@pytest.mark.parametrize(
    "code", ["000.00.00.X22", "00.00.00.G22", "000.00.00.G2", "000.00.00.g22", "", "000-00-00-G22"]
)
def test_invalid_code_is_refused_and_nothing_written(code):
    with pytest.raises(ValidationError) as exc:
        make(code, "Bộ Thử")
    assert "code" in exc.value.message_dict
    assert Organisation.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_overlapping_validity_of_one_code_is_refused():
    make("000.00.00.G10", "Bộ Nông nghiệp và PTNT", valid_to=dt.date(2025, 2, 28))
    # Same code from the day after: fine (the merged ministry's code lives on).
    make("000.00.00.G10", "Bộ Nông nghiệp và Môi trường", valid_from=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        make("000.00.00.G10", "Bộ Trùng", valid_from=dt.date(2025, 2, 1))
    assert "trùng lặp" in exc.value.message_dict["valid_from"][0]
    assert Organisation.objects.filter(code="000.00.00.G10").count() == 2


def test_validity_end_before_start_is_refused():
    with pytest.raises(ValidationError) as exc:
        make("000.00.00.G30", "Bộ", valid_from=dt.date(2025, 3, 1), valid_to=dt.date(2025, 1, 1))
    assert "valid_to" in exc.value.message_dict


def test_commune_needs_a_parent_and_a_province_cannot_have_one():
    with pytest.raises(ValidationError) as exc:
        make("000.00.01.H99", "Xã Mồ Côi", "commune")
    assert "parent" in exc.value.message_dict
    central = make("000.00.00.G22", "Văn phòng Chính phủ")
    with pytest.raises(ValidationError):
        make("000.00.00.H98", "Tỉnh", "province", parent=central)


def test_update_moves_subtree_and_refuses_cycles():
    a = make("000.00.00.H97", "Tỉnh A", "province")
    b = make("000.00.00.H96", "Tỉnh B", "province")
    district = make("000.00.01.H97", "Huyện X", "district", parent=a)
    commune = make("000.01.01.H97", "Xã Y", "commune", parent=district)
    svc.update_organisation(district, parent=b)
    commune.refresh_from_db()
    assert commune.path == f"/{b.pk}/{district.pk}/{commune.pk}/"
    # A unit cannot go under its own descendant; nothing changes.
    with pytest.raises(ValidationError):
        svc.update_organisation(a, level="district", parent=a)
    a.refresh_from_db()
    assert a.level == "province"


def test_resolve_finds_the_unit_valid_on_a_day():
    old = make("000.00.00.G10", "Bộ NN&PTNT", valid_to=dt.date(2025, 2, 28))
    new = make("000.00.00.G10", "Bộ NN&MT", valid_from=dt.date(2025, 3, 1))
    assert svc.resolve("000.00.00.G10", on=dt.date(2024, 6, 1)) == old
    assert svc.resolve("000.00.00.G10", on=dt.date(2025, 6, 1)) == new
    assert svc.resolve("000.00.00.G10") == new


@pytest.mark.slow  # the whole government tree, twice (~7 s)
def test_demo_tree_is_complete_and_idempotent(capsys):
    call_command("load_demo")
    assert Organisation.objects.filter(level="province").count() == 34
    assert Organisation.objects.filter(level="commune").count() == 3321
    current_central = Organisation.objects.filter(level="central", valid_to__isnull=True)
    assert current_central.count() == 17
    # Merged in 2025, still resolvable for old records, and linked to the successor.
    mpi = svc.resolve("000.00.00.G05", on=dt.date(2024, 1, 1))
    assert mpi.name == "Bộ Kế hoạch và Đầu tư"
    assert mpi.successor.name == "Bộ Tài chính"
    assert svc.resolve("000.00.00.G05", on=dt.date(2025, 6, 1)) is None
    # Every commune hangs under a province and every code is unique among current units.
    assert not Organisation.objects.filter(level="commune", parent__level__in=["central"]).exists()
    codes = list(Organisation.objects.filter(valid_to__isnull=True).values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    # The demo one-stop team of a commune of Đà Nẵng, and the province's clerk, with their roles.
    from egov.accounts import policy
    from egov.accounts.models import Official

    desk = Official.objects.get(user__username="motcua")
    assert desk.organisation.parent.code == "000.00.00.H17"
    assert policy.can(desk.user, "dossiers.receive", desk.organisation)
    assert not policy.can(desk.user, "dossiers.approve", desk.organisation)
    leader = Official.objects.get(user__username="lanhdao")
    assert policy.can(leader.user, "dossiers.approve", leader.organisation)
    assert desk.user.check_password("Demo-Official-2026!")
    assert "user motcua  password Demo-Official-2026!" in capsys.readouterr().out
    # Named, with a title (issue 13: pages and forms showed "motcua").
    assert (
        desk.name_and_title == "Nguyễn Thị Lan Anh, Công chức Văn phòng - Thống kê, Bộ phận Một cửa"
    )
    before = Organisation.objects.count(), AuditEntry.objects.count()
    call_command("load_demo")
    assert (Organisation.objects.count(), AuditEntry.objects.count()) == before
    assert "0 created" in capsys.readouterr().out
    # Demo data loaded before the officials had names: named by the next load, once.
    type(desk.user).objects.filter(pk=desk.user.pk).update(first_name="", last_name="")
    call_command("load_demo")
    desk.refresh_from_db()
    desk.user.refresh_from_db()
    assert desk.user.get_full_name() == "Nguyễn Thị Lan Anh"
    assert AuditEntry.objects.count() == before[1] + 1
