"""The API's error body for refusals raised by the services (Django's PermissionDenied)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import translation

from egov.core.api_base import exception_handler


def test_a_services_refusal_keeps_its_reason():
    response = exception_handler(PermissionDenied("Chỉ người nộp hồ sơ được đánh giá."), {})
    assert response.status_code == 403
    assert response.data == {
        "code": "permission_denied",
        "message": "Chỉ người nộp hồ sơ được đánh giá.",
        "fields": {},
    }


def test_a_bare_refusal_gets_the_generic_sentence():
    with translation.override("vi"):
        response = exception_handler(PermissionDenied(), {})
    assert response.status_code == 403 and response.data["code"] == "permission_denied"
    assert response.data["message"] and "PermissionDenied" not in response.data["message"]
    with translation.override("en"):
        english = exception_handler(PermissionDenied(), {}).data["message"]
    assert english == "You do not have permission to perform this action."
