"""Acts on one comment in the API: a person's report, a moderator's hiding and restoring."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.consultation import scopes, services
from egov.consultation.api import serializers as s
from egov.consultation.api.views import ConsultationPermission, conflict
from egov.consultation.errors import IllegalTransition
from egov.consultation.models import Comment
from egov.dossiers.web import file_response


class CommentViewSet(viewsets.GenericViewSet):
    """One comment: its files (public once published), a person's report, a moderator's
    hiding and restoring."""

    permission_classes = [ConsultationPermission]
    required_scopes = {
        "report": scopes.COMMENT,
        "hide": scopes.MODERATE,
        "restore": scopes.MODERATE,
        "attachment": None,
    }
    lookup_url_kwarg = "comment_id"
    lookup_value_regex = "[0-9]{1,12}"
    queryset = Comment.objects.select_related("consultation__organisation", "version")
    serializer_class = s.ModeratedCommentSerializer
    state_conflicts = True

    def get_object(self):
        comment = self.get_queryset().filter(pk=self.kwargs["comment_id"]).first()
        if comment is None:
            raise Http404
        self.check_object_permissions(self.request, comment)
        return comment

    @extend_schema(
        summary=gettext_lazy("Report a comment"),
        request=s.CommentReportSerializer,
        responses={201: None},
    )
    @action(detail=True, methods=["post"])
    def report(self, request, comment_id=None):
        comment = self.get_object()
        body = s.CommentReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.report(request, comment, **body.validated_data)
        return Response(status=status.HTTP_201_CREATED)

    def _moderate(self, request, function):
        comment = self.get_object()
        body = s.CommentModerationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            comment = function(request, comment, reason=body.validated_data["reason"])
        except IllegalTransition as exc:
            raise conflict(exc) from exc
        return Response(s.ModeratedCommentSerializer(comment).data)

    @extend_schema(
        summary=gettext_lazy("Hide a comment (moderators)"),
        request=s.CommentModerationSerializer,
        responses={200: s.ModeratedCommentSerializer},
    )
    @action(detail=True, methods=["post"])
    def hide(self, request, comment_id=None):
        return self._moderate(request, services.hide)

    @extend_schema(
        summary=gettext_lazy("Show a hidden comment again (moderators)"),
        request=s.CommentModerationSerializer,
        responses={200: s.ModeratedCommentSerializer},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, comment_id=None):
        return self._moderate(request, services.restore)

    @extend_schema(
        summary=gettext_lazy("Download a file of a published comment"),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="No such file, or the comment is not published"),
        },
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<number>[0-9]{1,3})")
    def attachment(self, request, comment_id=None, number=None):
        """A published comment's file as it was sent (its checked type), to anyone."""
        comment = self.get_object()
        if not comment.published:
            raise Http404
        index = int(number) - 1
        rows = comment.attachments.order_by("pk")[index : index + 1] if index >= 0 else []
        row = next(iter(rows), None)
        if row is None:
            raise Http404
        return file_response(row.file, row.name, row.content_type)
