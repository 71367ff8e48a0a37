"""How the dossier API answers a service's refusal: 409 for a state conflict, the names of the
refused dossiers for a batch."""

from __future__ import annotations

from rest_framework import exceptions, status

from egov.dossiers import services
from egov.dossiers.errors import NotRepresented


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class BatchConflict(Conflict):
    # A batch act some dossiers may not make: ``fields`` names each refused dossier code.
    def __init__(self, message, fields):
        super().__init__(message, code="batch_refused")
        self.fields = fields


class BatchNotFound(exceptions.NotFound):
    def __init__(self, message, fields):
        super().__init__(message, code="not_found")
        self.fields = fields


def call_service(function, *args, **kwargs):
    """Run a service; its refusals become the API's JSON errors (409 for state conflicts)."""
    try:
        return function(*args, **kwargs)
    except NotRepresented as exc:
        # The policy's 403 says only "not allowed"; this one says what the caller may do.
        raise exceptions.PermissionDenied(str(exc), code=exc.code) from exc
    except services.DossierError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise Conflict(" ".join(exc.messages), code=exc.code or "conflict") from exc
