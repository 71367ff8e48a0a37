"""The ratings' API: the applicant rates (``POST /ratings/``) and changes (``PUT
/ratings/{dossier_code}/``) a returned dossier, from their own session; officials list and read
their organisations' ratings with the comments (``ratings.read``); a citizen lists and reads
their own. The criteria in force are public (``GET /rating-criteria/``).

Someone else's dossier answers 404 (403 for an official who can see it but is not its
applicant); a dossier not returned, a second rating or a change after the window 409; bad
scores 400 with the fields in Vietnamese."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from egov.accounts import policy
from egov.accounts.scopes import ScopePermission
from egov.dossiers import scopes as dossier_scopes
from egov.dossiers.access import can_see
from egov.dossiers.models import Dossier
from egov.ratings import scopes, services
from egov.ratings.errors import RatingRefused
from egov.ratings.models import Criterion, CriterionScore, SatisfactionRating


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class ScoreSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code")
    number = serializers.IntegerField(source="criterion.number")
    name = serializers.CharField(source="criterion.name")

    class Meta:
        model = CriterionScore
        fields = ["criterion", "number", "name", "score"]
        read_only_fields = fields


class RatingSerializer(serializers.ModelSerializer):
    dossier = serializers.CharField(source="dossier.code")
    organisation = serializers.CharField(source="organisation.name")
    organisation_code = serializers.CharField(source="organisation.code")
    procedure = serializers.CharField(source="procedure.name")
    procedure_code = serializers.CharField(source="procedure.code")
    criteria_set = serializers.CharField(source="criteria_set.code")
    criteria_set_version = serializers.IntegerField(source="criteria_set.version")
    scores = ScoreSerializer(many=True)
    changeable_until = serializers.DateTimeField(source="frozen_at")

    class Meta:
        model = SatisfactionRating
        fields = [
            "dossier",
            "organisation",
            "organisation_code",
            "procedure",
            "procedure_code",
            "criteria_set",
            "criteria_set_version",
            "scores",
            "average",
            "disliked",
            "dislike_reason",
            "comment",
            "revision",
            "returned_at",
            "created_at",
            "updated_at",
            "changeable_until",
        ]
        read_only_fields = fields


class RatingInputSerializer(serializers.Serializer):
    scores = serializers.DictField(
        help_text="Criterion code -> score (1 to the set's highest score), every criterion"
    )
    disliked = serializers.BooleanField(default=False)
    dislike_reason = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="")

    def data_for_service(self) -> services.RatingData:
        v = self.validated_data
        return services.RatingData(
            scores=v["scores"],
            disliked=v["disliked"],
            dislike_reason=v["dislike_reason"],
            comment=v["comment"],
        )


class NewRatingSerializer(RatingInputSerializer):
    dossier = serializers.CharField(help_text="Dossier code")


def _is_citizen(request) -> bool:
    user = getattr(request, "user", None)
    auth = getattr(request, "auth", None)
    if auth is not None and getattr(auth, "scopes", None) is not None:
        return False  # an API client's token: rating is the applicant's own act
    return bool(getattr(user, "is_authenticated", False) and hasattr(user, "citizen"))


class RatingPermission(ScopePermission):
    """Officials and clients by scope; a citizen (their own session) may rate, change, list
    and read (the owner rule limits them to their own)."""

    def has_permission(self, request, view) -> bool:
        if view.action in {"create", "update"}:
            return _is_citizen(request)
        return super().has_permission(request, view) or _is_citizen(request)

    def has_object_permission(self, request, view, obj) -> bool:
        return policy.can(request, scopes.READ, obj)


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except RatingRefused as exc:
        raise Conflict(" ".join(exc.messages), code=exc.code or "conflict") from exc


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List satisfaction ratings"),
        parameters=[
            OpenApiParameter(
                "organisation", str, description=gettext_lazy("Code of the rated organisation")
            ),
            OpenApiParameter(
                "disliked", bool, description=gettext_lazy("Only ratings with a dislike")
            ),
        ],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Get the rating of a dossier")),
)
class RatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ratings the caller may read: its organisations' dossiers', or its own."""

    permission_classes = [RatingPermission]
    required_scopes = {
        "list": scopes.READ,
        "retrieve": scopes.READ,
        "create": scopes.RATE,
        "update": scopes.RATE,
    }
    lookup_field = "dossier__code"
    lookup_url_kwarg = "dossier_code"
    lookup_value_regex = "[^/]+"
    serializer_class = RatingSerializer
    http_method_names = ["get", "post", "put", "head", "options"]
    state_conflicts = True  # 409: not returned yet, already rated, frozen (in the schema)

    def get_queryset(self):
        qs = policy.scope_queryset(self.request, scopes.READ, SatisfactionRating.objects.all())
        qs = qs.select_related("dossier", "organisation", "procedure", "criteria_set")
        # One query for the scores with their criteria, whatever the page's length.
        qs = qs.prefetch_related(
            Prefetch("scores", queryset=CriterionScore.objects.select_related("criterion"))
        )
        if self.action == "list":
            params = self.request.query_params
            if params.get("organisation"):
                qs = qs.filter(organisation__code=params["organisation"])
            if params.get("disliked") in {"1", "true"}:
                qs = qs.filter(disliked=True)
            qs = qs.order_by("-updated_at", "-pk")
        return qs

    def get_object(self):
        rating = self.get_queryset().filter(dossier__code=self.kwargs["dossier_code"]).first()
        if rating is None:
            raise Http404
        self.check_object_permissions(self.request, rating)
        return rating

    def _dossier(self, code: str) -> Dossier:
        dossier = Dossier.objects.filter(code=code).first()
        if dossier is None or not can_see(self.request, dossier_scopes.READ, dossier):
            raise exceptions.NotFound()
        return dossier

    def _answer(self, rating, code=status.HTTP_200_OK):
        rating = self.get_queryset().get(pk=rating.pk)
        return Response(RatingSerializer(rating).data, status=code)

    @extend_schema(
        summary=gettext_lazy("Rate a dossier"),
        request=NewRatingSerializer,
        responses={201: RatingSerializer},
    )
    def create(self, request):
        """Rate a dossier whose result was returned (its applicant, once)."""
        body = NewRatingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dossier = self._dossier(body.validated_data["dossier"])
        rating = _call(services.rate, dossier, actor=request.user, data=body.data_for_service())
        return self._answer(rating, status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Change the rating of a dossier"),
        request=RatingInputSerializer,
        responses={200: RatingSerializer},
    )
    def update(self, request, dossier_code=None):
        """Change one's rating, within 7 days of giving it."""
        dossier = self._dossier(dossier_code)
        body = RatingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rating = _call(services.change, dossier, actor=request.user, data=body.data_for_service())
        return self._answer(rating)


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["code", "number", "name", "hint"]
        read_only_fields = fields


class CriteriaSetSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    source = serializers.CharField()
    max_score = serializers.IntegerField()
    criteria = CriterionSerializer(many=True)


class CriteriaView(APIView):
    """The criteria new ratings are given on (public)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        summary=gettext_lazy("Satisfaction criteria in force"),
        responses={200: CriteriaSetSerializer},
    )
    def get(self, request):
        criteria_set = services.current_set()
        if criteria_set is None:
            raise Http404
        return Response(
            CriteriaSetSerializer(
                {
                    "code": criteria_set.code,
                    "version": criteria_set.version,
                    "name": criteria_set.name,
                    "source": criteria_set.source,
                    "max_score": criteria_set.max_score,
                    "criteria": criteria_set.criteria.all(),
                }
            ).data
        )
