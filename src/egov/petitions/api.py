"""The petitions' API: submit (a citizen's session: identity is required), list and track
(officials: their organisations' petitions; citizens: their own), and every act of the act
table as ``POST /petitions/{code}/<act>/``, with the act's scopes. A status that does not allow
the act answers 409; another organisation's petition 404; bad input 400 in Vietnamese."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.accounts.scopes import ScopePermission, granted_scopes
from egov.catalog.models import Procedure
from egov.core.models import Organisation
from egov.dossiers.api.serializers import uploads_from
from egov.dossiers.services.files import Upload
from egov.dossiers.web import file_response
from egov.petitions import deadlines, scopes, services
from egov.petitions.access import can_see, visible_petitions
from egov.petitions.acts import ACTS
from egov.petitions.errors import IllegalTransition
from egov.petitions.models import Category, Petition, Status
from egov.petitions.services import peers
from egov.petitions.timeline import timeline


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PetitionSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    organisation_code = serializers.CharField(source="organisation.code", read_only=True)
    flag = serializers.SerializerMethodField()

    class Meta:
        model = Petition
        fields = [
            "code",
            "title",
            "content",
            "category",
            "status",
            "status_label",
            "organisation",
            "organisation_code",
            "received_at",
            "due_at",
            "flag",
            "answer_text",
            "answered_at",
            "published_at",
        ]
        read_only_fields = fields

    def get_flag(self, petition) -> str:
        return deadlines.flag(petition)


class HandOffSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    act = serializers.CharField()
    act_code = serializers.CharField(help_text="The act's name in the act table")
    status = serializers.CharField()
    status_code = serializers.IntegerField()
    to = serializers.CharField()
    to_code = serializers.CharField(help_text="Code of the organisation it went to")
    due = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()


class AttachmentSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Its place among the petition's files, from 1")
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    supplement = serializers.BooleanField()
    url = serializers.CharField(help_text="Where to download it (the caller's scope applies)")


class PetitionDetailSerializer(PetitionSerializer):
    timeline = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(PetitionSerializer.Meta):
        fields = [*PetitionSerializer.Meta.fields, "timeline", "attachments"]
        read_only_fields = fields

    @extend_schema_field(HandOffSerializer(many=True))
    def get_timeline(self, petition) -> list[dict]:
        return HandOffSerializer(timeline(petition), many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, petition) -> list[dict]:
        rows = []
        for number, row in enumerate(petition.attachments.order_by("pk"), start=1):
            url = reverse(
                "petition-attachment", kwargs={"petition_code": petition.code, "number": number}
            )
            rows.append(
                {
                    "number": number,
                    "name": row.name,
                    "content_type": row.content_type,
                    "size": row.size,
                    "sha256": row.sha256,
                    "supplement": row.supplement,
                    "url": url,
                }
            )
        return AttachmentSerializer(rows, many=True).data


class PetitionFileSerializer(serializers.Serializer):
    """A file sent in a JSON body; multipart bodies send ``files`` parts instead."""

    filename = serializers.CharField(max_length=255)
    content_type = serializers.CharField(max_length=100, help_text="PDF, JPEG or PNG")
    content_base64 = serializers.CharField()


class SubmitSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255)
    content = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    procedure = serializers.CharField(required=False, allow_blank=True, help_text="Procedure code")
    organisation = serializers.CharField(
        required=False, allow_blank=True, help_text="Code of the organisation concerned"
    )
    publish_name = serializers.BooleanField(default=False)
    files = PetitionFileSerializer(
        many=True,
        required=False,
        help_text="Attachments, checked by their content as a dossier's files are",
    )


class InboundSerializer(serializers.Serializer):
    """A petition forwarded by a centre's instance (docs/petitions.md, "The national side")."""

    origin = serializers.CharField(max_length=32, help_text="The forwarding centre's code")
    origin_code = serializers.CharField(max_length=24, help_text="The petition's code there")
    to_organisation = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=255)
    content = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    procedure = serializers.CharField(required=False, allow_blank=True, default="")
    concerned_organisation = serializers.CharField(required=False, allow_blank=True, default="")
    submitter_kind = serializers.CharField(max_length=8, help_text="citizen or business")
    submitter_name = serializers.CharField(max_length=255)
    submitter_id_number = serializers.CharField(max_length=14, allow_blank=True)
    submitter_email = serializers.CharField(required=False, allow_blank=True, default="")
    publish_name = serializers.BooleanField(default=False)
    received_at = serializers.DateTimeField(required=False)
    files = PetitionFileSerializer(many=True, required=False)


class ActSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    answer = serializers.CharField(required=False, allow_blank=True, default="")
    to_organisation = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Organisation code (forward)"
    )
    into = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Petition code (merge)"
    )
    files = PetitionFileSerializer(many=True, required=False, help_text="Files of a supplement")


def _is_citizen(request) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False) and hasattr(user, "citizen"))


API_ACTS = {name: act for name, act in ACTS.items() if act.sources}


class PetitionPermission(ScopePermission):
    """An act is open to whoever holds one of its scopes (the act table), or to a citizen for
    the submitter's acts; citizens also submit, list and read (the owner rule limits them to
    their own). The service decides again on the object."""

    def has_permission(self, request, view) -> bool:
        act = API_ACTS.get(view.action)
        if act is not None:
            held = granted_scopes(request)
            if "*" in held or any(s in held for s in act.scopes):
                return True
            return act.submitter and _is_citizen(request)
        if view.action == "create":
            return _is_citizen(request)
        if super().has_permission(request, view):
            return True
        return view.action in {"list", "retrieve", "attachment", "answer_pdf"} and _is_citizen(
            request
        )

    def has_object_permission(self, request, view, obj) -> bool:
        return can_see(request, scopes.READ, obj)


def _organisation(code: str, field: str):
    if not code:
        return None
    found = Organisation.objects.filter(code=code).order_by("-pk").first()
    if found is None:
        raise exceptions.ValidationError({field: [_("No organisation has this code.")]})
    return found


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List petitions")),
    retrieve=extend_schema(summary=gettext_lazy("Get a petition")),
)
class PetitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Petitions the caller may read: its organisations' (now or before a hand-off), or its own."""

    permission_classes = [PetitionPermission]
    required_scopes = {
        "list": scopes.READ,
        "retrieve": scopes.READ,
        "create": scopes.SUBMIT,
        "attachment": scopes.READ,
        "answer_pdf": scopes.READ,
        "inbound": scopes.INBOUND,
        **{name: (act.scopes or (scopes.SUBMIT,))[0] for name, act in API_ACTS.items()},
    }
    lookup_field = "code"
    lookup_url_kwarg = "petition_code"
    lookup_value_regex = "[^/]+"
    serializer_class = PetitionSerializer

    def get_queryset(self):
        qs = visible_petitions(self.request).select_related("organisation")
        params = self.request.query_params
        if self.action == "list":
            if params.get("status", "").isdigit():
                qs = qs.filter(status=int(params["status"]))
            if params.get("due") == "overdue":
                qs = qs.filter(deadlines.overdue_q())
            elif params.get("due") == "soon":
                qs = qs.filter(deadlines.at_risk_q())
            qs = qs.order_by("-received_at", "-pk")
        return qs

    def get_serializer_class(self):
        return PetitionDetailSerializer if self.action == "retrieve" else PetitionSerializer

    def get_object(self):
        petition = (
            Petition.objects.select_related("organisation", "submitter")
            .filter(code=self.kwargs["petition_code"])
            .first()
        )
        if petition is None or not can_see(self.request, scopes.READ, petition):
            raise Http404
        self.check_object_permissions(self.request, petition)
        return petition

    @extend_schema(
        summary=gettext_lazy("Submit a petition"),
        request=SubmitSerializer,
        responses={201: PetitionDetailSerializer},
    )
    def create(self, request):
        """Submit a petition (a citizen logged in with the e-ID; never anonymous), with its
        attachments: base64 in ``files`` (JSON), or ``files`` parts (multipart)."""
        serializer = SubmitSerializer(data=_fields(request))
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        procedure = None
        if v.get("procedure"):
            procedure = Procedure.objects.filter(code=v["procedure"]).first()
            if procedure is None:
                raise exceptions.ValidationError({"procedure": [_("No procedure has this code.")]})
        petition = services.submit(
            actor=request,
            data=services.PetitionData(
                title=v["title"],
                content=v["content"],
                category=v["category"],
                procedure=procedure,
                concerned_organisation=_organisation(v.get("organisation", ""), "organisation"),
                publish_name=v["publish_name"],
            ),
            uploads=_uploads(request, v),
        )
        return Response(PetitionDetailSerializer(petition).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Download an attachment of a petition"),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="No such petition or file, or not the caller's"),
        },
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<number>[0-9]{1,6})")
    def attachment(self, request, petition_code=None, number=None):
        """The file as it was sent (its checked type), to whoever may read the petition."""
        petition = self.get_object()
        index = int(number) - 1
        rows = petition.attachments.order_by("pk")[index : index + 1] if index >= 0 else []
        row = next(iter(rows), None)
        if row is None:
            raise Http404
        return file_response(row.file, row.name, row.content_type)

    @extend_schema(
        summary=gettext_lazy("Download the signed answer of a petition"),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="Not answered, or not the caller's"),
        },
    )
    @action(detail=True, methods=["get"], url_path="answer-pdf")
    def answer_pdf(self, request, petition_code=None):
        """The answer's PDF, signed by the answering organisation, to whoever may read it."""
        petition = self.get_object()
        return file_response(petition.answer_file, f"{petition.code}.pdf", "application/pdf")

    @extend_schema(
        summary=gettext_lazy("Receive a petition forwarded by the national centre"),
        request=InboundSerializer,
        responses={201: PetitionDetailSerializer, 200: PetitionDetailSerializer},
    )
    @action(detail=False, methods=["post"], url_path="inbound")
    def inbound(self, request):
        """A centre's instance forwards a petition to an organisation here (201); the same
        (origin, origin_code) again answers 200 with the same petition and changes nothing."""
        serializer = InboundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        petition, created = peers.receive(
            request, v, uploads_from(v.get("files") or [], prefix="files")
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PetitionDetailSerializer(petition).data, status=code)


def _fields(request):
    """The body's fields; a multipart body's files are read by :func:`_uploads`."""
    if not request.content_type.startswith("multipart/"):
        return request.data
    return {key: request.data.get(key) for key in request.data if key != "files"}


def _uploads(request, v) -> list[Upload]:
    uploads = uploads_from(v.get("files") or [], prefix="files")
    return uploads + [Upload.from_file(f) for f in request.FILES.getlist("files")]


def _act(name):
    act = ACTS[name]

    def method(self, request, petition_code=None):
        petition = self.get_object()
        body = ActSerializer(data=_fields(request))
        body.is_valid(raise_exception=True)
        v = body.validated_data
        kwargs = {}
        if "to_organisation" in act.fields:
            kwargs["to_organisation"] = _organisation(v["to_organisation"], "to_organisation")
        if "note" in act.fields:
            kwargs["note"] = v["note"]
        if "reason" in act.fields:
            kwargs["reason"] = v["reason"]
        if "answer" in act.fields:
            kwargs["text"] = v["answer"]
        if "files" in act.fields:
            kwargs["uploads"] = _uploads(request, v)
        if "into" in act.fields:
            lead = Petition.objects.filter(code=v["into"]).first()
            if lead is None or not can_see(request, scopes.READ, lead):
                raise exceptions.ValidationError({"into": [_("No petition has this code.")]})
            kwargs["into"] = lead
        try:
            services.ACT_FUNCTIONS[name](request, petition, **kwargs)
        except IllegalTransition as exc:
            raise Conflict(" ".join(exc.messages), code="illegal_transition") from exc
        petition.refresh_from_db()
        return Response(PetitionDetailSerializer(petition).data)

    method.__name__ = name
    method.__doc__ = f"{act.label} ({', '.join(act.scopes) or 'the submitter'})."
    return extend_schema(
        request=ActSerializer,
        responses={200: PetitionDetailSerializer},
        summary=act.label,
        operation_id=f"petitions_{name}",
    )(action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(method))


for _name in API_ACTS:
    setattr(PetitionViewSet, _name, _act(_name))

__all__ = ["PetitionViewSet", "Status"]
