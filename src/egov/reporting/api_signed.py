"""The signed data of reports over the API (services.xml_data):

- ``POST /reporting/signed-data/`` (``reports.submit``), an XML body: a data document signed
  elsewhere by the organisation's signer; its values are submitted with the same checks as
  every other way in, and the document is kept. ``?confirm_warnings=true`` confirms warnings.
  409 (``replayed``) for a document accepted already, 409 (``stale``) for one prepared against
  an earlier version of the report; nothing is written then.
- ``POST /reporting/signed-data/sign/`` (``reports.submit``) ``{"submission": id}``: the data of
  a submission sent already, signed by the caller, an official of the reporting organisation.
- ``GET /reporting/signed-data/{id}/`` (``reports.read``): the document as signed, verified
  again first (409 with the reason if it no longer verifies).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.accounts import policy
from egov.accounts.scopes import ScopePermission
from egov.core import downloads, inputs

from . import scopes
from .models import DataSignature, Submission
from .services import xml_data


class XmlBody(parsers.BaseParser):
    """The raw document, capped: the bytes are what was signed, so nothing is cleaned."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return b""
        raw = stream.read(xml_data.MAX_DOCUMENT + 1)
        if len(raw) > xml_data.MAX_DOCUMENT:
            raise exceptions.ValidationError(
                {"non_field_errors": [gettext_lazy("The report's data document is too large.")]}
            )
        return raw


class DataSignatureSerializer(serializers.ModelSerializer):
    submission = serializers.IntegerField(source="submission_id")
    signed_by = serializers.CharField(source="signed_by.username")

    class Meta:
        model = DataSignature
        fields = [
            "id",
            "submission",
            "version",
            "signed_by",
            "holder",
            "signed_at",
            "revision",
            "sha256",
            "signed_digest",
            "uploaded",
        ]
        read_only_fields = fields


class SignRequestSerializer(serializers.Serializer):
    submission = serializers.IntegerField()


XML_BODY = {"application/xml": {"type": "string", "format": "binary"}}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class SignedDataViewSet(viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    required_scopes = {"create": scopes.SUBMIT, "sign": scopes.SUBMIT, "retrieve": scopes.READ}
    serializer_class = DataSignatureSerializer
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [XmlBody]  # ``sign`` reads JSON: its own parser below

    def get_queryset(self):
        qs = DataSignature.objects.select_related(
            "submission__regime", "submission__organisation", "signed_by"
        )
        return policy.scope_queryset(self.request, scopes.READ, qs)

    @extend_schema(
        summary=gettext_lazy("Submit a report with its data signed elsewhere (XMLDSig)"),
        request=XML_BODY,
        parameters=[OpenApiParameter("confirm_warnings", bool, required=False)],
        responses={
            201: DataSignatureSerializer,
            409: OpenApiResponse(
                description=gettext_lazy(
                    "The document was accepted already (replayed), or was prepared for an "
                    "earlier version of the report (stale)."
                )
            ),
        },
    )
    def create(self, request):
        confirm = request.query_params.get("confirm_warnings", "").lower() in ("1", "true")
        data = request.data if isinstance(request.data, bytes) else b""
        try:
            signature = xml_data.submit_signed(request, data, confirm=confirm)
        except xml_data.Refused as exc:
            raise Conflict(" ".join(exc.messages), code=exc.code) from exc
        return Response(DataSignatureSerializer(signature).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Sign a submission's data (XMLDSig) with your certificate"),
        request=SignRequestSerializer,
        responses={
            201: DataSignatureSerializer,
            404: OpenApiResponse(description=gettext_lazy("No such report.")),
        },
    )
    @action(detail=False, methods=["post"], parser_classes=[inputs.JSONParser])
    def sign(self, request):
        body = SignRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        submission = (
            policy.scope_queryset(request, scopes.READ, Submission.objects.all())
            .select_related("regime", "organisation")
            .filter(pk=body.validated_data["submission"])
            .first()
        )
        if submission is None:
            raise exceptions.NotFound(gettext_lazy("No such report."))
        signature = xml_data.sign(submission, actor=request)
        return Response(DataSignatureSerializer(signature).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("The signed data of a report (XML), verified on read"),
        responses={
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY),
            409: OpenApiResponse(description="The kept document no longer verifies."),
        },
    )
    def retrieve(self, request, pk=None):
        signature = self.get_object()
        checked = xml_data.check(signature)
        if not checked.valid:
            return Response(
                {"code": "signature", "message": checked.message},
                status=status.HTTP_409_CONFLICT,
            )
        response = HttpResponse(bytes(signature.document), content_type="application/xml")
        response["Content-Disposition"] = downloads.content_disposition(
            f"du-lieu-bao-cao-{signature.submission_id}-{signature.pk}.xml"
        )
        return response
