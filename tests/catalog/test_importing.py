import json

import pytest
from django.core.management import call_command

from egov.catalog.models import Channel, Fee, Procedure, ProcedureVersion, VersionStatus
from egov.catalog.services import formats
from egov.catalog.services.importing import export_contents, import_file
from egov.core.models import AuditEntry

from .conftest import DATA, FIXTURES, procedures_subset

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # imports of the whole catalogue, ~1 s each


def test_procedures_json_imports_all_39_then_nothing_changes(orgs):
    first = import_file(DATA / "procedures.json")
    assert (first.created, first.updated, first.unchanged, first.rejected) == (39, 0, 0, [])
    assert Procedure.objects.count() == 39
    birth = Procedure.objects.get(code="1.001193")
    assert birth.detailed and birth.online_level == "partial"
    assert "khai sinh" in birth.search_text and "ho tich" in birth.search_text
    assert birth.current_version.publishing_agency == orgs["justice"]
    residence = ProcedureVersion.objects.get(procedure__code="1.004222")
    fees = {c.kind: [f.amount_vnd for f in c.fees.all()] for c in residence.channels.all()}
    assert fees == {"online": [10000], "in_person": [20000]}
    assert {c.time_unit for c in residence.channels.all()} == {"working_days"}
    # 1.014331 has catalogue data only: an information-only record.
    assert not Procedure.objects.get(code="1.014331").detailed

    second = import_file(DATA / "procedures.json")
    assert (second.created, second.updated, second.unchanged) == (0, 0, 39)
    assert ProcedureVersion.objects.count() == 39


def test_a_changed_record_gets_a_new_version(orgs, tmp_path):
    codes = {"1.001193", "1.004222"}
    import_file(procedures_subset(tmp_path, codes))

    def change(records):
        records[0]["name_vi"] += " (sửa đổi)"

    report = import_file(procedures_subset(tmp_path, codes, change))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    changed = Procedure.objects.get(name__endswith="(sửa đổi)")
    first, second = changed.versions.order_by("number")
    assert first.status == VersionStatus.SUPERSEDED
    assert second.status == VersionStatus.PUBLISHED and changed.current_version == second
    assert first.effective_to < second.effective_from
    assert first.name != second.name


def test_bad_records_are_reported_with_their_position_and_the_rest_imported(orgs, tmp_path):
    def spoil(records):
        records[0]["code"] = None  # missing code
        records[1]["channels"][0]["fees"] = [{"amount_vnd": -5000}]  # negative fee
        records[2]["channels"][0]["time_limit"] = 5
        records[2]["channels"][0]["time_unit"] = "fortnights"  # unknown unit
        records[3]["ministry_code"] = "000.00.00.G99"  # unknown agency code

    path = procedures_subset(tmp_path, mutate=spoil)
    report = import_file(path)
    assert report.created == 35
    reasons = {r.position: r.reason for r in report.rejected}
    assert list(reasons) == ["record 1", "record 2", "record 3", "record 4"]
    assert "code is missing" in reasons["record 1"]
    assert "-5000" in reasons["record 2"]
    assert "fortnights" in reasons["record 3"]
    assert "000.00.00.G99" in reasons["record 4"]


def test_command_prints_progress_and_report(orgs, tmp_path, capsys):
    def spoil(records):
        records[0]["code"] = ""

    call_command("import_procedures", str(procedures_subset(tmp_path, mutate=spoil)))
    out, err = capsys.readouterr()
    assert "38 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "rejected record 1: code: The procedure code is missing." in out
    assert "39/39 100%" in err


def test_index_lines_become_information_only_records(orgs, tmp_path):
    lines = (DATA / "catalogue-index.jsonl").read_text(encoding="utf-8").splitlines()[:300]
    lines.append(json.dumps({"code": "", "name_vi": "x"}))
    lines.append("{not json")
    path = tmp_path / "index.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(path)
    assert report.created == 300
    assert [r.position for r in report.rejected] == ["line 301", "line 302"]
    procedure = Procedure.objects.get(code=json.loads(lines[0])["code"])
    assert procedure.online_level == "info" and not procedure.detailed
    assert procedure.current_version.status == VersionStatus.PUBLISHED
    again = import_file(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 300)
    # A re-run changes nothing, so it writes no audit row (rejections are reported, not audited).
    assert AuditEntry.objects.filter(action="procedure.import").count() == 1


def test_index_does_not_downgrade_detailed_procedures(orgs, tmp_path):
    import_file(procedures_subset(tmp_path, {"1.001193"}))
    line = {
        "code": "1.001193",
        "name_vi": "Thủ tục đăng ký khai sinh",
        "sectors_vi": ["Hộ tịch"],
        "implementing_agencies_vi": ["Ủy ban nhân dân cấp xã"],
        "published_by_vi": "Bộ Tư pháp",
        "applicant_types_vi": [],
        "state": "ACTIVE",
        "scope": "STANDARD",
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    report = import_file(path)
    assert report.unchanged == 1
    assert Procedure.objects.get(code="1.001193").detailed


def test_national_layout_reads_codes_and_rejects_unknown_agencies(orgs, tmp_path):
    report = import_file(FIXTURES / "national-1.001193.json")
    assert (report.created, report.rejected) == (1, [])
    version = Procedure.objects.get(code="1.001193").current_version
    assert version.publishing_agency == orgs["justice"]
    assert [a.organisation for a in version.implementing_agencies.all()] == [orgs["ba_dinh"]]
    assert {c.kind for c in version.channels.all()} == {"in_person", "online", "post"}
    assert Channel.objects.filter(version=version, time_unit="working_days").count() == 3
    assert version.legal_basis[0] == {"number": "60/2014/QH13", "title": "Luật Hộ tịch"}
    assert version.steps[0]["steps"][0].startswith("Người có yêu cầu")

    records = json.loads((FIXTURES / "national-1.001193.json").read_text(encoding="utf-8"))
    records[0]["MATTHC"] = "1.999999"
    records[0]["COQUANTHUCHIEN"][0]["MACOQUAN"] = "000.77.26.H26"
    records[0]["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["DONVITINH"] = "Tuần trăng"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    report = import_file(bad)
    assert report.created == 0
    (rejection,) = report.rejected
    assert rejection.position == "record 1"
    assert "000.77.26.H26" in rejection.reason and "Tuần trăng" in rejection.reason


@pytest.mark.parametrize("fmt", ["procedures", "national", "index"])
def test_export_then_import_changes_nothing(orgs, tmp_path, fmt):
    import_file(DATA / "procedures.json")
    import_file(FIXTURES / "national-1.001193.json")  # a version with codes and steps
    before = ProcedureVersion.objects.count()
    path = tmp_path / ("export.jsonl" if fmt == "index" else "export.json")
    call_command("export_procedures", "--format", fmt, "--output", str(path))
    assert formats.detect(path, path.read_text(encoding="utf-8")) == fmt
    differences = _diff(path) if fmt != "index" else []
    report = import_file(path)
    expected_unchanged = 39
    if fmt == "index":
        # Detailed procedures are not touched by index lines; the info-only one is equal.
        assert report.unchanged == expected_unchanged
    else:
        assert (report.created, report.updated, report.unchanged) == (0, 0, expected_unchanged), (
            differences
        )
    assert ProcedureVersion.objects.count() == before
    assert len(export_contents()) == 39


def test_negative_fee_never_reaches_the_database(orgs):
    import_file(DATA / "procedures.json")
    assert not Fee.objects.filter(amount_vnd__lt=0).exists()


def _diff(path):
    from egov.catalog.services import content as cm

    out = []
    for _pos, raw in formats.read(path):
        c = cm.clean(raw)
        p = Procedure.objects.get(code=c["code"])
        stored = cm.read_version(p.current_version)
        for k in (*cm.VERSION_FIELDS, "status", "scope"):
            if c.get(k) != stored.get(k):
                out.append((c["code"], k, c.get(k), stored.get(k)))
    return out
