"""Shared pieces of the one-stop web tests (5b): log a citizen in, post the application form."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from egov.accounts.services.citizens import SESSION_CITIZEN, SESSION_LEVEL

from .core_support import PDF, valid_form


def citizen_login(client, citizen, level: int = 1) -> None:
    """A citizen session as the OpenID Connect callback leaves it (the login flow itself is
    tested in tests/accounts)."""
    client.force_login(citizen.user)
    session = client.session
    session[SESSION_LEVEL] = level
    session[SESSION_CITIZEN] = citizen.pk
    session.save()


def flatten(data: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, prefix=f"{path}."))
        else:
            out[path] = str(value)
    return out


def pdf_file(name: str = "to-khai.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def application_post(w, **files) -> dict:
    """The POST of the online application page for world ``w`` (agency Xã A)."""
    data = flatten(valid_form(w))
    data.update(agency_province=w.p.code, agency=w.a.code)
    data.update(files)
    return data


def small_signed_pdf(org) -> bytes:
    """A one-page PDF signed by ``org`` (the electronic result)."""
    from reportlab.pdfgen import canvas

    from egov.core.signing import sign_pdf

    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawString(72, 720, "Giay xac nhan")
    page.showPage()
    page.save()
    return sign_pdf(buf.getvalue(), org)
