"""The consultation's API. Reading is public (no login): regulations, drafts and their versions,
consultations with their counts, published comments and their answers, paged and filterable by
date. Writing: officials of the drafting agency (regulations, drafts, versions, the phases'
acts, answers, moderation), logged-in people (comments, reports) and organisations' API
clients with ``consultation.comment`` (comments). A phase that does not allow an act answers
409; bad input 400 in Vietnamese; nothing is written then."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.accounts.scopes import ScopePermission, granted_scopes
from egov.catalog.models import Sector
from egov.consultation import acts, scopes, services
from egov.consultation.api import serializers as s
from egov.consultation.api.export import csv_response, csv_rows
from egov.consultation.errors import IllegalTransition
from egov.consultation.models import (
    Comment,
    Consultation,
    Draft,
    LegalDocument,
    Moderation,
    PhaseWindow,
    Regulation,
    SummaryTable,
)
from egov.consultation.services import drafts as draft_services
from egov.consultation.services import regulations as regulation_services
from egov.consultation.services import summary_files
from egov.consultation.services.docx_import import DOCX
from egov.core.models import Organisation
from egov.dossiers.api.serializers import uploads_from
from egov.dossiers.web import file_response


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def conflict(exc: IllegalTransition) -> Conflict:
    return Conflict(" ".join(exc.messages), code=getattr(exc, "code", None) or "illegal_transition")


DATE_PARAMS = [
    OpenApiParameter("since", OpenApiTypes.DATE, description=gettext_lazy("From this day")),
    OpenApiParameter("until", OpenApiTypes.DATE, description=gettext_lazy("Up to this day")),
]


def by_date(qs, field: str, params):
    """``since`` and ``until`` (YYYY-MM-DD, both days included) on ``field``."""
    for name, lookup, at in (("since", "gte", time.min), ("until", "lte", time.max)):
        raw = params.get(name)
        if not raw:
            continue
        day = parse_date(raw) if len(raw) == 10 else None
        if day is None:
            raise exceptions.ValidationError({name: [_("Give a date as YYYY-MM-DD.")]})
        moment = timezone.make_aware(datetime.combine(day, at))
        qs = qs.filter(**{f"{field}__{lookup}": moment})
    return qs


def _is_citizen(request) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False) and hasattr(user, "citizen"))


class ConsultationPermission(ScopePermission):
    """Comments come from people logged in with the e-ID or from clients holding
    ``consultation.comment``; reports from people. The services decide again."""

    def has_permission(self, request, view) -> bool:
        if view.action == "add_comment":
            held = granted_scopes(request)
            return _is_citizen(request) or scopes.COMMENT in held or "*" in held
        if view.action == "report":
            return _is_citizen(request)
        return super().has_permission(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        if view.action in {"add_comment", "report"}:
            return True
        return super().has_object_permission(request, view, obj)


def _organisation(code: str, field: str) -> Organisation:
    found = Organisation.objects.filter(code=code).order_by("-pk").first()
    if found is None:
        raise exceptions.ValidationError({field: [_("No organisation has this code.")]})
    return found


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List business regulations"),
        parameters=[
            OpenApiParameter(
                "q", str, description=gettext_lazy("Words, with or without diacritics")
            ),
            OpenApiParameter("sector", str, description=gettext_lazy("Sector code")),
            OpenApiParameter("organisation", str, description=gettext_lazy("Organisation code")),
            *DATE_PARAMS,
        ],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Get a business regulation")),
)
class RegulationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ConsultationPermission]
    required_scopes = {
        "list": None,
        "retrieve": None,
        "create": scopes.MANAGE,
        "costs": scopes.MANAGE,
    }
    serializer_class = s.RegulationSerializer
    state_conflicts = False

    def get_queryset(self):
        params = self.request.query_params
        qs = Regulation.objects.all()
        if self.action == "list":
            qs = regulation_services.search(
                params.get("q", ""),
                sector=params.get("sector") or None,
                organisation=params.get("organisation") or None,
            )
            qs = by_date(qs, "updated_at", params).order_by("document__number", "pk")
        return qs.select_related(
            "document__issuing_body", "sector", "organisation"
        ).prefetch_related("procedures")

    @extend_schema(
        summary=gettext_lazy("Record a business regulation"),
        request=s.NewRegulationSerializer,
        responses={201: s.RegulationSerializer},
    )
    def create(self, request):
        body = s.NewRegulationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        sector = None
        if v["sector"]:
            sector = Sector.objects.filter(code=v["sector"]).first()
            if sector is None:
                raise exceptions.ValidationError({"sector": [_("No sector has this code.")]})
        regulation = services.record_regulation(
            request,
            _organisation(v["organisation"], "organisation"),
            services.RegulationData(
                document_number=v["document_number"],
                document_type=v["document_type"],
                document_title=v["document_title"],
                issued_on=v["issued_on"],
                issuing_body=_organisation(v["issuing_body"], "issuing_body"),
                article=v["article"],
                clause=v["clause"],
                point=v["point"],
                content=v["content"],
                sector=sector,
                procedure_codes=v["procedures"],
                costs=dict(v.get("costs") or {}),
            ),
        )
        regulation = self.get_queryset().get(pk=regulation.pk)
        return Response(s.RegulationSerializer(regulation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Change a regulation's compliance cost fields"),
        request=s.RegulationCostsSerializer,
        responses={200: s.RegulationSerializer},
    )
    @action(detail=True, methods=["post"])
    def costs(self, request, pk=None):
        regulation = self.get_object()
        body = s.RegulationCostsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        regulation_services.update_costs(request, regulation, dict(body.validated_data))
        return Response(s.RegulationSerializer(self.get_queryset().get(pk=regulation.pk)).data)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List drafts"), parameters=DATE_PARAMS),
    retrieve=extend_schema(summary=gettext_lazy("Get a draft and its latest text")),
)
class DraftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ConsultationPermission]
    required_scopes = {
        "list": None,
        "retrieve": None,
        "version": None,
        "compare": None,
        "create": scopes.MANAGE,
        "add_version": scopes.MANAGE,
    }
    lookup_field = "code"
    lookup_url_kwarg = "draft_code"
    lookup_value_regex = "[^/]+"

    def get_serializer_class(self):
        return s.DraftDetailSerializer if self.action == "retrieve" else s.DraftSerializer

    def get_queryset(self):
        qs = (
            Draft.objects.select_related("organisation")
            .annotate(latest_number=Max("versions__number"))
            .prefetch_related("repeals")
        )
        if self.action == "list":
            qs = by_date(qs, "created_at", self.request.query_params).order_by("-created_at", "-pk")
        if self.action == "retrieve":
            qs = qs.prefetch_related("versions")
        return qs

    @extend_schema(
        summary=gettext_lazy("Write a new draft"),
        request=s.NewDraftSerializer,
        responses={201: s.DraftDetailSerializer},
    )
    def create(self, request):
        body = s.NewDraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        repeals = list(Regulation.objects.filter(pk__in=v["repeals"]))
        if len(repeals) != len(set(v["repeals"])):
            raise exceptions.ValidationError({"repeals": [_("No regulation has this id.")]})
        numbers = set(v["repealed_documents"])
        documents = list(LegalDocument.objects.filter(number__in=numbers).order_by("number"))
        if len(documents) != len(numbers):
            missing = sorted(numbers - {d.number for d in documents})
            raise exceptions.ValidationError(
                {
                    "repealed_documents": [
                        _("No document has the number %(number)s.") % {"number": missing[0]}
                    ]
                }
            )
        draft = services.create_draft(
            request,
            _organisation(v["organisation"], "organisation"),
            title=v["title"],
            doc_type=v["doc_type"],
            text=s.text_or_docx(v),
            repeals=repeals,
            repealed_documents=documents,
            note=v["note"],
            source="docx" if v["docx"] else "text",
        )
        draft = self.get_queryset().prefetch_related("versions").get(pk=draft.pk)
        return Response(s.DraftDetailSerializer(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Get one version of a draft"),
        responses={200: s.DraftVersionDetailSerializer},
    )
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]{1,6})")
    def version(self, request, draft_code=None, number=None):
        draft = self.get_object()
        version = draft_services.version_of(draft, number)
        version.units_list = list(version.units.select_related("parent"))
        data = s.DraftVersionSerializer(version).data
        data["units"] = s.DraftUnitSerializer(version.units_list, many=True).data
        return Response(data)

    @extend_schema(
        summary=gettext_lazy("Add a version to a draft"),
        request=s.NewVersionSerializer,
        responses={201: s.DraftVersionDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="versions")
    def add_version(self, request, draft_code=None):
        draft = self.get_object()
        body = s.NewVersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        version = services.add_version(
            request,
            draft,
            text=s.text_or_docx(v),
            note=v["note"],
            source="docx" if v["docx"] else "text",
        )
        data = s.DraftVersionSerializer(version).data
        data["units"] = s.DraftUnitSerializer(
            version.units.select_related("parent"), many=True
        ).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Compare two versions of a draft, clause by clause"),
        parameters=[
            OpenApiParameter("from", int, required=True, description=gettext_lazy("Older version")),
            OpenApiParameter("to", int, required=True, description=gettext_lazy("Newer version")),
        ],
        responses={200: s.DraftChangeSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def compare(self, request, draft_code=None):
        draft = self.get_object()
        params = request.query_params
        rows = services.compare(draft, params.get("from", ""), params.get("to", ""))
        return Response(s.DraftChangeSerializer(rows, many=True).data)


def _consultations():
    visible = Q(comments__moderation=Moderation.VISIBLE, comments__leader__isnull=True)
    return (
        Consultation.objects.select_related("draft", "organisation", "summary_table")
        .prefetch_related(Prefetch("windows", PhaseWindow.objects.order_by("starts_at")))
        .annotate(
            received=Count("comments", distinct=True),
            published=Count("comments", filter=visible, distinct=True),
            unanswered=Count(
                "comments", filter=visible & Q(comments__answer__isnull=True), distinct=True
            ),
        )
    )


def _published_comments(consultation):
    return (
        Comment.objects.filter(
            consultation=consultation, moderation=Moderation.VISIBLE, leader__isnull=True
        )
        .select_related("version", "answer__changed_unit__version")
        .prefetch_related("attachments")
        .order_by("received_at", "pk")
    )


def _act_method(name):
    act = acts.ACTS[name]

    def method(self, request, consultation_code=None):
        consultation = self.get_object()
        try:
            services.make(request, consultation, name)
        except IllegalTransition as exc:
            raise conflict(exc) from exc
        return Response(s.ConsultationSerializer(_consultations().get(pk=consultation.pk)).data)

    method.__name__ = name
    method.__doc__ = f"{act.label} ({act.scope})."
    return extend_schema(
        request=None,
        responses={200: s.ConsultationSerializer},
        summary=act.label,
        operation_id=f"consultation_{name}",
    )(action(detail=True, methods=["post"], url_path=act.slug)(method))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List consultations"),
        parameters=[
            OpenApiParameter("phase", str, description=gettext_lazy("Only those in this phase")),
            *DATE_PARAMS,
        ],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Get a consultation and its counts")),
)
class ConsultationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [ConsultationPermission]
    required_scopes = {
        "list": None,
        "retrieve": None,
        "comments": None,
        "summary": None,
        "summary_pdf": None,
        "summary_docx": None,
        "comments_csv": None,
        "create": scopes.MANAGE,
        "add_comment": scopes.COMMENT,
        "answer": scopes.ANSWER,
        "moderation": scopes.READ,
        **{name: act.scope for name, act in acts.ACTS.items()},
    }
    lookup_field = "code"
    lookup_url_kwarg = "consultation_code"
    lookup_value_regex = "[^/]+"
    serializer_class = s.ConsultationSerializer
    state_conflicts = True

    def get_queryset(self):
        qs = _consultations()
        if self.action == "list":
            params = self.request.query_params
            if params.get("phase"):
                qs = qs.filter(phase=params["phase"])
            qs = by_date(qs, "created_at", params).order_by("-created_at", "-pk")
        return qs

    @extend_schema(
        summary=gettext_lazy("Open a consultation on a draft"),
        request=s.NewConsultationSerializer,
        responses={201: s.ConsultationSerializer},
    )
    def create(self, request):
        body = s.NewConsultationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        draft = Draft.objects.filter(code=v["draft"]).first()
        if draft is None:
            raise exceptions.ValidationError({"draft": [_("No draft has this code.")]})
        windows = {w["phase"]: (w["starts_at"], w["ends_at"]) for w in v["windows"]}
        consultation = services.create_consultation(
            request, draft, title=v["title"], windows=windows, allow_late=v["allow_late"]
        )
        return Response(
            s.ConsultationSerializer(_consultations().get(pk=consultation.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=gettext_lazy("List a consultation's published comments and their answers"),
        parameters=[
            OpenApiParameter("anchor", str, description=gettext_lazy("Only those on this unit")),
            *DATE_PARAMS,
        ],
        responses={200: s.CommentSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def comments(self, request, consultation_code=None):
        consultation = self.get_object()
        qs = by_date(_published_comments(consultation), "received_at", request.query_params)
        if "anchor" in request.query_params:
            qs = qs.filter(anchor=request.query_params["anchor"])
        page = self.paginate_queryset(qs)
        context = s.latest_ranges(consultation.draft_id, page)
        return self.get_paginated_response(
            s.CommentSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        summary=gettext_lazy("Comment on a consultation"),
        request=s.NewCommentSerializer,
        responses={201: s.CommentSerializer},
    )
    @comments.mapping.post
    def add_comment(self, request, consultation_code=None):
        consultation = self.get_object()
        body = s.NewCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = dict(body.validated_data)
        uploads = uploads_from(v.pop("files", None) or [], prefix="files")
        try:
            comment = services.submit(request, consultation, services.CommentData(**v), uploads)
        except IllegalTransition as exc:
            raise conflict(exc) from exc
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Answer comments (the drafting agency)"),
        request=s.NewAnswerSerializer,
        responses={201: s.CommentAnswerSerializer},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, consultation_code=None):
        consultation = self.get_object()
        body = s.NewAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        try:
            row = services.answer(
                request,
                consultation,
                v["comments"],
                kind=v["kind"],
                text=v["text"],
                changed_anchor=v["changed_anchor"],
            )
        except IllegalTransition as exc:
            raise conflict(exc) from exc
        return Response(s.CommentAnswerSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("The table of acceptance and explanation of a consultation"),
        responses={200: s.AnswerSummaryRowSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def summary(self, request, consultation_code=None):
        consultation = self.get_object()
        rows = summary_files.rows(consultation)
        return Response(s.AnswerSummaryRowSerializer(rows, many=True).data)

    def _summary_file(self, field: str, content_type: str):
        consultation = self.get_object()
        table = SummaryTable.objects.filter(consultation=consultation).first()
        if table is None:
            raise Http404(_("The table is published with the consultation's result."))
        name = f"{consultation.code}-tiep-thu-giai-trinh.{field}"
        return file_response(getattr(table, field), name, content_type)

    @extend_schema(
        summary=gettext_lazy("The table of acceptance and explanation as a sealed PDF"),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description=gettext_lazy("The result is not published yet")),
        },
    )
    @action(detail=True, methods=["get"], url_path="summary-pdf")
    def summary_pdf(self, request, consultation_code=None):
        """Signed (PAdES) by the drafting agency when the result was published."""
        return self._summary_file("pdf", "application/pdf")

    @extend_schema(
        summary=gettext_lazy("The table of acceptance and explanation as .docx"),
        responses={
            (200, DOCX): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description=gettext_lazy("The result is not published yet")),
        },
    )
    @action(detail=True, methods=["get"], url_path="summary-docx")
    def summary_docx(self, request, consultation_code=None):
        return self._summary_file("docx", DOCX)

    @extend_schema(
        summary=gettext_lazy("Export a consultation's published comments and answers as CSV"),
        parameters=DATE_PARAMS,
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
    )
    @action(detail=True, methods=["get"], url_path="comments-csv")
    def comments_csv(self, request, consultation_code=None):
        """Open data in bulk: one line per published comment, with its group's size and answer."""
        consultation = self.get_object()
        qs = by_date(_published_comments(consultation), "received_at", request.query_params)
        return csv_response(f"{consultation.code}-comments.csv", csv_rows(qs.iterator(2000)))

    @extend_schema(
        summary=gettext_lazy("Every comment of a consultation, hidden ones too (moderators)"),
        responses={200: s.ModeratedCommentSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def moderation(self, request, consultation_code=None):
        consultation = self.get_object()
        qs = (
            consultation.comments.select_related("version", "answer__changed_unit__version")
            .prefetch_related("attachments")
            .exclude(moderation=Moderation.VISIBLE)
            .order_by("received_at", "pk")
        )
        page = self.paginate_queryset(qs)
        context = s.latest_ranges(consultation.draft_id, page)
        return self.get_paginated_response(
            s.ModeratedCommentSerializer(page, many=True, context=context).data
        )


for _name in acts.ACTS:
    setattr(ConsultationViewSet, _name, _act_method(_name))


__all__ = ["ConsultationViewSet", "DraftViewSet", "RegulationViewSet"]
