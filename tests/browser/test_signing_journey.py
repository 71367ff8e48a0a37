"""Signing in Chromium (issue 13 §1): the approver approves a dossier and signs its result made
from the template; the document clerk signs an outgoing document's PDF on the new-document page
and sends it. axe-core finds no violations on the pages with the signing forms. The signatures
are checked by pyHanko against the CA and by poppler's pdfsig (in a thread: pyHanko runs its own
event loop, which cannot run inside Playwright's)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connections

from egov.core.services.organisations import OrganisationData, create_organisation
from egov.dossiers import services
from egov.dossiers.models import Result, Status
from egov.exchange.models import OfficialDocument, Package
from tests.accounts.officials_support import make_official
from tests.browser.conftest import axe_violations
from tests.browser.test_dossier_journey import confirm, official_login
from tests.core.signing_support import assert_pdfsig_shows, assert_valid_by_pyhanko
from tests.dossiers.core_support import make_world, submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def sync_db_with_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def in_thread(fn, *args, **kwargs):
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def name(official, full: tuple[str, str], title: str):
    user = official.user
    user.first_name, user.last_name = full
    user.save(update_fields=["first_name", "last_name"])
    official.title = title
    official.save(update_fields=["title"])


def test_the_approver_signs_the_result_and_the_clerk_signs_a_document(
    sync_db_with_playwright, live_server, browser, tmp_path
):
    w = make_world()
    # The hub's operator (EGOV_INSTANCE_ORG_CODE) signs what the hub adds to a package.
    create_organisation(
        OrganisationData(settings.EGOV_INSTANCE_ORG_CODE, "Văn phòng Chính phủ", "central")
    )
    name(w.approver, ("Nguyễn Văn", "An"), "Chủ tịch")
    clerk = make_official("clerk_a", w.a, "clerk")
    name(clerk, ("Lê Thị", "Cúc"), "Văn thư")
    dossier = submit(w)
    services.receive(dossier, actor=w.desk.user)
    services.start_processing(dossier, actor=w.desk.user)
    services.forward(dossier, actor=w.processor.user)
    base = live_server.url
    violations = {}

    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    official_login(page, base, "lead_a")
    page.goto(base + f"/one-stop/d/{dossier.code}/")
    page.locator("details:has(form.act-approve) summary").click()
    violations["dossier"] = axe_violations(page)
    form = page.locator("form.act-approve")
    form.get_by_label("Tạo kết quả từ mẫu và ký số").check()
    confirm(
        page,
        "approve",
        name="Giấy xác nhận tình trạng hôn nhân",
        decision="Xác nhận ông/bà chưa đăng ký kết hôn với ai.",
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED
    with Result.objects.get(dossier=dossier).file.open("rb") as handle:
        result = handle.read()
    in_thread(assert_valid_by_pyhanko, result, signer_cn="Nguyễn Văn An")
    assert_pdfsig_shows(result, tmp_path, "Nguyễn Văn An")
    context.close()

    # The clerk of Xã A signs a letter to Xã B and sends it.
    letter = tmp_path / "cong-van.pdf"
    letter.write_bytes(in_thread(_letter))
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    official_login(page, base, "clerk_a")
    page.goto(base + "/exchange/documents/new/")
    violations["new_document"] = axe_violations(page)
    page.locator("[name=organisation]").select_option(str(w.a.pk))
    page.locator("[name=document_type]").select_option("CV")
    page.locator("[name=subject]").fill("Về việc ký số văn bản đi")
    # Recipients are picked by name (egov.exchange.picker), never typed as codes.
    page.get_by_label("Tìm cơ quan theo tên").press_sequentially("xa b", delay=30)
    page.get_by_label("Xã B", exact=True).check()
    page.locator("[name=pdf]").set_input_files(str(letter))
    page.locator("[name=sign]").check()
    page.get_by_role("button", name="Đăng ký", exact=True).click()
    page.wait_for_load_state()
    doc = OfficialDocument.objects.get()
    assert doc.signer_name == "Lê Thị Cúc"
    with default_storage.open(doc.pdf, "rb") as handle:
        signed = handle.read()
    in_thread(assert_valid_by_pyhanko, signed, signer_cn="Lê Thị Cúc")
    assert_pdfsig_shows(signed, tmp_path, "Lê Thị Cúc")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert Package.objects.count() == 1, page.locator("main").inner_text()
    context.close()
    assert violations == {k: [] for k in violations}
    connections.close_all()


def _letter() -> bytes:
    from tests.core.test_signing_personal import page_pdf

    return page_pdf("Cong van")
