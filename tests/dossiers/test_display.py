"""Names, not codes (issue 13): the official's view of a dossier's form shows labels (units by
name, choices by title, dates dd/mm/yyyy, files as links) and staff by full name and title."""

from __future__ import annotations

import hashlib
import re

import pytest

from egov.accounts.services import officials as official_services
from egov.catalog import forms
from egov.dossiers.application.display import form_rows, unit_names
from egov.dossiers.services import Upload

from .core_support import PDF, submit, world  # noqa: F401

SCHEMA = forms.form(
    "Tờ khai",
    {
        "child": forms.group(
            "Người được khai sinh",
            {
                "sex": forms.choice("Giới tính", forms.SEX),
                "date_of_birth": forms.date("Ngày sinh"),
                "residence": forms.address("Nơi cư trú"),
            },
            [],
        ),
        "copies": forms.number("Số bản sao"),
        "proof": forms.file("Giấy chứng sinh"),
    },
    [],
)


@pytest.fixture
def w(world):  # noqa: F811
    return world


def _value(w):
    return {
        "child": {
            "sex": "nu",
            "date_of_birth": "2026-11-30",
            "residence": {"province": w.p.code, "commune": w.a.code, "street": "12 Lê Lợi"},
        },
        "copies": 2,
        "proof": "upload:" + hashlib.sha256(PDF).hexdigest(),
    }


def test_form_rows_read_names_labels_and_dates(w, django_assert_num_queries):
    with django_assert_num_queries(1):  # every unit of the form in one query
        rows = form_rows(SCHEMA, _value(w))
    shown = {r.label: r.text for r in rows}
    assert shown["Người được khai sinh › Giới tính"] == "Nữ"
    assert shown["Người được khai sinh › Ngày sinh"] == "30/11/2026"
    assert shown["Người được khai sinh › Nơi cư trú"] == "12 Lê Lợi, Xã A, Tỉnh P"
    assert shown["Số bản sao"] == "2"
    assert "000.00" not in " ".join(shown.values())
    assert shown["Giấy chứng sinh"] == "—"  # no component of that content


def test_unit_names_prefer_the_unit_of_the_day(w):
    import datetime as dt

    from egov.core.models import Organisation

    Organisation.objects.filter(pk=w.a.pk).update(valid_to=dt.date(2025, 6, 30))
    Organisation.objects.create(
        code=w.a.code,
        name="Phường A mới",
        level="commune",
        parent=w.p,
        path=w.a.path + "x/",
        valid_from=dt.date(2025, 7, 1),
    )
    assert unit_names({w.a.code}, dt.date(2025, 1, 1)) == {w.a.code: "Xã A"}
    assert unit_names({w.a.code}, dt.date(2026, 1, 1)) == {w.a.code: "Phường A mới"}
    assert unit_names({w.a.code}, None) == {w.a.code: "Phường A mới"}


def test_the_dossier_page_shows_labels_and_links_files(client, w):
    from egov.catalog.models import ProcedureVersion

    ProcedureVersion.objects.filter(pk=w.version.pk).update(application_form=SCHEMA)
    w.version.refresh_from_db()
    dossier = submit(
        w,
        form_data=_value(w),
        uploads=[Upload(PDF, "giay-chung-sinh.pdf", "application/pdf", name="Giấy chứng sinh")],
    )
    client.force_login(w.desk.user)
    html = client.get(f"/one-stop/d/{dossier.code}/").content.decode()
    component = dossier.components.get()
    assert "12 Lê Lợi, Xã A, Tỉnh P" in html and ">Nữ<" in html and "30/11/2026" in html
    assert f'href="/one-stop/d/{dossier.code}/files/{component.pk}/">Giấy chứng sinh</a>' in html
    table = html.split('govuk-summary-list form-data">')[1].split("</dl>")[0]
    text = re.sub(r'href="[^"]*"', "", table)  # the links hold the dossier's code
    assert "upload:" not in text and "000.00." not in text


def test_staff_appear_by_name_and_title(client, w):
    official_services.name_official(
        w.desk, first_name="Nguyễn Thị Lan", last_name="Anh", title="Công chức Một cửa", actor="t"
    )
    official_services.name_official(
        w.processor, first_name="Trần Văn", last_name="Hùng", title="Công chức Tư pháp", actor="t"
    )
    dossier = submit(w)
    client.force_login(w.desk.user)
    response = client.post(f"/one-stop/d/{dossier.code}/act/", {"act": "receive"})
    assert response.status_code == 302
    html = client.get(f"/one-stop/d/{dossier.code}/").content.decode()
    # The history: the desk by name and title, never the username.
    assert "Nguyễn Thị Lan Anh, Công chức Một cửa" in html
    assert "desk_a" not in html
    # The staff picker (assignment) by name and title.
    assert ">Trần Văn Hùng, Công chức Tư pháp</option>" in html
    queue = client.get("/one-stop/").content.decode()
    assert ">Trần Văn Hùng, Công chức Tư pháp</option>" in queue


def test_demo_officials_have_vietnamese_names_and_titles():
    from egov.accounts.demo import DEMO_OFFICIALS

    for username, (first, last), title, _roles, _where in DEMO_OFFICIALS:
        assert first and last and title, username
        assert username not in f"{first} {last}"


def test_form_01s_signature_line_and_form_05_name_the_official(w):
    from egov.dossiers import services
    from egov.dossiers.printed.content import from_dossier

    official_services.name_official(
        w.desk, first_name="Nguyễn Thị Lan", last_name="Anh", title="Công chức Một cửa", actor="t"
    )
    dossier = submit(w)
    services.receive(dossier, actor=w.desk.user)
    data = from_dossier(dossier)
    assert (data.official, data.official_title) == ("Nguyễn Thị Lan Anh", "Công chức Một cửa")
    received = next(step for step in data.history if step.actor == "Nguyễn Thị Lan Anh")
    assert received.title == "Công chức Một cửa"
