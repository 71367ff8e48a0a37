"""The e-Cabinet's API: ballots (list, read with the live tally, issue) and answers, which
arrive signed (the answer document of egov.cabinet.answers, XMLDSig by the member or their
authorised assistant). Scopes: ``cabinet.read``, ``cabinet.answer``, ``cabinet.issue``, held by
an API client's token or by the caller's cabinet role (egov.cabinet.access). A ballot the caller
takes no part in is 404; bad input 400 in Vietnamese; an act the ballot's status no longer
allows 409."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from egov.accounts.scopes import ScopePermission, required_scope
from egov.cabinet import access, scopes
from egov.cabinet.errors import IllegalTransition
from egov.cabinet.models import Answer, Ballot
from egov.cabinet.services import ballots as services
from egov.cabinet.services import tally as tallies


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class CabinetPermission(BasePermission):
    """The action's scope, held through a token or a cabinet role; objects through
    :func:`egov.cabinet.access.visible_ballots` (the viewset's queryset)."""

    message = ScopePermission.message

    def has_permission(self, request, view) -> bool:
        needed = required_scope(view)
        if needed in (None, "missing"):
            return False
        return needed in access.scopes_of(request)


class QuestionTallySerializer(serializers.Serializer):
    position = serializers.IntegerField(source="question.position")
    text = serializers.CharField(source="question.text")
    agree = serializers.IntegerField(source="count.agree")
    disagree = serializers.IntegerField(source="count.disagree")
    other = serializers.IntegerField(source="count.other")
    not_answered = serializers.IntegerField(source="count.not_answered")
    members = serializers.IntegerField(source="count.n")
    agree_needed = serializers.IntegerField()
    outcome = serializers.CharField()


class BallotSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Ballot
        fields = [
            "number",
            "title",
            "status",
            "status_label",
            "issued_at",
            "deadline",
            "working_days",
            "members_count",
            "allow_assistants",
            "decided_at",
        ]
        read_only_fields = fields


class BallotDetailSerializer(BallotSerializer):
    tally = serializers.SerializerMethodField()

    class Meta(BallotSerializer.Meta):
        fields = [*BallotSerializer.Meta.fields, "tally"]
        read_only_fields = fields

    @extend_schema_field(QuestionTallySerializer(many=True))
    def get_tally(self, ballot) -> list[dict]:
        return QuestionTallySerializer(tallies.tally(ballot), many=True).data


class DocumentInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    classification = serializers.ChoiceField(
        choices=["normal", "secret", "top_secret", "absolute_secret"], default="normal"
    )
    exchange_document = serializers.IntegerField(help_text="Id of a document of the exchange")


class IssueSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    questions = serializers.ListField(
        child=serializers.CharField(allow_blank=True), allow_empty=True
    )
    working_days = serializers.IntegerField(required=False, allow_null=True, default=None)
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)
    members = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    allow_assistants = serializers.BooleanField(default=False)
    documents = DocumentInSerializer(many=True, required=False, default=list)


class AnswerInSerializer(serializers.Serializer):
    document = serializers.CharField(
        help_text="The answer document (urn:egov:cabinet:ballot-answer:1), signed (XMLDSig)"
    )


class AnswerSerializer(serializers.ModelSerializer):
    question = serializers.IntegerField(source="question.position")
    member = serializers.CharField(source="member.__str__")
    cast_by = serializers.CharField(source="cast_by.name")

    class Meta:
        model = Answer
        fields = [
            "seq", "question", "member", "choice", "text", "cast_by", "by_assistant",
            "signed_at", "created_at", "hash", "signer_subject",
        ]  # fmt: skip
        read_only_fields = fields


def _bad(exc: ValidationError):
    return exceptions.ValidationError({"detail": exc.messages})


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("The opinion ballots one takes part in")),
    retrieve=extend_schema(summary=gettext_lazy("An opinion ballot with its live tally")),
)
class BallotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [CabinetPermission]
    required_scopes = {
        "list": scopes.READ,
        "retrieve": scopes.READ,
        "create": scopes.ISSUE,
        "answer": scopes.ANSWER,
    }
    lookup_field = "number"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return access.visible_ballots(self.request).order_by("-number")

    def get_serializer_class(self):
        return BallotDetailSerializer if self.action == "retrieve" else BallotSerializer

    @extend_schema(
        summary=gettext_lazy("Issue an opinion ballot (the secretariat)"),
        request=IssueSerializer,
        responses={201: BallotSerializer},
    )
    def create(self, request):
        data = IssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        official = access.official_of(request.user)
        docs = [
            services.DocumentData(
                title=d["title"],
                classification=d["classification"],
                exchange_document_id=d["exchange_document"],
            )
            for d in values.pop("documents")
        ]
        try:
            ballot = services.issue(official, services.BallotData(**values, documents=docs))
        except ValidationError as exc:
            raise _bad(exc) from None
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        return Response(BallotSerializer(ballot).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Send a signed answer to a ballot"),
        request=AnswerInSerializer,
        responses={201: AnswerSerializer},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, number=None):
        ballot = self.get_object()
        data = AnswerInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        official = access.roles(request).official
        actor = official if official is not None else request.auth
        try:
            answer = services.cast(actor, data.validated_data["document"], ballot)
        except IllegalTransition as exc:
            raise Conflict(exc.messages[0]) from None
        except ValidationError as exc:
            raise _bad(exc) from None
        return Response(AnswerSerializer(answer).data, status=status.HTTP_201_CREATED)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise exceptions.NotFound() from None
