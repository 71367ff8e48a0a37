"""The dossier API's viewsets: apply (one transactional call with files), read, act, count,
batches, and the public lookup.

Thin: every change is a call to egov.dossiers.services; who sees what is egov.accounts.policy
(egov.dossiers.access). Acts the status does not allow answer 409 with the service's code.
"""

from __future__ import annotations

import base64
import binascii

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.accounts.models import Official
from egov.core import inputs
from egov.core.api_base import ErrorSerializer
from egov.core.models import Organisation
from egov.dossiers import scopes, services
from egov.dossiers.access import can_see, visible_dossiers
from egov.dossiers.acts import ACTS, BATCH_ACTS
from egov.dossiers.models import (
    Dossier,
    WorkflowStep,
)

from .errors import BatchConflict, BatchNotFound, call_service
from .permissions import ACT_SCOPES, DossierPermission
from .serializers import (
    DETAIL_PREFETCH,
    ApologySerializer,
    ApplicationBatchSerializer,
    ApplicationSerializer,
    AssignSerializer,
    BatchActSerializer,
    CountsSerializer,
    DossierBatchSerializer,
    DossierDetailSerializer,
    DossierSerializer,
    FeesSerializer,
    NoteSerializer,
    ReasonSerializer,
    ResultSerializer,
    StepSerializer,
    SupplementRequestSerializer,
    SupplementSerializer,
    Targets,
    TransferSerializer,
    status_codes,
    uploads_from,
)

# The acts by their name in the API: their labels (translated) are the operations' summaries.
_BY_API = {act.api: act for act in ACTS.values()}


def _act_label(name: str):
    act = _BY_API.get(name) or ACTS.get(name)
    return act.label if act is not None and act.label else name.replace("_", " ").capitalize()


def _act(serializer_class=None, *, url_path=None):
    """An action that validates its body and answers the dossier after the service call."""

    def decorate(method):
        name = method.__name__
        return extend_schema(
            request=serializer_class,
            responses={200: DossierDetailSerializer},
            summary=_act_label(name),
        )(
            action(detail=True, methods=["post"], url_path=url_path or name.replace("_", "-"))(
                method
            )
        )

    return decorate


def _batch_act(act: str):
    """``POST /dossiers/batch/<act>/``: the act on every dossier of ``codes``, or on none."""

    def method(self, request):
        return self._batch(act)

    method.__name__ = f"batch_{act}"
    method.__doc__ = (
        f"The act {act.replace('_', ' ')} on up to 100 dossiers in one transaction, all or "
        "nothing: 404 names the codes not found, 409 each dossier that cannot take the act."
    )
    return extend_schema(
        request=BatchActSerializer,
        responses={
            200: DossierBatchSerializer,
            404: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("fields: each code not found.")
            ),
        },
        summary=format_lazy(gettext_lazy("Batch: {}"), _act_label(act)),
    )(action(detail=False, methods=["post"], url_path=f"batch/{act.replace('_', '-')}")(method))


@extend_schema_view(retrieve=extend_schema(summary=gettext_lazy("Get a dossier")))
class DossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Dossiers of the caller's agencies (and, for a citizen, their own)."""

    permission_classes = [DossierPermission]
    required_scopes = {
        "list": scopes.READ,
        "retrieve": scopes.READ,
        "create": scopes.APPLY,
        "counts": scopes.READ,
        "batch_create": scopes.APPLY,
        **ACT_SCOPES,
    }
    lookup_field = "code"
    lookup_url_kwarg = "dossier_code"
    lookup_value_regex = "[^/]+"
    serializer_class = DossierSerializer
    # Acts a dossier's status does not allow answer 409 (errors.Conflict): the schema says so.
    state_conflicts = True

    def get_queryset(self):
        queryset = Dossier.objects.select_related(
            "organisation", "procedure_version__procedure", "channel"
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(*DETAIL_PREFETCH, "transfers")
        queryset = visible_dossiers(self.request, scopes.READ, queryset)
        params = self.request.query_params
        if self.action == "list":
            if params.get("status"):
                queryset = queryset.filter(status__in=status_codes(params["status"]))
            if params.get("organisation"):
                queryset = queryset.filter(organisation__code=params["organisation"])
            if params.get("due_before"):
                queryset = queryset.filter(due_at__lt=params["due_before"])
            if params.get("at_risk") == "true":
                queryset = queryset.filter(
                    status__in=[2, 4, 6], paused_at__isnull=True, at_risk_at__lte=timezone.now()
                )
            queryset = queryset.order_by(params.get("ordering") == "due_at" and "due_at" or "-id")
        return queryset

    def get_object(self):
        if self.action not in ACT_SCOPES:
            return super().get_object()
        # An act: the row by its code, and the rule of visible_dossiers checked on the object
        # (can_see, its counterpart) rather than in SQL; one plain query. The service locks and
        # reads the row again; a dossier the caller may not see is 404 as before.
        code = self.kwargs[self.lookup_url_kwarg]
        dossier = Dossier.objects.select_related("organisation").filter(code=code).first()
        if dossier is None or not can_see(self.request, scopes.READ, dossier):
            raise Http404
        self.check_object_permissions(self.request, dossier)
        return dossier

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DossierDetailSerializer
        return DossierSerializer

    def _detail(self, dossier):
        """The dossier as the act left it: the service's instance (its related rows loaded with
        the row lock), with components and history fetched once (two queries)."""
        prefetch_related_objects([dossier], *DETAIL_PREFETCH)
        return Response(DossierDetailSerializer(dossier, context={"request": self.request}).data)

    def _detail_fresh(self, dossier):
        """For acts whose service answers something else than the dossier: read it again."""
        fresh = self.get_queryset().select_related("current_step").get(pk=dossier.pk)
        return self._detail(fresh)

    @extend_schema(
        summary=gettext_lazy("List dossiers"),
        parameters=[
            OpenApiParameter(
                "status", str, description=gettext_lazy("Status codes, comma separated.")
            ),
            OpenApiParameter("organisation", str, description=gettext_lazy("Agency code.")),
            OpenApiParameter(
                "at_risk",
                bool,
                description=gettext_lazy("Only dossiers that have used 80 percent of their time."),
            ),
            OpenApiParameter("due_before", str, description=gettext_lazy("ISO date and time.")),
            OpenApiParameter("ordering", str, enum=["due_at", "-id"]),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy("Apply: a dossier with its form data and files"),
        request=ApplicationSerializer,
        responses={201: DossierDetailSerializer},
    )
    def create(self, request):
        """Apply: the dossier, its form data and its files in one call; all or nothing."""
        data = request.data
        if request.content_type.startswith("multipart/"):
            data = self._from_multipart(request)
        serializer = ApplicationSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        version, organisation = Targets().of(v)
        applicant = services.ApplicantData(**v["applicant"]) if v.get("applicant") else None
        uploads = uploads_from(v["components"]) + getattr(self, "_multipart_uploads", [])
        reuse = [services.Reuse(r["entry"], r.get("required_document")) for r in v["reuse"]]
        if v["channel"] == "in_person":
            if applicant is None:
                raise exceptions.ValidationError({"applicant": [_("Say who the applicant is.")]})
            dossier = call_service(
                services.register_in_person,
                actor=request,
                procedure_version=version,
                organisation=organisation,
                applicant=applicant,
                form_data=v["form_data"],
                uploads=uploads,
            )
        else:
            dossier = call_service(
                services.submit_online,
                actor=request,
                procedure_version=version,
                organisation=organisation,
                form_data=v["form_data"],
                uploads=uploads,
                reuse=reuse,
                applicant=applicant,
            )
        response = self._detail(dossier)
        response.status_code = status.HTTP_201_CREATED
        return response

    def _from_multipart(self, request):
        """``payload``: the JSON of the application; files: ``component.<n>`` parts."""
        try:
            data = inputs.load_json(request.data.get("payload") or "{}")
        except inputs.BadText as exc:
            raise exceptions.ValidationError({"payload": [str(exc)]}) from exc
        except ValueError as exc:
            raise exceptions.ValidationError({"payload": [_("Not valid JSON.")]}) from exc
        meta = data.pop("files", []) if isinstance(data, dict) else []
        self._multipart_uploads = []
        for index, (_key, part) in enumerate(sorted(request.FILES.items())):
            info = meta[index] if index < len(meta) and isinstance(meta[index], dict) else {}
            self._multipart_uploads.append(
                services.Upload.from_file(
                    part,
                    required_document_id=info.get("required_document"),
                    name=info.get("name", ""),
                )
            )
        return data

    @extend_schema(
        summary=gettext_lazy("Counts of dossiers by timeliness, per agency"),
        parameters=[
            OpenApiParameter("start", str, description=gettext_lazy("Received from (ISO date).")),
            OpenApiParameter("end", str, description=gettext_lazy("Received before (ISO date).")),
        ],
        responses={200: CountsSerializer(many=True)},
    )
    # One row per visible agency: not paginated.
    @action(detail=False, methods=["get"], pagination_class=None)
    def counts(self, request):
        """Early / on time / late (finished) and within time / overdue (open), per agency."""
        start, end = request.query_params.get("start"), request.query_params.get("end")
        rows = services.timeliness_counts(
            visible_dossiers(request, scopes.READ), start=start or None, end=end or None
        )
        return Response(CountsSerializer(rows, many=True).data)

    # --- batches: integrated systems and desks acting on many dossiers at once ---

    @extend_schema(
        request=ApplicationBatchSerializer,
        responses={201: DossierBatchSerializer},
        summary=gettext_lazy("Apply in a batch"),
    )
    @action(detail=False, methods=["post"], url_path="batch")
    def batch_create(self, request):
        """Up to 100 applications in one call, all or nothing (errors name
        ``applications.<n>.<field>``); the answer lists the dossiers in the same order."""
        serializer = ApplicationBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        targets, applications = Targets(), []
        for index, v in enumerate(serializer.validated_data["applications"]):
            version, organisation = targets.of(v, prefix=f"applications.{index}.")
            applications.append(
                services.Application(
                    procedure_version=version,
                    organisation=organisation,
                    applicant=(
                        services.ApplicantData(**v["applicant"]) if v.get("applicant") else None
                    ),
                    form_data=v["form_data"],
                    channel=v["channel"],
                    uploads=uploads_from(
                        v["components"], prefix=f"applications.{index}.components"
                    ),
                    reuse=[
                        services.Reuse(r["entry"], r.get("required_document")) for r in v["reuse"]
                    ],
                )
            )
        dossiers = call_service(services.submit_many, actor=request, applications=applications)
        return Response(
            {"dossiers": DossierSerializer(dossiers, many=True).data},
            status=status.HTTP_201_CREATED,
        )

    def _batch(self, act: str):
        serializer = BatchActSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        codes = list(dict.fromkeys(serializer.validated_data["codes"]))
        found = {
            d.code: d
            for d in Dossier.objects.select_related("organisation").filter(code__in=codes)
            if can_see(self.request, scopes.READ, d)
        }
        missing = [code for code in codes if code not in found]
        if missing:
            raise BatchNotFound(
                _("Nothing was done: some dossiers were not found."),
                {code: [_("Not found.")] for code in missing},
            )
        try:
            done = services.act_on_many(
                [found[code] for code in codes],
                act,
                actor=self.request,
                note=serializer.validated_data["note"],
            )
        except services.BatchRefused as exc:
            raise BatchConflict(
                _("Nothing was done: some dossiers cannot take this act."), exc.message_dict
            ) from exc
        order = {code: index for index, code in enumerate(codes)}
        done.sort(key=lambda d: order[d.code])
        return Response({"dossiers": DossierSerializer(done, many=True).data})

    # --- acts ---

    def _body(self, serializer_class):
        # The dossier first: a caller who may not see it learns nothing from a validation error.
        self._dossier = self.get_object()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @_act(NoteSerializer)
    def receive(self, request, **kwargs):
        v = self._body(NoteSerializer)
        return self._detail(
            call_service(services.receive, self._dossier, actor=request, note=v["note"])
        )

    @_act(ReasonSerializer)
    def refuse(self, request, **kwargs):
        v = self._body(ReasonSerializer)
        return self._detail(
            call_service(services.refuse, self._dossier, actor=request, reason=v["reason"])
        )

    @_act(SupplementRequestSerializer)
    def request_supplement(self, request, **kwargs):
        v = self._body(SupplementRequestSerializer)
        dossier = self._dossier
        call_service(
            services.request_supplement,
            dossier,
            actor=request,
            items=v["items"],
            reason=v["reason"],
        )
        return self._detail_fresh(dossier)

    @_act(SupplementSerializer)
    def supplement(self, request, **kwargs):
        v = self._body(SupplementSerializer)
        dossier = call_service(
            services.supplement,
            self._dossier,
            actor=request,
            uploads=uploads_from(v["components"]),
            form_data=v["form_data"],
            note=v["note"],
        )
        return self._detail(dossier)

    @_act(StepSerializer)
    def start_processing(self, request, **kwargs):
        v = self._body(StepSerializer)
        dossier = call_service(
            services.start_processing,
            self._dossier,
            actor=request,
            assignee=self._official(v["assignee"]),
        )
        return self._detail(dossier)

    @_act(StepSerializer)
    def forward(self, request, **kwargs):
        v = self._body(StepSerializer)
        dossier = self._dossier
        dossier = call_service(
            services.forward,
            dossier,
            actor=request,
            to_step=self._step(dossier, v["step"]),
            assignee=self._official(v["assignee"]),
            note=v["reason"],
        )
        return self._detail(dossier)

    @_act(StepSerializer)
    def return_to_step(self, request, **kwargs):
        v = self._body(StepSerializer)
        dossier = self._dossier
        dossier = call_service(
            services.return_to_step,
            dossier,
            actor=request,
            step=self._step(dossier, v["step"]),
            reason=v["reason"],
        )
        return self._detail(dossier)

    @_act(AssignSerializer)
    def assign(self, request, **kwargs):
        v = self._body(AssignSerializer)
        dossier = self._dossier
        call_service(
            services.assign, dossier, actor=request, official=self._official(v["official"], True)
        )
        return self._detail_fresh(dossier)

    @_act(FeesSerializer)
    def require_fees(self, request, **kwargs):
        v = self._body(FeesSerializer)
        return self._detail(
            call_service(
                services.require_fees,
                self._dossier,
                actor=request,
                amount_vnd=v["amount_vnd"],
                note=v["note"],
            )
        )

    @_act(NoteSerializer)
    def fees_paid(self, request, **kwargs):
        v = self._body(NoteSerializer)
        return self._detail(
            call_service(services.record_fees_paid, self._dossier, actor=request, note=v["note"])
        )

    @_act(NoteSerializer)
    def approve(self, request, **kwargs):
        v = self._body(NoteSerializer)
        return self._detail(
            call_service(services.approve, self._dossier, actor=request, note=v["note"])
        )

    @_act(NoteSerializer)
    def mark_processed(self, request, **kwargs):
        v = self._body(NoteSerializer)
        return self._detail(
            call_service(services.mark_processed, self._dossier, actor=request, note=v["note"])
        )

    @_act(NoteSerializer)
    def return_result(self, request, **kwargs):
        v = self._body(NoteSerializer)
        return self._detail(
            call_service(services.return_result, self._dossier, actor=request, note=v["note"])
        )

    @_act(ReasonSerializer)
    def withdraw(self, request, **kwargs):
        v = self._body(ReasonSerializer)
        return self._detail(
            call_service(services.withdraw, self._dossier, actor=request, reason=v["reason"])
        )

    @_act(ReasonSerializer)
    def stop(self, request, **kwargs):
        v = self._body(ReasonSerializer)
        return self._detail(
            call_service(services.stop, self._dossier, actor=request, reason=v["reason"])
        )

    @_act(TransferSerializer)
    def transfer(self, request, **kwargs):
        v = self._body(TransferSerializer)
        dossier = self._dossier
        target = Organisation.objects.filter(code=v["organisation"]).order_by("-id").first()
        if target is None:
            raise exceptions.ValidationError({"organisation": [_("Unknown agency code.")]})
        call_service(
            services.transfer, dossier, actor=request, to_organisation=target, reason=v["reason"]
        )
        return self._detail_fresh(dossier)

    @_act(ApologySerializer)
    def apology(self, request, **kwargs):
        v = self._body(ApologySerializer)
        dossier = self._dossier
        call_service(
            services.issue_apology,
            dossier,
            actor=request,
            reason=v["reason"],
            new_due_at=v["new_due_at"],
        )
        return self._detail_fresh(dossier)

    @_act(ResultSerializer)
    def result(self, request, **kwargs):
        v = self._body(ResultSerializer)
        dossier = self._dossier
        try:
            content = base64.b64decode(v["content_base64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise exceptions.ValidationError({"content_base64": [_("Not valid base64.")]}) from exc
        call_service(
            services.attach_result,
            dossier,
            actor=request,
            content=content,
            filename=v["filename"],
            name=v["name"],
            number=v["number"],
        )
        return self._detail_fresh(dossier)

    # ``batch_<act>`` for each batch act: see the loop below the class.

    def _official(self, pk, required=False):
        if pk is None:
            if required:
                raise exceptions.ValidationError({"official": [_("This field is required.")]})
            return None
        official = Official.objects.select_related("organisation", "user").filter(pk=pk).first()
        if official is None:
            raise exceptions.ValidationError({"official": [_("Unknown official.")]})
        return official

    def _step(self, dossier, pk):
        if pk is None:
            return None
        return get_object_or_404(
            WorkflowStep, pk=pk, procedure_version=dossier.procedure_version_id
        )


for _name in BATCH_ACTS:
    setattr(DossierViewSet, f"batch_{_name}", _batch_act(_name))
