"""What the exchange API takes and answers (the OpenAPI components keep these class names)."""

from __future__ import annotations

from rest_framework import serializers

from egov.core.api_base import ErrorSerializer
from egov.exchange.models import Delivery, Package, StatusMessage


class HubErrorSerializer(ErrorSerializer):
    """The API's error body (code, message, fields) with, when known, the refused element."""

    element = serializers.CharField(required=False, help_text="Path of the refused element.")
    rule = serializers.CharField(required=False, help_text="The rule it breaks.")


STATUS_HELP = "Business status: 01 arrived ... 06 done; recall: 13 asked, 15 agreed, 16 refused."


def _code_field():
    return serializers.CharField(read_only=True, help_text=STATUS_HELP)


class DeliveryStateSerializer(serializers.ModelSerializer):
    recipient = serializers.CharField(source="recipient.code")
    transport_state = serializers.CharField(read_only=True, help_text="pending, delivered, failed")
    via = serializers.CharField(
        read_only=True, help_text="empty: this hub's mailbox; parent: relayed to the parent hub"
    )
    transport_error = serializers.CharField(
        read_only=True, help_text="Why the transport failed (e.g. the parent hub's refusal)."
    )
    status = _code_field()
    recall_status = _code_field()

    class Meta:
        model = Delivery
        fields = [
            "recipient",
            "transport_state",
            "via",
            "transport_error",
            "status",
            "recall_status",
            "delivered_at",
        ]
        read_only_fields = fields


class AcknowledgeSerializer(serializers.Serializer):
    # No body: taken. With "refused": the caller could not take the item (a provincial hub whose
    # checks refused it); it leaves the pending list all the same and the refusal is kept.
    refused = serializers.CharField(
        required=False,
        max_length=50,
        help_text="The refusal's code (e.g. signature_invalid): the item is refused, not taken.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RetrySerializer(serializers.Serializer):
    outbox = serializers.CharField(
        help_text="The first new relay's idempotency key (the package's, if it was retried)."
    )
    recipients = serializers.ListField(child=serializers.CharField())
    statuses = serializers.ListField(
        child=serializers.CharField(),
        help_text="Idempotency keys of new relays of status packets whose relay had failed.",
    )


class AnswerRetrySerializer(serializers.Serializer):
    outbox = serializers.ListField(
        child=serializers.CharField(), help_text="The new relays' idempotency keys."
    )


class PackageSerializer(serializers.ModelSerializer):
    sender = serializers.CharField(source="sender.code")
    business_type = serializers.IntegerField(
        read_only=True, help_text="0 new, 1 recall, 2 update, 3 replace"
    )
    priority = serializers.IntegerField(read_only=True, help_text="0 normal ... 4 flash (timed)")
    deliveries = DeliveryStateSerializer(many=True, read_only=True)

    class Meta:
        model = Package
        fields = [
            "id",
            "document_id",
            "sender",
            "business_type",
            "number",
            "notation",
            "promulgation_date",
            "subject",
            "priority",
            "due_date",
            "received_at",
            "recalled_at",
            "deliveries",
        ]
        read_only_fields = fields


class AcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document_id = serializers.CharField()
    created = serializers.BooleanField()
    receipt = serializers.CharField(help_text="The hub's signed receipt (edXML status packet).")


class BatchAcceptedSerializer(serializers.Serializer):
    packages = AcceptedSerializer(many=True, help_text="In the order sent.")


class PackageBatchSerializer(serializers.Serializer):
    package = serializers.ListField(
        child=serializers.FileField(),
        help_text=(
            "The signed edXML packages, one file part each (at most 100), as sent one by one."
        ),
    )


class BatchErrorSerializer(HubErrorSerializer):
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="packages.<n>: the refusal of the n-th package (from 0).",
    )
    # Only when packages were refused: a refusal of the whole batch (its size, the caller's
    # scope) has no per-package errors.
    errors = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="When packages were refused: index, code, message, element, rule of each.",
    )


class MailboxSerializer(serializers.ModelSerializer):
    document_id = serializers.CharField(source="package.document_id")
    sender = serializers.CharField(source="package.sender.code")
    subject = serializers.CharField(source="package.subject")
    priority = serializers.IntegerField(source="package.priority")
    due_date = serializers.DateField(source="package.due_date")
    business_type = serializers.IntegerField(source="package.business_type")
    transport_state = serializers.CharField(read_only=True, help_text="pending, delivered, failed")
    transport_error = serializers.CharField(
        read_only=True, help_text="Why the transport failed (e.g. refused by the recipient's hub)."
    )
    status = _code_field()
    recall_status = _code_field()
    recall_error = serializers.CharField(
        read_only=True, help_text="Why the recipient's side refused the recall, if it did."
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "document_id",
            "sender",
            "subject",
            "priority",
            "due_date",
            "business_type",
            "transport_state",
            "transport_error",
            "status",
            "recall_status",
            "created_at",
            "acknowledged_at",
            "recall_pulled_at",
            "recall_error",
        ]
        read_only_fields = fields


class StatusAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document_id = serializers.CharField()
    code = serializers.CharField()


class StatusMessageSerializer(serializers.ModelSerializer):
    document_id = serializers.CharField(source="package.document_id")
    sender = serializers.CharField(source="sender.code")
    code = _code_field()
    xml = serializers.SerializerMethodField(help_text="The signed status packet, as received.")
    refusal = serializers.CharField(
        read_only=True, help_text="The caller refused it at acknowledge: code and reason."
    )

    class Meta:
        model = StatusMessage
        fields = [
            "id",
            "document_id",
            "sender",
            "code",
            "created_at",
            "pulled_at",
            "refusal",
            "xml",
        ]
        read_only_fields = fields

    def get_xml(self, obj) -> str:
        return bytes(obj.xml).decode("utf-8")
