"""The dossier API's serializers: what it reads (applications, act bodies, batches) and what it
answers (dossiers with their components and history, counts, the public lookup)."""

from __future__ import annotations

import base64
import binascii
import copy

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers

from egov.catalog.models import Procedure
from egov.core.models import Organisation
from egov.dossiers import services
from egov.dossiers.models import (
    Dossier,
    DossierComponent,
    ProgressRecord,
    Status,
)


class FieldsOnce:
    # A ModelSerializer builds its fields from the model (introspection, field mapping) for
    # every instance: about a third of an act's answer. Build them once per class and hand each
    # instance a deep copy, as DRF does with declared fields. For serializers whose fields do not
    # depend on the context. (A comment, not a docstring: drf-spectacular would publish a
    # docstring as the description of every serializer that inherits it.)

    def get_fields(self):
        cls = type(self)
        prototype = cls.__dict__.get("_fields_prototype")
        if prototype is None:
            prototype = super().get_fields()
            cls._fields_prototype = prototype
        return copy.deepcopy(prototype)


class ProgressSerializer(FieldsOnce, serializers.ModelSerializer):
    status = serializers.IntegerField(source="to_status")
    unit = serializers.CharField(source="organisation.code", default="")

    class Meta:
        model = ProgressRecord
        fields = [
            "at",
            "action",
            "from_status",
            "status",
            "actor_name",
            "actor_title",
            "unit",
            "step",
            "step_due_at",
            "note",
        ]
        read_only_fields = fields


class ComponentSerializer(FieldsOnce, serializers.ModelSerializer):
    class Meta:
        model = DossierComponent
        fields = [
            "id",
            "name",
            "required_document",
            "content_type",
            "size",
            "sha256",
            "digitised",
            "reused",
            "from_supplement",
            "added_at",
        ]
        read_only_fields = fields


class DossierSerializer(FieldsOnce, serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure_version.procedure.code")
    organisation = serializers.CharField(source="organisation.code")
    status = serializers.IntegerField(help_text="National status code 1–10.")
    status_label = serializers.SerializerMethodField()
    at_risk = serializers.SerializerMethodField()
    timeliness = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "code",
            "procedure",
            "organisation",
            "status",
            "status_label",
            "applicant_name",
            "submitted_at",
            "received_at",
            "due_at",
            "current_step",
            "step_due_at",
            "paused_at",
            "at_risk",
            "timeliness",
        ]
        read_only_fields = fields

    def get_status_label(self, obj) -> str:
        return str(Status(obj.status).label)

    def get_at_risk(self, obj) -> bool:
        return services.is_at_risk(obj)

    def get_timeliness(self, obj) -> str:
        return services.timeliness(obj)


class DossierDetailSerializer(DossierSerializer):
    components = ComponentSerializer(many=True, read_only=True)
    progress = ProgressSerializer(many=True, read_only=True)
    channel = serializers.CharField(source="channel.kind")

    class Meta(DossierSerializer.Meta):
        fields = [
            *DossierSerializer.Meta.fields,
            "channel",
            "applicant_kind",
            "applicant_id_number",
            "applicant_email",
            "applicant_phone",
            "form_data",
            "original_due_at",
            "paused_total",
            "fees_due_vnd",
            "reason",
            "processed_at",
            "returned_at",
            "components",
            "progress",
        ]
        read_only_fields = fields


class FileSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=200)
    content_type = serializers.CharField(max_length=100)
    content_base64 = serializers.CharField()
    required_document = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=255, required=False, default="")


class ReuseSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    required_document = serializers.IntegerField(required=False, allow_null=True)


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    id_number = serializers.CharField(max_length=14)
    kind = serializers.ChoiceField(choices=["citizen", "business"], default="citizen")
    email = serializers.EmailField(required=False, default="")
    phone = serializers.CharField(max_length=32, required=False, default="")
    address = serializers.CharField(required=False, default="")


class ApplicationSerializer(serializers.Serializer):
    procedure = serializers.CharField(help_text="Procedure code, e.g. 1.001193.")
    organisation = serializers.CharField(help_text="The agency's electronic identification code.")
    channel = serializers.ChoiceField(choices=["online", "in_person"], default="online")
    form_data = serializers.JSONField(default=dict)
    applicant = ApplicantSerializer(required=False)
    components = FileSerializer(many=True, required=False, default=list)
    reuse = ReuseSerializer(many=True, required=False, default=list)


class Targets:
    """The procedure version in force and the agency an application names, each code looked up
    once per request (a batch names the same ones again and again)."""

    def __init__(self):
        self.versions, self.organisations = {}, {}

    def of(self, v: dict, prefix: str = ""):
        code = v["procedure"]
        if code not in self.versions:
            procedure = Procedure.objects.filter(code=code).first()
            version = procedure.version_on(timezone.localdate()) if procedure else None
            if version is not None:
                version.procedure = procedure
            self.versions[code] = version
        if self.versions[code] is None:
            message = _("No procedure in force with this code.")
            raise exceptions.ValidationError({f"{prefix}procedure": [message]})
        code = v["organisation"]
        if code not in self.organisations:
            self.organisations[code] = (
                Organisation.objects.filter(code=code).order_by("-id").first()
            )
        if self.organisations[code] is None:
            raise exceptions.ValidationError({f"{prefix}organisation": [_("Unknown agency code.")]})
        return self.versions[v["procedure"]], self.organisations[code]


def uploads_from(items, prefix="components") -> list[services.Upload]:
    uploads = []
    for index, item in enumerate(items):
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise exceptions.ValidationError(
                {f"{prefix}.{index}": [_("The file content is not valid base64.")]}
            ) from exc
        uploads.append(
            services.Upload(
                content=content,
                filename=item["filename"],
                declared_type=item["content_type"],
                required_document_id=item.get("required_document"),
                name=item.get("name", ""),
            )
        )
    return uploads


BATCH_MAX = 100


class BatchActSerializer(serializers.Serializer):
    codes = serializers.ListField(
        child=serializers.CharField(max_length=40),
        min_length=1,
        max_length=BATCH_MAX,
        help_text="Dossier codes (at most 100); the act is made on all of them or on none.",
    )
    note = serializers.CharField(required=False, default="", allow_blank=True)


class ApplicationBatchSerializer(serializers.Serializer):
    applications = ApplicationSerializer(many=True, min_length=1, max_length=BATCH_MAX)


class DossierBatchSerializer(serializers.Serializer):
    dossiers = DossierSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, default="", allow_blank=True)


class SupplementItemSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    note = serializers.CharField(required=False, default="", allow_blank=True)
    required_document = serializers.IntegerField(required=False, allow_null=True)


class SupplementRequestSerializer(serializers.Serializer):
    items = SupplementItemSerializer(many=True)
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class SupplementSerializer(serializers.Serializer):
    components = FileSerializer(many=True, required=False, default=list)
    form_data = serializers.JSONField(required=False, default=None)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class StepSerializer(serializers.Serializer):
    step = serializers.IntegerField(required=False, allow_null=True, default=None)
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class AssignSerializer(serializers.Serializer):
    official = serializers.IntegerField()


class FeesSerializer(serializers.Serializer):
    amount_vnd = serializers.IntegerField(min_value=0)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class TransferSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class ApologySerializer(serializers.Serializer):
    reason = serializers.CharField()
    new_due_at = serializers.DateTimeField()


class ResultSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=200)
    content_base64 = serializers.CharField()
    name = serializers.CharField(max_length=255)
    number = serializers.CharField(max_length=64, required=False, default="")
    signed = serializers.BooleanField(
        default=False, help_text="Ignored: the result's signature is verified."
    )


class CountsSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    code = serializers.CharField()
    early = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    within_time = serializers.IntegerField()
    overdue = serializers.IntegerField()
    total = serializers.IntegerField()


# Components and history of the detail answer (progress with its unit).
DETAIL_PREFETCH = (
    "components",
    Prefetch("progress", ProgressRecord.objects.select_related("organisation")),
)


class LookupSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    id_number = serializers.CharField(max_length=14)


def status_codes(text: str) -> list[int]:
    """The list filter's ``status``: national codes, comma separated ("2,4")."""
    codes = []
    for part in text.split(","):
        part = part.strip()
        if not (part.isascii() and part.isdigit() and int(part) in Status.values):
            raise exceptions.ValidationError(
                {
                    "status": [
                        _("“%(value)s” is not a status code: use %(codes)s, separated by commas.")
                        % {"value": part, "codes": ", ".join(map(str, Status.values))}
                    ]
                }
            )
        codes.append(int(part))
    return codes
