"""What ``egov screenshots`` shows: the official's workspace, a dossier's page and the citizen's
application form, each at 1280 px and 375 px wide, taken by Debian's Chromium through
Playwright (as tests/browser does) from a live server on this process's database.

The data are the demo's (``load-demo``) and three walk-in dossiers registered by the demo desk
official through the services, so that the workspace has queues to count and one due soon.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.test import Client
from django.test.testcases import LiveServerThread
from django.utils import timezone

WIDTHS = (1280, 375)
DESK = "motcua"  # the demo's one-stop desk official (egov.accounts.demo)
PROCEDURE = "1.001193"  # birth registration (the citizen's form): in the demo catalogue
# The walk-in dossiers: the bench procedure (generate-dossiers --setup-only), whose default form
# asks for no file, so that they are registered through the services as a desk would.
WALK_IN = "9.999999"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]


class Unavailable(RuntimeError):
    """Chromium or Playwright is missing: say which and how to install it."""


def prepare(write) -> tuple[object, object, str]:
    """The demo data and walk-in dossiers; returns (desk user, a dossier, the form's path)."""
    from django.contrib.auth import get_user_model

    from egov.accounts.models import Official
    from egov.catalog.models import Procedure
    from egov.dossiers import services
    from egov.dossiers.benchdata import sample_form
    from egov.dossiers.services.intake import ApplicantData

    call_command("migrate", verbosity=0)
    if not get_user_model().objects.filter(username=DESK).exists():
        write("Loading the demo data (a minute)…")
        call_command("load_demo", verbosity=0)
    official = Official.objects.select_related("user", "organisation").get(user__username=DESK)
    user = official.user
    if not user.first_name:  # a person, not a login name, in the pictures
        user.first_name, user.last_name = "Lan", "Trần Thị"
        user.save(update_fields=["first_name", "last_name"])
    call_command("generate_dossiers", 0, setup_only=True, verbosity=0)
    version = Procedure.objects.get(code=WALK_IN).version_on(timezone.localdate())
    dossiers = []
    for name, id_number in (
        ("Nguyễn Văn An", "001099012345"),
        ("Lê Thị Hoa", "001199054321"),
        ("Phạm Minh Khôi", "001201067890"),
    ):
        dossiers.append(
            services.register_in_person(
                actor=user,
                procedure_version=version,
                organisation=official.organisation,
                applicant=ApplicantData(name=name, id_number=id_number, phone="0912345678"),
                form_data=sample_form(version.application_form),
            )
        )
    return user, dossiers[0], f"/procedures/{PROCEDURE}/apply/"


def _session_cookie(user, base: str) -> dict:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base}


@contextlib.contextmanager
def live_server():
    thread = LiveServerThread("localhost", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://localhost:{thread.port}"
    finally:
        thread.terminate()


def take(out: Path, chromium: str, write) -> list[Path]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise Unavailable("Playwright is missing: pip install playwright (the dev extra)") from exc
    if not (Path(chromium).exists() or shutil.which(chromium)):
        raise Unavailable(f"Chromium not found at {chromium} (apt-get install chromium)")
    user, dossier, form_path = prepare(write)
    pages = {  # name: (path, as the desk official)
        "workspace": ("/workspace/", True),
        "dossier": (f"/one-stop/d/{dossier.code}/", True),
        "citizen-form": (form_path, False),
    }
    out.mkdir(parents=True, exist_ok=True)
    with live_server() as base:
        # Before Playwright starts: its sync API runs an event loop, where the ORM may not.
        cookie = _session_cookie(user, base)
        made = _shoot(base, cookie, pages, out, chromium, write, sync_playwright)
    return made


def _shoot(base, cookie, pages, out, chromium, write, sync_playwright) -> list[Path]:
    made = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            for width in WIDTHS:
                for name, (path, official) in pages.items():
                    context = browser.new_context(
                        locale="vi-VN", viewport={"width": width, "height": 900}
                    )
                    if official:
                        context.add_cookies([cookie])
                    page = context.new_page()
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    target = out / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    made.append(target)
                    write(f"  {target}")
                    context.close()
        finally:
            browser.close()
    return made
