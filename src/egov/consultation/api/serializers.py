"""The consultation's API bodies: what the public reads and what officials and commenters send."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from egov.consultation import costs, structure
from egov.consultation.models import (
    AnswerKind,
    Comment,
    Consultation,
    DocType,
    Draft,
    DraftVersion,
    Phase,
    Regulation,
    ReportReason,
    Unit,
)
from egov.consultation.services.consultations import days_left


class LegalDocumentSerializer(serializers.Serializer):
    number = serializers.CharField()
    doc_type = serializers.CharField()
    title = serializers.CharField()
    issued_on = serializers.DateField()
    issuing_body = serializers.CharField(source="issuing_body.name")


class RegulationProcedureSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RegulationSerializer(serializers.ModelSerializer):
    document = LegalDocumentSerializer()
    place = serializers.CharField()
    sector = serializers.CharField(source="sector.name", allow_null=True, default=None)
    procedures = RegulationProcedureSerializer(many=True)
    organisation = serializers.CharField(source="organisation.name")
    organisation_code = serializers.CharField(source="organisation.code")
    cost = serializers.IntegerField(help_text="Compliance cost, VND per year")
    cost_text = serializers.SerializerMethodField()

    class Meta:
        model = Regulation
        fields = [
            "id",
            "document",
            "article",
            "clause",
            "point",
            "place",
            "content",
            "sector",
            "procedures",
            "organisation",
            "organisation_code",
            "status",
            "subjects",
            "frequency",
            "days",
            "day_value",
            "fees",
            "other_costs",
            "cost",
            "cost_text",
            "updated_at",
        ]
        read_only_fields = fields

    def get_cost_text(self, regulation) -> str:
        return costs.vnd(regulation.cost)


class RegulationCostsSerializer(serializers.Serializer):
    subjects = serializers.CharField(required=False, help_text="Subjects affected")
    frequency = serializers.CharField(required=False, help_text="Times per year")
    days = serializers.CharField(required=False, help_text="Working days per time")
    day_value = serializers.CharField(required=False, help_text="Value of a working day, VND")
    fees = serializers.CharField(required=False, help_text="Fees per time, VND")
    other_costs = serializers.CharField(required=False, help_text="Other costs per time, VND")


class NewRegulationSerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text="Code of the managing organisation")
    document_number = serializers.CharField(max_length=64)
    document_type = serializers.ChoiceField(choices=DocType.choices)
    document_title = serializers.CharField(max_length=500)
    issued_on = serializers.DateField()
    issuing_body = serializers.CharField(help_text="Code of the issuing body")
    article = serializers.CharField(max_length=16)
    clause = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    point = serializers.CharField(max_length=8, required=False, allow_blank=True, default="")
    content = serializers.CharField()
    sector = serializers.CharField(required=False, allow_blank=True, default="")
    procedures = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="Procedure codes"
    )
    costs = RegulationCostsSerializer(required=False)


class DraftUnitSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.anchor", allow_null=True, default=None)

    class Meta:
        model = Unit
        fields = ["anchor", "kind", "label", "heading", "text", "parent"]
        read_only_fields = fields


class DraftVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class DraftVersionDetailSerializer(DraftVersionSerializer):
    units = DraftUnitSerializer(many=True)


class DraftSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    organisation_code = serializers.CharField(source="organisation.code")
    latest_version = serializers.IntegerField(source="latest_number")
    one_in_one_out_flag = serializers.SerializerMethodField(
        help_text="True when the draft repeals no regulation (one in, one out)"
    )
    repeals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Draft
        fields = [
            "code",
            "title",
            "doc_type",
            "organisation",
            "organisation_code",
            "latest_version",
            "one_in_one_out_flag",
            "repeals",
            "created_at",
        ]
        read_only_fields = fields

    def get_one_in_one_out_flag(self, draft) -> bool:
        return not draft.repeals.all()


class DraftDetailSerializer(DraftSerializer):
    versions = DraftVersionSerializer(many=True)
    units = serializers.SerializerMethodField(help_text="The latest version's units")

    class Meta(DraftSerializer.Meta):
        fields = [*DraftSerializer.Meta.fields, "versions", "units"]
        read_only_fields = fields

    @extend_schema_field(DraftUnitSerializer(many=True))
    def get_units(self, draft) -> list[dict]:
        version = max(draft.versions.all(), key=lambda v: v.number)
        units = version.units.select_related("parent")
        return DraftUnitSerializer(units, many=True).data


DOCX_HELP = "Instead of text: a Word file (.docx), base64; one paragraph per line of the text"


def text_or_docx(data: dict) -> str:
    """The draft's text: typed, or read from the .docx (checked by its content). Exactly one."""
    import base64
    import binascii

    from egov.consultation.services import docx_import

    text, encoded = data.get("text") or "", data.get("docx") or ""
    if bool(text.strip()) == bool(encoded):
        raise serializers.ValidationError(
            {"text": [_("Give the text or a .docx file, one of the two.")]}
        )
    if text.strip():
        return text
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise serializers.ValidationError({"docx": [_("The file is not valid base64.")]}) from exc
    return docx_import.text_of(raw)


class NewDraftSerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text="Code of the drafting agency")
    title = serializers.CharField(max_length=500)
    doc_type = serializers.ChoiceField(choices=DocType.choices)
    text = serializers.CharField(
        required=False,
        default="",
        help_text="The text: “Chương I”, “Điều 1.”, “1.”, “a)” lines (or give docx)",
    )
    docx = serializers.CharField(required=False, default="", help_text=DOCX_HELP)
    repeals = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="Regulation ids"
    )
    repealed_documents = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        help_text="Numbers of documents repealed whole: each regulation of theirs still in force",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NewVersionSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, default="", help_text="Or give docx")
    docx = serializers.CharField(required=False, default="", help_text=DOCX_HELP)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DraftChangeSerializer(serializers.Serializer):
    anchor = serializers.CharField()
    label = serializers.CharField()
    change = serializers.ChoiceField(choices=["unchanged", "changed", "added", "removed"])
    old_text = serializers.CharField(allow_null=True)
    new_text = serializers.CharField(allow_null=True)
    old_heading = serializers.CharField(allow_null=True)
    new_heading = serializers.CharField(allow_null=True)


class PhaseWindowSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Phase.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class ConsultationSerializer(serializers.ModelSerializer):
    draft = serializers.CharField(source="draft.code")
    organisation = serializers.CharField(source="organisation.name")
    phase_label = serializers.CharField(source="get_phase_display")
    windows = PhaseWindowSerializer(many=True)
    days_left = serializers.SerializerMethodField()
    received = serializers.IntegerField(help_text="Every comment received, duplicates included")
    published = serializers.IntegerField(help_text="Comments shown (a group of duplicates once)")
    unanswered = serializers.IntegerField(help_text="Published comments without an answer")
    summary_pdf = serializers.SerializerMethodField(
        help_text="The sealed table of acceptance and explanation (from the result on)"
    )
    summary_docx = serializers.SerializerMethodField(help_text="The same table as .docx")

    class Meta:
        model = Consultation
        fields = [
            "code",
            "title",
            "draft",
            "organisation",
            "phase",
            "phase_label",
            "allow_late",
            "windows",
            "days_left",
            "received",
            "published",
            "unanswered",
            "summary_pdf",
            "summary_docx",
            "updated_at",
        ]
        read_only_fields = fields

    def get_days_left(self, consultation) -> int | None:
        return days_left(consultation)

    def _summary(self, consultation, kind: str) -> str | None:
        # Published with the result (SummaryTable); the list selects it with the consultation.
        if getattr(consultation, "summary_table", None) is None:
            return None
        return f"/api/v1/consultation/consultations/{consultation.code}/summary-{kind}/"

    def get_summary_pdf(self, consultation) -> str | None:
        return self._summary(consultation, "pdf")

    def get_summary_docx(self, consultation) -> str | None:
        return self._summary(consultation, "docx")


class NewConsultationSerializer(serializers.Serializer):
    draft = serializers.CharField(help_text="The draft's code")
    title = serializers.CharField(max_length=500)
    allow_late = serializers.BooleanField(default=False)
    windows = PhaseWindowSerializer(many=True, help_text="The comments' window is required")


class CommentAnswerSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AnswerKind.choices)
    text = serializers.CharField()
    changed_anchor = serializers.CharField(
        source="changed_unit.anchor", allow_null=True, default=None
    )
    changed_version = serializers.IntegerField(
        source="changed_unit.version.number", allow_null=True, default=None
    )
    answered_at = serializers.DateTimeField()


class CommentAttachmentSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Its place among the comment's files, from 1")
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.CharField()


class RangeNowSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The draft's latest version")
    state = serializers.ChoiceField(
        choices=["same", "followed", "changed", "gone"],
        help_text=(
            "same: the unit's text is unchanged, the range too; followed: the text changed and "
            "the quoted words, found once, give the range; changed: the words commented on are "
            "no longer in the unit (no range); gone: the unit is not in the latest version"
        ),
    )
    range_start = serializers.IntegerField(allow_null=True)
    range_end = serializers.IntegerField(allow_null=True)


def latest_ranges(draft_id: int, comments) -> dict:
    """The serializer's context for ``range_now``: the draft's latest version and its units
    that the comments' ranges were on (two queries, none without a range)."""
    anchors = {c.anchor for c in comments if c.range_start is not None}
    if not anchors:
        return {"latest": None}
    version = DraftVersion.objects.filter(draft_id=draft_id).order_by("-number").first()
    units = {u.anchor: u for u in version.units.filter(anchor__in=anchors)}
    return {"latest": (version.number, units)}


def range_now(comment, latest) -> dict | None:
    if comment.range_start is None or latest is None:
        return None
    number, units = latest
    unit = units.get(comment.anchor)
    row = {"version": number, "state": "gone", "range_start": None, "range_end": None}
    if unit is None:
        return row
    found = structure.locate(comment, unit)
    if found is None:
        return {**row, "state": "changed"}
    state = "same" if unit.text_hash == comment.unit_hash else "followed"
    return {**row, "state": state, "range_start": found[0], "range_end": found[1]}


class CommentSerializer(serializers.ModelSerializer):
    """A comment; its range (`range_start`, `range_end`, `quote`) is on its `version`,
    `range_now` is where it stands in the draft's latest version."""

    version = serializers.IntegerField(source="version.number")
    answer = CommentAnswerSerializer(allow_null=True)
    attachments = serializers.SerializerMethodField()
    range_now = serializers.SerializerMethodField()

    @extend_schema_field(RangeNowSerializer(allow_null=True))
    def get_range_now(self, comment) -> dict | None:
        # A list passes the context made once for its page (latest_ranges); one comment alone
        # reads its own.
        if "latest" in self.context:
            return range_now(comment, self.context["latest"])
        return range_now(comment, latest_ranges(comment.version.draft_id, [comment])["latest"])

    @extend_schema_field(CommentAttachmentSerializer(many=True))
    def get_attachments(self, comment) -> list[dict]:
        rows = sorted(comment.attachments.all(), key=lambda a: a.pk)
        return [
            {
                "number": n,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "url": f"/api/v1/consultation/comments/{comment.pk}/attachments/{n}/",
            }
            for n, a in enumerate(rows, start=1)
        ]

    class Meta:
        model = Comment
        fields = [
            "id",
            "version",
            "anchor",
            "range_start",
            "range_end",
            "quote",
            "range_now",
            "text",
            "author_kind",
            "author_name",
            "group_size",
            "received_at",
            "answer",
            "attachments",
        ]
        read_only_fields = fields


class ModeratedCommentSerializer(CommentSerializer):
    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "moderation", "reports_count", "leader"]
        read_only_fields = fields


class CommentFileSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=255)
    content_type = serializers.CharField(max_length=100, help_text="PDF, JPEG or PNG")
    content_base64 = serializers.CharField()


class NewCommentSerializer(serializers.Serializer):
    files = CommentFileSerializer(
        many=True, required=False, help_text="Attachments, checked by their content"
    )
    text = serializers.CharField(max_length=10_000)
    anchor = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="A unit's anchor; empty: the draft"
    )
    range_start = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0
    )
    range_end = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    quote = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        trim_whitespace=False,
        help_text=(
            "The exact words commented on, in the unit of `anchor` (instead of a range): found "
            "once, they give the range; absent or found more than once, the comment is refused"
        ),
    )
    business_tax_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=14,
        help_text="Tax code of a business the person represents, to comment for it",
    )


class CommentReportSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    details = serializers.CharField(required=False, allow_blank=True, default="")


class CommentModerationSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class NewAnswerSerializer(serializers.Serializer):
    comments = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    kind = serializers.ChoiceField(choices=AnswerKind.choices)
    text = serializers.CharField()
    changed_anchor = serializers.CharField(required=False, allow_blank=True, default="")


class AnswerSummaryRowSerializer(serializers.Serializer):
    """One line of the table of acceptance and explanation (bảng tổng hợp tiếp thu, giải trình)."""

    answer_kind = serializers.CharField()
    answer = serializers.CharField()
    changed_anchor = serializers.CharField(allow_null=True)
    changed_version = serializers.IntegerField(allow_null=True)
    comments = serializers.ListField(child=serializers.IntegerField())
    commenters = serializers.IntegerField(help_text="Comments answered, duplicates included")
