"""Organisations API: read-only here; writes go through the admin and the services."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from egov.core.models import Organisation
from egov.core.models.organisations import Level
from egov.core.services.organisations import valid_on
from egov.core.text import fold


class OrganisationSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, default=None, allow_null=True
    )
    successor_code = serializers.CharField(
        source="successor.code", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "code",
            "code_source",
            "name",
            "name_en",
            "abbreviation",
            "level",
            "unit_type",
            "unit_code",
            "parent",
            "parent_code",
            "valid_from",
            "valid_to",
            "successor",
            "successor_code",
            "website",
        ]
        read_only_fields = fields


FILTERS = [
    OpenApiParameter(
        "level", str, enum=Level.values, description=gettext_lazy("central, province, ...")
    ),
    OpenApiParameter("parent", str, description=gettext_lazy("Parent's id or electronic code.")),
    OpenApiParameter(
        "code", str, description=gettext_lazy("Electronic identification code, exact.")
    ),
    OpenApiParameter(
        "name", str, description=gettext_lazy("Part of the name; diacritics and case ignored.")
    ),
    OpenApiParameter(
        "valid_on",
        OpenApiTypes.DATE,
        description=gettext_lazy(
            "Only units valid on this day (default today); 'any' for all periods."
        ),
    ),
]


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List organisations"), parameters=FILTERS),
    retrieve=extend_schema(summary=gettext_lazy("Get one organisation")),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    # Public reference data: anyone reads the government tree (tests/accounts/test_access_matrix).
    # The permission is the project's default (REST_FRAMEWORK in settings: the scope check).
    required_scopes = {"list": None, "retrieve": None, "subtree": None}
    queryset = Organisation.objects.select_related("parent", "successor").order_by("path")

    def filter_queryset(self, queryset):
        if self.action != "list" and self.action != "subtree":
            return queryset
        params = self.request.query_params
        errors: dict[str, list[str]] = {}
        day_param = params.get("valid_on", "")
        if day_param != "any":
            try:
                day = dt.date.fromisoformat(day_param) if day_param else dt.date.today()
            except ValueError:
                errors["valid_on"] = [_("Use a date like 2026-01-31, or 'any'.")]
            else:
                queryset = queryset.filter(valid_on(day))
        if level := params.get("level"):
            if level not in Level.values:
                errors["level"] = [_("Unknown level “%(level)s”.") % {"level": level}]
            queryset = queryset.filter(level=level)
        if parent := params.get("parent"):
            parent_filter = {"parent_id": parent} if parent.isdigit() else {"parent__code": parent}
            queryset = queryset.filter(**parent_filter)
        if code := params.get("code"):
            queryset = queryset.filter(code=code.strip())
        if name := params.get("name"):
            queryset = queryset.filter(search_name__contains=fold(name))
        if errors:
            raise ValidationError(errors)
        return queryset

    @extend_schema(
        summary=gettext_lazy("An organisation and everything under it"),
        parameters=[p for p in FILTERS if p.name != "parent"],
        responses=OrganisationSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def subtree(self, request, pk=None):
        root = self.get_object()
        queryset = self.filter_queryset(self.get_queryset().filter(path__startswith=root.path))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
