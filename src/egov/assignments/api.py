"""The assignments' API: the feed ministries' and provinces' own systems sync from (the tasks an
organisation leads or coordinates, changed since a timestamp), one task with its reports and
extensions, assigning a task (the Government Office), and every act of the act table as
``POST /assignments/{id}/<act>/``. A stage that does not allow the act answers 409; a task the
caller may not read 404; a refused act 403; bad input 400 in Vietnamese."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.accounts.models import Official
from egov.accounts.scopes import ScopePermission, granted_scopes
from egov.assignments import scopes, services
from egov.assignments import status as task_status
from egov.assignments.access import can_read, visible
from egov.assignments.acts import ACTS
from egov.assignments.errors import IllegalTransition
from egov.assignments.models import (
    Assignment,
    DeadlineKind,
    Extension,
    Origin,
    Report,
    ReportDocument,
    ReportFile,
    SourceType,
)
from egov.core.models import Organisation
from egov.dossiers.api.serializers import uploads_from


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class AssignmentSerializer(serializers.ModelSerializer):
    lead = serializers.CharField(source="lead.code", read_only=True)
    lead_name = serializers.CharField(source="lead.name", read_only=True)
    coordinators = serializers.SerializerMethodField()
    responsible = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    category_original = serializers.SerializerMethodField()
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "source_number",
            "source_date",
            "source_type",
            "source_signer",
            "origin",
            "origin_ref",
            "content",
            "is_key",
            "lead",
            "lead_name",
            "coordinators",
            "responsible",
            "deadline_kind",
            "deadline",
            "due_on",
            "original_deadline",
            "original_due_on",
            "stage",
            "stage_label",
            "category",
            "category_original",
            "assigned_on",
            "completed_at",
            "withdrawn_at",
            "withdrawal_reason",
            "withdrawal_decision",
            "updated_at",
        ]
        read_only_fields = fields

    def get_coordinators(self, task) -> list[str]:
        return [o.code for o in task.coordinators.all()]

    def get_responsible(self, task) -> str:
        return task.responsible.name_and_title if task.responsible else ""

    def get_category(self, task) -> str | None:
        cat = task_status.of(task, timezone.localdate())
        return cat.value if cat else None

    def get_category_original(self, task) -> str | None:
        cat = task_status.of(task, timezone.localdate(), task_status.ORIGINAL)
        return cat.value if cat else None


class AssignmentDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportDocument
        fields = ["number", "date", "subject", "is_result"]
        read_only_fields = fields


class AssignmentFileSerializer(serializers.ModelSerializer):
    """A file uploaded with a report (its bytes: the page ``/assignments/files/{id}/``)."""

    class Meta:
        model = ReportFile
        fields = ["id", "name", "content_type", "size", "sha256"]
        read_only_fields = fields


class AssignmentReportSerializer(serializers.ModelSerializer):
    documents = AssignmentDocumentSerializer(many=True, read_only=True)
    files = AssignmentFileSerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = ["kind", "text", "at", "accepted", "answer", "documents", "files"]
        read_only_fields = fields


class AssignmentExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Extension
        fields = [
            "requested_deadline",
            "deadline_before",
            "reason",
            "requested_at",
            "state",
            "decided_at",
            "answer",
        ]
        read_only_fields = fields


class AssignmentDetailSerializer(AssignmentSerializer):
    reports = AssignmentReportSerializer(many=True, read_only=True)
    extensions = AssignmentExtensionSerializer(many=True, read_only=True)

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "reports", "extensions"]
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    source_number = serializers.CharField(max_length=100)
    source_date = serializers.DateField()
    source_type = serializers.ChoiceField(choices=SourceType.choices)
    source_signer = serializers.CharField(max_length=255)
    content = serializers.CharField()
    is_key = serializers.BooleanField(default=False)
    lead = serializers.ListField(
        child=serializers.CharField(), help_text="Exactly one organisation code (the lead)"
    )
    coordinators = serializers.ListField(
        child=serializers.CharField(), required=False, default=list
    )
    deadline_kind = serializers.ChoiceField(choices=DeadlineKind.choices, default="date")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    responsible = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Username of the official"
    )
    origin = serializers.ChoiceField(choices=Origin.choices, default=Origin.MANUAL)
    origin_ref = serializers.CharField(required=False, allow_blank=True, default="")


class AssignmentDocumentInSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=100)
    date = serializers.DateField(required=False, allow_null=True, default=None)
    subject = serializers.CharField(required=False, allow_blank=True, default="")


class AssignmentFileInSerializer(serializers.Serializer):
    """A file sent with a report, in the JSON body (checked by content as every upload is)."""

    filename = serializers.CharField(max_length=255)
    content_type = serializers.CharField(max_length=100, help_text="PDF, JPEG or PNG")
    content_base64 = serializers.CharField()


class AssignmentActSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    decision = serializers.CharField(required=False, allow_blank=True, default="")
    new_deadline = serializers.DateField(required=False, allow_null=True, default=None)
    result = AssignmentDocumentInSerializer(required=False, allow_null=True, default=None)
    documents = AssignmentDocumentInSerializer(many=True, required=False, default=list)
    files = AssignmentFileInSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Files uploaded with a progress or completion report (at most 10).",
    )


class AssignmentPermission(ScopePermission):
    """An act is open to whoever holds its scope somewhere; the service decides on the task
    (at its lead or at its assigner)."""

    def has_permission(self, request, view) -> bool:
        act = ACTS.get(view.action)
        if act is not None:
            held = granted_scopes(request)
            return "*" in held or act.scope in held
        return super().has_permission(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        return can_read(request, obj)


def _organisations(codes, field: str) -> list[Organisation]:
    found = []
    for code in codes:
        org = Organisation.objects.filter(code=code).order_by("-pk").first()
        if org is None:
            raise exceptions.ValidationError({field: [_("No organisation has this code.")]})
        found.append(org)
    return found


def _doc(value):
    if not value:
        return None
    return services.DocumentRef(value["number"], value.get("date"), value.get("subject", ""))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("The feed of assigned tasks"),
        parameters=[
            OpenApiParameter(
                "organisation",
                OpenApiTypes.STR,
                description=gettext_lazy(
                    "Code of an organisation: the tasks it leads or coordinates"
                ),
            ),
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description=gettext_lazy("Only the tasks changed after this time (ISO 8601)"),
            ),
        ],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Get an assigned task")),
)
class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks the caller may read: those its organisations assigned, lead or coordinate."""

    permission_classes = [AssignmentPermission]
    required_scopes = {
        "list": scopes.READ,
        "retrieve": scopes.READ,
        "create": scopes.MANAGE,
        **{name: act.scope for name, act in ACTS.items()},
    }
    lookup_url_kwarg = "assignment_id"
    lookup_value_regex = "[0-9]+"
    serializer_class = AssignmentSerializer

    def get_queryset(self):
        qs = visible(self.request).select_related("lead", "responsible__user")
        qs = qs.prefetch_related("coordinators")
        params = self.request.query_params
        if self.action == "list":
            if params.get("organisation"):
                orgs = Organisation.objects.filter(code=params["organisation"])
                coordinated = Assignment.coordinators.through.objects.filter(
                    organisation__in=orgs
                ).values("assignment_id")
                qs = qs.filter(Q(lead__in=orgs) | Q(pk__in=coordinated))
            if params.get("since"):
                since = parse_datetime(params["since"])
                if since is None or timezone.is_naive(since):
                    raise exceptions.ValidationError(
                        {"since": [_("Give a date and time with its time zone (ISO 8601).")]}
                    )
                qs = qs.filter(updated_at__gt=since)
            # Oldest change first: a client keeps the last updated_at it saw as its cursor.
            qs = qs.order_by("updated_at", "pk")
        return qs

    def get_serializer_class(self):
        return AssignmentDetailSerializer if self.action == "retrieve" else AssignmentSerializer

    def get_object(self):
        task = (
            Assignment.objects.select_related("lead", "assigner", "responsible__user")
            .prefetch_related("coordinators", "reports__documents", "reports__files", "extensions")
            .filter(pk=self.kwargs["assignment_id"])
            .first()
        )
        if task is None or not can_read(self.request, task):
            raise Http404
        self.check_object_permissions(self.request, task)
        return task

    @extend_schema(
        summary=gettext_lazy("Assign a task"),
        request=AssignmentCreateSerializer,
        responses={201: AssignmentDetailSerializer},
    )
    def create(self, request):
        """Assign a task (the Government Office): exactly one lead."""
        body = AssignmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        responsible = None
        if v["responsible"]:
            responsible = (
                Official.objects.filter(user__username=v["responsible"])
                .select_related("user")
                .first()
            )
            if responsible is None:
                raise exceptions.ValidationError({"responsible": [_("No official has this name.")]})
        try:
            task = self._create(request, v, responsible)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(AssignmentDetailSerializer(task).data, status=status.HTTP_201_CREATED)

    def _create(self, request, v, responsible):
        return services.create_assignment(
            request,
            document=services.SourceDocument(
                v["source_number"], v["source_date"], v["source_type"], v["source_signer"]
            ),
            content=v["content"],
            lead=_organisations(v["lead"], "lead"),
            coordinators=_organisations(v["coordinators"], "coordinators"),
            deadline=v["deadline"],
            deadline_kind=v["deadline_kind"],
            responsible=responsible,
            is_key=v["is_key"],
            source=v["origin"],
            source_ref=v["origin_ref"],
        )


def _act(name):
    act = ACTS[name]

    def method(self, request, assignment_id=None):
        task = self.get_object()
        body = AssignmentActSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        kwargs = {}
        for field in ("text", "note", "reason", "decision", "new_deadline"):
            if field in act.fields:
                kwargs[field] = v[field]
        if "result" in act.fields:
            kwargs["result"] = _doc(v["result"])
        if "documents" in act.fields:
            kwargs["documents"] = [_doc(d) for d in v["documents"]]
        if act.takes_files:
            kwargs["files"] = uploads_from(v["files"], prefix="files")
        try:
            services.ACT_FUNCTIONS[name](request, task, **kwargs)
        except IllegalTransition as exc:
            raise Conflict(" ".join(exc.messages), code="illegal_transition") from exc
        except PermissionDenied as exc:
            # The service says why (a coordinating organisation, someone outside the lead).
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(AssignmentDetailSerializer(self.get_object()).data)

    method.__name__ = name
    method.__doc__ = f"{act.label} ({act.scope})."
    return extend_schema(
        request=AssignmentActSerializer,
        responses={200: AssignmentDetailSerializer},
        summary=act.label,
        operation_id=f"assignments_{name}",
    )(action(detail=True, methods=["post"], url_path=act.slug)(method))


for _name in ACTS:
    setattr(AssignmentViewSet, _name, _act(_name))

__all__ = ["AssignmentViewSet"]
