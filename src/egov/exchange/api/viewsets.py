"""The exchange API's endpoints: packages (the sender's side), the mailbox (the recipient's side)
and status packets. Each change is one call of the hub's services; a refusal is its HubError as
a 4xx body (:class:`.serializers.HubErrorSerializer`).
"""

from __future__ import annotations

from django.core.files import uploadhandler
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.accounts import policy
from egov.accounts.scopes import ScopePermission
from egov.core import inputs
from egov.exchange.api import permissions
from egov.exchange.api.serializers import (
    AcceptedSerializer,
    AcknowledgeSerializer,
    AnswerRetrySerializer,
    BatchAcceptedSerializer,
    BatchErrorSerializer,
    HubErrorSerializer,
    MailboxSerializer,
    PackageBatchSerializer,
    PackageSerializer,
    RetrySerializer,
    StatusAcceptedSerializer,
    StatusMessageSerializer,
)
from egov.exchange.models import Delivery, Package, StatusCode, StatusMessage
from egov.exchange.services import evidence
from egov.exchange.services.errors import HubError
from egov.exchange.services.hub import checks, deliveries, packages, statuses
from egov.exchange.services.relay import outbound


class XmlParser(parsers.BaseParser):
    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


def _acknowledgement(request) -> tuple[str, str]:
    data = AcknowledgeSerializer(data=request.data or {})
    data.is_valid(raise_exception=True)
    return data.validated_data.get("refused", ""), data.validated_data.get("reason", "")


def _accepted(result: packages.Accepted) -> dict:
    return {
        "id": result.package.pk,
        "document_id": result.package.document_id,
        "created": result.created,
        "receipt": result.receipt.decode("utf-8"),
    }


def _refusal(error: HubError) -> Response:
    return Response(error.as_dict(), status=error.status)


FORM_PARSERS = [inputs.JSONParser, inputs.FormParser, inputs.MultiPartParser]
XML_BODY = {"application/xml": OpenApiTypes.BINARY}
REFUSED = {
    400: OpenApiResponse(
        HubErrorSerializer, description=gettext_lazy("Refused: the element and rule are named.")
    ),
    403: OpenApiResponse(HubErrorSerializer),
    409: OpenApiResponse(HubErrorSerializer),
    413: OpenApiResponse(HubErrorSerializer),
    503: OpenApiResponse(
        HubErrorSerializer,
        description=gettext_lazy("The hub is not set up yet (hub_not_configured): try later."),
    ),
}


# Room for the multipart headers and boundaries of up to 100 parts, beyond the packages' bytes.
MULTIPART_SLACK = 100 * 1024


def _batch_too_large() -> HubError:
    return HubError(
        "too_large",
        _("The batch is larger than %(n)s bytes.") % {"n": checks.max_package()},
        status=413,
    )


class _InMemory(uploadhandler.MemoryFileUploadHandler):
    """Every part in memory, whatever the request's size (the caller capped it)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True


class PackageViewSet(viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    required_scopes = permissions.PACKAGES
    serializer_class = PackageSerializer
    parser_classes = [XmlParser]

    def get_queryset(self):
        qs = Package.objects.select_related("sender").prefetch_related("deliveries__recipient")
        return policy.scope_queryset(self.request, permissions.SEND, qs)

    @extend_schema(summary=gettext_lazy("The sender's packages, with the status per recipient"))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary=gettext_lazy("One sent package, with the status per recipient"))
    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary=gettext_lazy("Send a signed edXML package through the hub"),
        request=XML_BODY,
        parameters=[
            OpenApiParameter(
                "X-Egov-Relay",
                str,
                OpenApiParameter.HEADER,
                description=gettext_lazy(
                    "Set by a provincial hub relaying the package (its organisation code): "
                    "recipients the caller receives for are left to it."
                ),
            )
        ],
        responses={201: AcceptedSerializer, 200: AcceptedSerializer, **REFUSED},
    )
    def create(self, request):
        relayed = bool(request.headers.get("X-Egov-Relay"))
        try:
            result = packages.accept_package(
                bytes(request.data or b""), actor=request, relayed=relayed
            )
        except HubError as error:
            return _refusal(error)
        body = _accepted(result)
        return Response(body, status=status.HTTP_201_CREATED if result.created else 200)

    @extend_schema(
        summary=gettext_lazy("Send up to 100 signed edXML packages in one call, all or nothing"),
        description=(
            "Each package is checked as by POST /exchange/packages/ (an identical resend is "
            "answered as a resend, created=false); if any is refused, none is stored and the "
            "answer names each refused package (fields packages.<n>, errors[].index). 201 if "
            "any package is new, 200 if all were resends."
        ),
        request={"multipart/form-data": PackageBatchSerializer},
        parameters=[
            OpenApiParameter(
                "X-Egov-Relay",
                str,
                OpenApiParameter.HEADER,
                description=gettext_lazy("As for one package."),
            )
        ],
        responses={
            201: BatchAcceptedSerializer,
            200: BatchAcceptedSerializer,
            **{code: OpenApiResponse(BatchErrorSerializer) for code in (400, 403, 409, 413)},
        },
    )
    @action(detail=False, methods=["post"], parser_classes=[inputs.MultiPartParser])
    def batch(self, request):
        if int(request.META.get("CONTENT_LENGTH") or 0) > checks.max_package() + MULTIPART_SLACK:
            return _refusal(_batch_too_large())
        # Parts in memory: the request is capped above. Django's default handlers keep parts in
        # memory only when the whole request is under 2.5 MB: a batch of 50 packages went to 50
        # temporary files, written and read back (a fifth of the request's time).
        request._request.upload_handlers = [_InMemory(request._request)]
        files = request.FILES.getlist("package")
        if not files or len(files) > packages.BATCH_MAX:
            error = HubError(
                "batch_size",
                _("Send from 1 to %(n)s packages, each as a file part named package.")
                % {"n": packages.BATCH_MAX},
            )
            return _refusal(error)
        if sum(f.size for f in files) > checks.max_package():
            return _refusal(_batch_too_large())
        relayed = bool(request.headers.get("X-Egov-Relay"))
        try:
            results = packages.accept_packages(
                [f.read() for f in files], actor=request, relayed=relayed
            )
        except HubError as error:
            return _refusal(error)
        body = {"packages": [_accepted(result) for result in results]}
        created = any(result.created for result in results)
        return Response(body, status=status.HTTP_201_CREATED if created else 200)

    @extend_schema(
        summary=gettext_lazy("The hub's signed receipt for a package"),
        responses={(200, "application/xml"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None):
        package = self.get_object()
        return HttpResponse(packages.stored_receipt(package), content_type="application/xml")

    @extend_schema(
        summary=gettext_lazy("The document's evidence trail (verifies offline)"),
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def trail(self, request, pk=None):
        return Response(evidence.export(self.get_object().document_id))

    @extend_schema(
        summary=gettext_lazy(
            "Retry failed relays to the parent hub: the package, its statuses (provincial)"
        ),
        request=None,
        responses={202: RetrySerializer, 409: OpenApiResponse(HubErrorSerializer)},
    )
    @action(detail=True, methods=["post"], parser_classes=FORM_PARSERS)
    def retry(self, request, pk=None):
        package = self.get_object()
        try:
            retried = outbound.retry(package, actor=request)
        except HubError as error:
            return _refusal(error)
        body = {"outbox": retried.message.key, "recipients": retried.recipients}
        body["statuses"] = [m.key for m in retried.statuses]
        return Response(body, status=status.HTTP_202_ACCEPTED)


class MailboxViewSet(viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    required_scopes = permissions.MAILBOX
    serializer_class = MailboxSerializer

    def get_queryset(self):
        qs = Delivery.objects.select_related("package__sender", "recipient")
        return policy.scope_queryset(self.request, permissions.RECEIVE, qs)

    @extend_schema(
        summary=gettext_lazy("Deliveries in the caller's mailboxes"),
        parameters=[
            OpenApiParameter("state", str, enum=["pending", "delivered", "failed"]),
            OpenApiParameter(
                "recall",
                str,
                enum=["pending"],
                description=gettext_lazy(
                    "Only deliveries whose sender's recall (13) was not taken yet."
                ),
            ),
            OpenApiParameter(
                "after", int, description=gettext_lazy("Only ids above this, oldest first.")
            ),
        ],
    )
    def list(self, request):
        qs = self.get_queryset()
        if request.query_params.get("state"):
            qs = qs.filter(transport_state=request.query_params["state"])
        if request.query_params.get("recall") == "pending":
            qs = qs.filter(recall_status=StatusCode.RECALL, recall_pulled_at__isnull=True)
        qs = _after(qs, request)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary=gettext_lazy("One delivery"))
    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary=gettext_lazy("The package (the hub's signed copy, or the sender's original)"),
        parameters=[
            OpenApiParameter(
                "original",
                bool,
                description=gettext_lazy("The sender's signed bytes as the hub received them."),
            )
        ],
        responses={(200, "application/xml"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def package(self, request, pk=None):
        delivery = self.get_object()
        original = request.query_params.get("original") in {"1", "true"}
        data = packages.package_bytes(delivery.package, original=original)
        return HttpResponse(data, content_type="application/xml")

    @extend_schema(
        summary=gettext_lazy("Acknowledge a delivery (status 01), or refuse it"),
        request=AcknowledgeSerializer,
        responses={200: MailboxSerializer, 409: OpenApiResponse(HubErrorSerializer)},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        refused, reason = _acknowledgement(request)
        try:
            if refused:
                delivery = deliveries.refuse(
                    self.get_object(), code=refused, reason=reason, actor=request
                )
            else:
                delivery = deliveries.acknowledge(self.get_object(), actor=request)
        except HubError as error:
            return _refusal(error)
        return Response(self.get_serializer(delivery).data)

    @extend_schema(
        summary=gettext_lazy("The sender's recall (13) of the package: its signed status packet"),
        responses={(200, "application/xml"): OpenApiTypes.BINARY, 404: None},
    )
    @action(detail=True, methods=["get"])
    def recall(self, request, pk=None):
        message = deliveries.recall_message(self.get_object())
        if message is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        return HttpResponse(bytes(message.xml), content_type="application/xml")

    @extend_schema(
        summary=gettext_lazy(
            "Acknowledge the sender's recall (off the pending recalls), or refuse it"
        ),
        request=AcknowledgeSerializer,
        responses={200: MailboxSerializer, 404: OpenApiResponse(HubErrorSerializer)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="recall/acknowledge",
        url_name="recall-acknowledge",
    )
    def recall_acknowledge(self, request, pk=None):
        refused, reason = _acknowledgement(request)
        try:
            delivery = deliveries.acknowledge_recall(
                self.get_object(), actor=request, refused=refused, reason=reason
            )
        except HubError as error:
            return _refusal(error)
        return Response(self.get_serializer(delivery).data)

    @extend_schema(
        summary=gettext_lazy("Retry the recipient's answers whose relay to the parent hub failed"),
        description=(
            "A provincial hub: the recipient's status packets (02-06, 15, 16) about a package "
            "from a sender at the parent are sent up again (202 with the new outbox keys); 409 "
            "nothing_to_retry, not_provincial."
        ),
        request=None,
        responses={202: AnswerRetrySerializer, 409: OpenApiResponse(HubErrorSerializer)},
    )
    @action(detail=True, methods=["post"], parser_classes=FORM_PARSERS)
    def retry(self, request, pk=None):
        try:
            new = outbound.retry_answers(self.get_object(), actor=request)
        except HubError as error:
            return _refusal(error)
        return Response({"outbox": [m.key for m in new]}, status=status.HTTP_202_ACCEPTED)


def _after(qs, request):
    after = request.query_params.get("after")
    if after is None:
        return qs
    try:
        return qs.filter(pk__gt=int(after)).order_by("pk")
    except ValueError:
        return qs.none()


class StatusViewSet(viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    required_scopes = permissions.STATUSES
    parser_classes = [XmlParser]
    serializer_class = StatusMessageSerializer

    def get_queryset(self):
        # The answers to the caller's packages (its own recalls are not news to it).
        qs = StatusMessage.objects.select_related("package__sender", "sender").exclude(
            code=StatusCode.RECALL
        )
        return policy.scope_queryset(self.request, permissions.SEND, qs)

    @extend_schema(
        summary=gettext_lazy("Status packets answering the caller's packages"),
        parameters=[
            OpenApiParameter(
                "pending", bool, description=gettext_lazy("Only those not acknowledged yet.")
            ),
            OpenApiParameter(
                "after", int, description=gettext_lazy("Only ids above this, oldest first.")
            ),
        ],
    )
    def list(self, request):
        qs = self.get_queryset()
        if request.query_params.get("pending") in {"1", "true"}:
            qs = qs.filter(pulled_at__isnull=True)
        page = self.paginate_queryset(_after(qs, request))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary=gettext_lazy("One status packet answering the caller's package"))
    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary=gettext_lazy("Acknowledge a status packet (off the pending list), or refuse it"),
        request=AcknowledgeSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[inputs.JSONParser])
    def acknowledge(self, request, pk=None):
        refused, reason = _acknowledgement(request)
        message = statuses.acknowledge_status(
            self.get_object(), actor=request, refused=refused, reason=reason
        )
        return Response(self.get_serializer(message).data)

    @extend_schema(
        summary=gettext_lazy("Send a signed status packet"),
        request=XML_BODY,
        responses={201: StatusAcceptedSerializer, **REFUSED},
    )
    def create(self, request):
        try:
            message = statuses.accept_status(bytes(request.data or b""), actor=request)
        except HubError as error:
            return _refusal(error)
        body = {"id": message.pk, "document_id": message.package.document_id, "code": message.code}
        return Response(body, status=status.HTTP_201_CREATED)
