"""Catalogue API: list, search and get procedures and their versions; writes for catalogue
managers (scope ``catalog.write``), all through egov.catalog.services."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from egov.accounts.scopes import ScopePermission
from egov.catalog import forms, scopes, search
from egov.catalog.models import OnlineLevel, Procedure, ProcedureVersion, Sector
from egov.catalog.services import content as content_mod
from egov.catalog.services import versions as version_services
from egov.core.models.organisations import Level

WRITE = scopes.WRITE


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "code", "name"]
        read_only_fields = fields


class ProcedureSerializer(serializers.ModelSerializer):
    sectors = SectorSerializer(many=True, read_only=True)
    levels = serializers.SerializerMethodField()
    current_version = serializers.IntegerField(
        source="current_version.number", read_only=True, default=None
    )
    effective_from = serializers.DateField(
        source="current_version.effective_from", read_only=True, default=None
    )

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name",
            "status",
            "scope",
            "online_level",
            "levels",
            "detailed",
            "sectors",
            "agency_names",
            "current_version",
            "effective_from",
            "updated_at",
        ]
        read_only_fields = fields

    def get_levels(self, obj) -> list[str]:
        return obj.levels.split()


class _Dicts(serializers.ListField):
    child = serializers.DictField()


class ContentSerializer(serializers.Serializer):
    """A version's content (see egov.catalog.services.content for every key)."""

    name = serializers.CharField()
    status = serializers.CharField(required=False)
    scope = serializers.CharField(required=False, allow_blank=True)
    sectors = serializers.ListField(child=serializers.CharField(), required=False)
    publishing_agency = serializers.DictField(required=False)
    published_by_decision = serializers.CharField(required=False, allow_blank=True)
    implementing_agencies = _Dicts(required=False)
    levels = serializers.ListField(child=serializers.CharField(), required=False)
    steps = _Dicts(required=False)
    channels = _Dicts(required=False)
    required_documents = _Dicts(required=False)
    requirements = serializers.CharField(required=False, allow_blank=True)
    applicant_types = serializers.ListField(child=serializers.CharField(), required=False)
    results = _Dicts(required=False)
    legal_basis = _Dicts(required=False)
    online_level = serializers.ChoiceField(OnlineLevel.choices, required=False)
    application_form = serializers.DictField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class NewProcedureSerializer(ContentSerializer):
    code = serializers.CharField()


VERSION_STATUS_HELP = "draft, published or superseded"


class VersionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="procedure.code", read_only=True)
    status = serializers.CharField(read_only=True, help_text=VERSION_STATUS_HELP)
    content = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = [
            "code",
            "number",
            "status",
            "effective_from",
            "effective_to",
            "published_at",
            "content",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_content(self, obj) -> dict:
        content = content_mod.read_version(obj)
        content.pop("source", None)
        return content


class VersionSummarySerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=VERSION_STATUS_HELP)

    class Meta:
        model = ProcedureVersion
        fields = ["number", "status", "effective_from", "effective_to", "published_at", "name"]
        read_only_fields = fields


class PublishSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True)


VERSION_PREFETCH = (
    "sectors",
    "implementing_agencies__organisation",
    "channels__fees",
    "required_documents__form_templates",
)

FILTERS = [
    OpenApiParameter(
        "q", str, description=gettext_lazy("Search text; diacritics, case and small typos ignored.")
    ),
    OpenApiParameter("sector", str, description=gettext_lazy("Sector id or code.")),
    OpenApiParameter("level", str, enum=Level.values),
    OpenApiParameter(
        "agency", str, description=gettext_lazy("Organisation id or electronic code.")
    ),
    OpenApiParameter("online_level", str, enum=OnlineLevel.values),
]


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List or search procedures"), parameters=FILTERS),
    retrieve=extend_schema(
        summary=gettext_lazy("Get a procedure and its version in force"),
        responses=VersionSerializer,
    ),
    create=extend_schema(
        summary=gettext_lazy("Create a procedure (its first version is a draft)"),
        request=NewProcedureSerializer,
        responses={201: VersionSerializer},
    ),
)
class ProcedureViewSet(viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    required_scopes = {
        "list": None,
        "retrieve": None,
        "versions": None,
        "version": None,
        "form": None,
        "validate_form": None,
        "create": WRITE,
        "new_draft": WRITE,
        "update_version": WRITE,
        "publish": WRITE,
        "discard": WRITE,
    }
    lookup_field = "code"
    lookup_value_regex = r"[0-9]+\.[0-9]+"
    serializer_class = ProcedureSerializer
    queryset = Procedure.objects.all()

    def list(self, request):
        params = request.query_params
        errors = {}
        if params.get("level") and params["level"] not in Level.values:
            errors["level"] = [_("Unknown level “%(level)s”.") % {"level": params["level"]}]
        if params.get("online_level") and params["online_level"] not in OnlineLevel.values:
            errors["online_level"] = [
                _("Unknown online level “%(value)s”.") % {"value": params["online_level"]}
            ]
        if errors:
            raise ValidationError(errors)
        qs = search.search(
            params.get("q", ""),
            sector=params.get("sector") or None,
            level=params.get("level") or None,
            agency=params.get("agency") or None,
            online_level=params.get("online_level") or None,
        )
        qs = qs.select_related("current_version").prefetch_related("sectors")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ProcedureSerializer(page, many=True).data)

    def _procedure(self, code) -> Procedure:
        return get_object_or_404(Procedure, code=code)

    def _version(self, code, number) -> ProcedureVersion:
        return get_object_or_404(
            ProcedureVersion.objects.select_related("procedure").prefetch_related(
                *VERSION_PREFETCH
            ),
            procedure__code=code,
            number=number,
        )

    def retrieve(self, request, code=None):
        procedure = self._procedure(code)
        version_id = procedure.current_version_id
        if version_id is None:
            latest = procedure.versions.order_by("-number").first()
            version_id = latest.pk if latest else None
        version = get_object_or_404(
            ProcedureVersion.objects.select_related("procedure").prefetch_related(
                *VERSION_PREFETCH
            ),
            pk=version_id,
        )
        return Response(VersionSerializer(version).data)

    def create(self, request):
        data = NewProcedureSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = version_services.create_procedure(dict(request.data), actor=request.user)
        return Response(
            VersionSerializer(self._version(version.procedure.code, version.number)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=gettext_lazy("The versions of a procedure"),
        responses=VersionSummarySerializer(many=True),
    )
    # The whole list, newest first (a procedure has few versions): not paginated.
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, code=None):
        procedure = self._procedure(code)
        return Response(
            VersionSummarySerializer(procedure.versions.order_by("-number"), many=True).data
        )

    @extend_schema(summary=gettext_lazy("One version of a procedure"), responses=VersionSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]+)")
    def version(self, request, code=None, number=None):
        return Response(VersionSerializer(self._version(code, number)).data)

    @extend_schema(
        summary=gettext_lazy("Start a new version (a draft copy of the version in force)"),
        request=None,
        responses={201: VersionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="drafts")
    def new_draft(self, request, code=None):
        version = version_services.new_draft(self._procedure(code), actor=request.user)
        return Response(
            VersionSerializer(self._version(code, version.number)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=gettext_lazy("Replace the content of a draft version"),
        request=ContentSerializer,
        responses=VersionSerializer,
    )
    @action(detail=True, methods=["put"], url_path=r"versions/(?P<number>[0-9]+)/content")
    def update_version(self, request, code=None, number=None):
        ContentSerializer(data=request.data).is_valid(raise_exception=True)
        version = self._version(code, number)
        version_services.update_draft(version, dict(request.data), actor=request.user)
        return Response(VersionSerializer(self._version(code, number)).data)

    @extend_schema(
        summary=gettext_lazy("Publish a draft version from an effective date"),
        request=PublishSerializer,
        responses=VersionSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[0-9]+)/publish")
    def publish(self, request, code=None, number=None):
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = self._version(code, number)
        version_services.publish(
            version,
            effective_from=data.validated_data["effective_from"],
            effective_to=data.validated_data.get("effective_to"),
            actor=request.user,
        )
        return Response(VersionSerializer(self._version(code, number)).data)

    @extend_schema(
        summary=gettext_lazy("Discard a draft version"), request=None, responses={204: None}
    )
    @action(detail=True, methods=["delete"], url_path=r"versions/(?P<number>[0-9]+)/discard")
    def discard(self, request, code=None, number=None):
        version_services.discard_draft(self._version(code, number), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=gettext_lazy("The applicant's form (JSON Schema) of the version in force"),
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def form(self, request, code=None):
        return Response(self._form_of(code))

    @extend_schema(
        summary=gettext_lazy("Check an application against the procedure's form"),
        request=OpenApiTypes.OBJECT,
        responses={
            200: inline_serializer("FormValid", {"valid": serializers.BooleanField()}),
            400: OpenApiResponse(
                description=gettext_lazy("The error shape, with errors by field path.")
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="form/validate")
    def validate_form(self, request, code=None):
        forms.clean_submission(self._form_of(code), request.data)
        return Response({"valid": True})

    def _form_of(self, code) -> dict:
        procedure = get_object_or_404(
            Procedure.objects.select_related("current_version"), code=code
        )
        version = procedure.current_version
        if version is None or not version.application_form:
            raise Http404
        return version.application_form


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List sectors")),
    retrieve=extend_schema(summary=gettext_lazy("Get a sector")),
)
class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [ScopePermission]
    required_scopes = {"list": None, "retrieve": None}
    serializer_class = SectorSerializer
    queryset = Sector.objects.order_by("name")
