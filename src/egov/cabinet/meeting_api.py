"""The e-Cabinet's meetings through the API (issue 19, §2 and §5): list, read (agenda, marks,
attendance and quorum), schedule, mark an item, record attendance, write a conclusion (its
work points become tasks). Scopes as for ballots: ``cabinet.read``, ``cabinet.answer`` (a
member's marks), ``cabinet.issue`` (the secretariat). A meeting the caller takes no part in is
404; bad input 400 in Vietnamese; an act the meeting's status no longer allows 409."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.accounts.models import Official
from egov.cabinet import access, scopes
from egov.cabinet.api import CabinetPermission, Conflict, DocumentInSerializer, _bad
from egov.cabinet.errors import IllegalTransition
from egov.cabinet.floor_api import FloorActions
from egov.cabinet.models import AgendaItem, Mark, Meeting, MeetingKind, Member
from egov.cabinet.services import meetings as services
from egov.cabinet.services import minutes as minutes_service
from egov.cabinet.services.ballots import DocumentData
from egov.core.models import Organisation


class MeetingSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "number", "title", "kind", "kind_label", "date", "status", "status_label",
            "members_count", "adopt_without_debate", "substitutes_count",
        ]  # fmt: skip
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    marks = serializers.SerializerMethodField()
    conclusion = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = [
            "position", "title", "presenter", "starts_at", "ends_at",
            "adopted_without_debate", "marks", "conclusion",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_marks(self, item) -> dict:
        found = self.context["marks"].get(item.pk) if "marks" in self.context else None
        found = found or services.marks_of(item)
        return {
            "no_objection": found.no_objection,
            "wants_to_speak": found.wants_to_speak,
            "objects": found.objects,
            "adoptable": int(found.adoptable),
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_conclusion(self, item) -> str | None:
        conclusion = getattr(item, "conclusion", None)
        return conclusion.text if conclusion else None


class QuorumSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    present = serializers.IntegerField()
    substitutes = serializers.IntegerField()
    counted = serializers.IntegerField()
    needed = serializers.IntegerField()
    reached = serializers.BooleanField()


class MeetingDetailSerializer(MeetingSerializer):
    items = serializers.SerializerMethodField()
    quorum = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "items", "quorum"]
        read_only_fields = fields

    @extend_schema_field(ItemSerializer(many=True))
    def get_items(self, meeting) -> list[dict]:
        items = meeting.items.select_related("conclusion", "meeting")
        # Every item's marks in one query, not one per item (up to 40).
        context = {**self.context, "marks": services.marks_for(meeting)}
        return ItemSerializer(items, many=True, context=context).data

    @extend_schema_field(QuorumSerializer)
    def get_quorum(self, meeting) -> dict:
        return QuorumSerializer(services.quorum(meeting)).data


class ItemInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    presenter = serializers.CharField(max_length=255)
    starts_at = serializers.TimeField()
    ends_at = serializers.TimeField()
    documents = DocumentInSerializer(many=True, required=False, default=list)


class ScheduleSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    date = serializers.DateField()
    items = ItemInSerializer(many=True, allow_empty=True)
    adopt_without_debate = serializers.BooleanField(default=True)
    substitutes_count = serializers.BooleanField(default=False)


class MarkInSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The item's position on the agenda")
    mark = serializers.ChoiceField(choices=Mark.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    member = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="For an assistant: the member"
    )


class AttendInSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    substitute = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Id of the substitute official"
    )


class TaskInSerializer(serializers.Serializer):
    content = serializers.CharField()
    lead = serializers.CharField(allow_blank=True, help_text="The lead organisation's code")
    deadline = serializers.DateField(allow_null=True)


class MinutesInSerializer(serializers.Serializer):
    recipients = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Codes of organisations to send to, besides those given tasks",
    )


class MinutesSerializer(serializers.Serializer):
    number = serializers.CharField(source="number_notation")
    subject = serializers.CharField()
    recipients = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_recipients(self, doc) -> list[str]:
        return sorted(doc.recipients.values_list("code", flat=True))


class ConcludeInSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The item's position on the agenda")
    text = serializers.CharField(allow_blank=True)
    tasks = TaskInSerializer(many=True, required=False, default=list)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("The Government meetings one takes part in")),
    retrieve=extend_schema(
        summary=gettext_lazy("A Government meeting: agenda, marks, attendance and quorum")
    ),
)
class MeetingViewSet(
    FloorActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [CabinetPermission]
    required_scopes = {
        "list": scopes.READ,
        "retrieve": scopes.READ,
        "create": scopes.ISSUE,
        "mark": scopes.ANSWER,
        "attend": scopes.ISSUE,
        "conclude": scopes.ISSUE,
        "close": scopes.ISSUE,
        "minutes": scopes.ISSUE,
        **FloorActions.floor_scopes,
    }
    lookup_field = "number"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return access.visible_meetings(self.request).order_by("-date", "-number")

    def get_serializer_class(self):
        return MeetingDetailSerializer if self.action == "retrieve" else MeetingSerializer

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise exceptions.NotFound() from None

    def _run(self, call, *args, **kwargs):
        official = access.roles(self.request).official
        try:
            return call(official, *args, **kwargs)
        except IllegalTransition as exc:
            raise Conflict(exc.messages[0]) from None
        except ValidationError as exc:
            raise _bad(exc) from None
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None

    def _item(self, meeting, position) -> AgendaItem:
        item = meeting.items.filter(position=position).first()
        if item is None:
            raise exceptions.ValidationError({"item": [_("No agenda item has that number.")]})
        return item

    @extend_schema(
        summary=gettext_lazy("Schedule a Government meeting (the secretariat)"),
        request=ScheduleSerializer,
        responses={201: MeetingSerializer},
    )
    def create(self, request):
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        items = [
            services.ItemData(
                title=i["title"],
                presenter=i["presenter"],
                starts_at=i["starts_at"],
                ends_at=i["ends_at"],
                documents=[
                    DocumentData(d["title"], d["classification"], None, d["exchange_document"])
                    for d in i["documents"]
                ],
            )
            for i in values.pop("items")
        ]
        meeting = self._run(services.schedule, services.MeetingData(**values, items=items))
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Mark an agenda item before the meeting (a member)"),
        request=MarkInSerializer,
        responses={200: MeetingDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def mark(self, request, number=None):
        meeting = self.get_object()
        data = MarkInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        item = self._item(meeting, values["item"])
        member = Member.objects.filter(pk=values["member"]).first() if values["member"] else None
        self._run(services.mark, item, values["mark"], values["comment"], member=member)
        return Response(MeetingDetailSerializer(meeting).data)

    @extend_schema(
        summary=gettext_lazy("Record a member present, or their substitute (the secretariat)"),
        request=AttendInSerializer,
        responses={201: QuorumSerializer},
    )
    @action(detail=True, methods=["post"])
    def attend(self, request, number=None):
        meeting = self.get_object()
        data = AttendInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        member = Member.objects.filter(pk=values["member"]).first()
        if member is None:
            raise exceptions.ValidationError({"member": [_("No such Government member.")]})
        substitute = None
        if values["substitute"]:
            substitute = Official.objects.filter(pk=values["substitute"]).first()
            if substitute is None:
                raise exceptions.ValidationError({"substitute": [_("No such official.")]})
        self._run(services.attend, meeting, member, substitute=substitute)
        meeting.refresh_from_db()
        data = QuorumSerializer(services.quorum(meeting)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Write an item's conclusion; its work points become tasks"),
        request=ConcludeInSerializer,
        responses={201: MeetingDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def conclude(self, request, number=None):
        meeting = self.get_object()
        data = ConcludeInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        item = self._item(meeting, values["item"])
        tasks = []
        for task in values["tasks"]:
            lead = None
            if task["lead"]:
                lead = Organisation.objects.filter(code=task["lead"]).first()
                if lead is None:
                    raise exceptions.ValidationError(
                        {"lead": [_("No organisation has the code given.")]}
                    )
            tasks.append(services.TaskData(task["content"], lead, task["deadline"]))
        self._run(services.conclude, item, values["text"], tasks)
        return Response(MeetingDetailSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Close the meeting (the secretariat)"),
        request=None,
        responses={200: MeetingSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, number=None):
        meeting = self._run(services.close, self.get_object())
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(
        summary=gettext_lazy("Seal the minutes of a closed meeting and send them (exchange)"),
        request=MinutesInSerializer,
        responses={201: MinutesSerializer},
    )
    @action(detail=True, methods=["post"])
    def minutes(self, request, number=None):
        meeting = self.get_object()
        data = MinutesInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        codes = data.validated_data["recipients"]
        recipients = list(Organisation.objects.filter(code__in=codes))
        if len(recipients) != len(set(codes)):
            raise exceptions.ValidationError(
                {"recipients": [_("No organisation has the code given.")]}
            )
        doc = self._run(minutes_service.send, meeting, recipients)
        return Response(MinutesSerializer(doc).data, status=status.HTTP_201_CREATED)


__all__ = ["MeetingViewSet"]
