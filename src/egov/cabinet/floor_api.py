"""The meeting's floor through the API (issue 19, §2 and §5): the speakers' lists and live
votes, read as one document (``GET meetings/{number}/floor/``, what a client polls), and the
acts: a member asks to speak (``speak``) and votes (``cast``); the secretariat runs the list
(``speaker``: start, stop, up, down, withdraw), opens, records and closes votes. Scopes and
errors as for meetings (egov.cabinet.meeting_api): 404 for a meeting one takes no part in,
400 in Vietnamese for bad input, 409 for an act the state no longer allows."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.cabinet import scopes
from egov.cabinet.models import Member, Speaker, Vote, VoteChoice
from egov.cabinet.services import floor


class SpeakerSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item.position")
    member_name = serializers.CharField(source="member.official.name")
    seconds_used = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Speaker
        fields = [
            "id", "item", "member", "member_name", "state", "weight", "requested_at",
            "started_at", "ended_at", "seconds_used",
        ]  # fmt: skip
        read_only_fields = fields


class VoteTallySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="vote.pk")
    item = serializers.IntegerField(source="vote.item.position")
    question = serializers.CharField(source="vote.question")
    status = serializers.CharField(source="vote.status")
    agree = serializers.IntegerField(source="count.agree")
    disagree = serializers.IntegerField(source="count.disagree")
    abstain = serializers.IntegerField()
    not_counted = serializers.IntegerField(help_text="Substitutes' votes, shown but not counted")
    members = serializers.IntegerField(source="count.n")
    agree_needed = serializers.IntegerField()
    outcome = serializers.CharField()


class FloorSerializer(serializers.Serializer):
    speakers = SpeakerSerializer(many=True)
    votes = VoteTallySerializer(many=True)


class SpeakInSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The item's position on the agenda")
    member = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="For an assistant: the member"
    )


class SpeakerActSerializer(serializers.Serializer):
    speaker = serializers.IntegerField()
    act = serializers.ChoiceField(choices=["start", "stop", "up", "down", "withdraw"])


class VoteOpenSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The item's position on the agenda")
    question = serializers.CharField(allow_blank=True, max_length=500)


class VoteCastSerializer(serializers.Serializer):
    vote = serializers.IntegerField()
    choice = serializers.ChoiceField(choices=VoteChoice.choices)


class VoteRecordSerializer(VoteCastSerializer):
    member = serializers.IntegerField(help_text="The member present or represented")


class VoteCloseSerializer(serializers.Serializer):
    vote = serializers.IntegerField()


def _floor(meeting) -> dict:
    speakers = [s for rows in floor.speakers_for(meeting).values() for s in rows]
    votes = list(Vote.objects.filter(item__meeting=meeting).select_related("item").order_by("id"))
    tallies = floor.tallies_for(meeting, votes)
    return FloorSerializer({"speakers": speakers, "votes": [tallies[v.pk] for v in votes]}).data


class FloorActions:
    """Mixed into the meeting viewset (egov.cabinet.meeting_api.MeetingViewSet)."""

    floor_scopes = {
        "floor": scopes.READ,
        "speak": scopes.ANSWER,
        "speaker": scopes.ISSUE,
        "vote_open": scopes.ISSUE,
        "vote_cast": scopes.ANSWER,
        "vote_record": scopes.ISSUE,
        "vote_close": scopes.ISSUE,
    }

    def _vote(self, meeting, pk) -> Vote:
        vote = Vote.objects.filter(pk=pk, item__meeting=meeting).first()
        if vote is None:
            raise exceptions.ValidationError({"vote": [_("No such vote.")]})
        return vote

    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(
        summary=gettext_lazy("The speakers' lists and live votes of a meeting"),
        responses=FloorSerializer,
    )
    @action(detail=True, methods=["get"])
    def floor(self, request, number=None):
        return Response(_floor(self.get_object()))

    @extend_schema(
        summary=gettext_lazy("Ask to speak on an agenda item (a member, or their assistant)"),
        request=SpeakInSerializer,
        responses={201: SpeakerSerializer},
    )
    @action(detail=True, methods=["post"])
    def speak(self, request, number=None):
        meeting = self.get_object()
        values = self._input(SpeakInSerializer)
        item = self._item(meeting, values["item"])
        member = Member.objects.filter(pk=values["member"]).first() if values["member"] else None
        speaker = self._run(floor.request_to_speak, item, member=member)
        return Response(SpeakerSerializer(speaker).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Run the speakers' list: give the floor, end, move, withdraw"),
        request=SpeakerActSerializer,
        responses={200: FloorSerializer},
    )
    @action(detail=True, methods=["post"])
    def speaker(self, request, number=None):
        meeting = self.get_object()
        values = self._input(SpeakerActSerializer)
        speaker = Speaker.objects.filter(pk=values["speaker"], item__meeting=meeting).first()
        if speaker is None:
            raise exceptions.ValidationError({"speaker": [_("No such request to speak.")]})
        act = values["act"]
        if act == "withdraw":
            self._run(floor.withdraw, speaker)
        elif act in ("up", "down"):
            self._run(floor.move, speaker, up=act == "up")
        else:
            self._run(floor.start if act == "start" else floor.stop, speaker)
        return Response(_floor(meeting))

    @extend_schema(
        summary=gettext_lazy("Open a live vote on an item (the secretariat; quorum reached)"),
        request=VoteOpenSerializer,
        responses={201: FloorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="votes")
    def vote_open(self, request, number=None):
        meeting = self.get_object()
        values = self._input(VoteOpenSerializer)
        self._run(floor.open_vote, self._item(meeting, values["item"]), values["question"])
        return Response(_floor(meeting), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Vote (a member present in person)"),
        request=VoteCastSerializer,
        responses={201: FloorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="cast")
    def vote_cast(self, request, number=None):
        meeting = self.get_object()
        values = self._input(VoteCastSerializer)
        self._run(floor.cast_vote, self._vote(meeting, values["vote"]), values["choice"])
        return Response(_floor(meeting), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Record a member's vote (the secretariat: a substitute's, hands)"),
        request=VoteRecordSerializer,
        responses={201: FloorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="record")
    def vote_record(self, request, number=None):
        meeting = self.get_object()
        values = self._input(VoteRecordSerializer)
        member = meeting.members.filter(pk=values["member"]).first()
        if member is None:
            raise exceptions.ValidationError({"member": [_("Choose a member.")]})
        vote = self._vote(meeting, values["vote"])
        self._run(floor.cast_vote, vote, values["choice"], member=member)
        return Response(_floor(meeting), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Close a live vote: the outcome is fixed (the secretariat)"),
        request=VoteCloseSerializer,
        responses={200: FloorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="close-vote")
    def vote_close(self, request, number=None):
        meeting = self.get_object()
        values = self._input(VoteCloseSerializer)
        self._run(floor.close_vote, self._vote(meeting, values["vote"]))
        return Response(_floor(meeting))


__all__ = ["FloorActions"]
