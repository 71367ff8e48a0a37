"""The payments' API (read only): a dossier's payments, their receipts and refunds, for the
agency's systems and officials. Paying is done on the pages and through the gateways' callbacks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from egov.accounts import policy
from egov.accounts.scopes import ScopePermission
from egov.payments import scopes
from egov.payments.models import Payment, PaymentReceipt, Refund


class PaymentReceiptSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentReceipt
        fields = ["kind", "template_symbol", "serial", "number", "amount_vnd", "issued_at"]


class RefundSerializer(serializers.ModelSerializer):
    """A refund with its own receipt's serial and number once done (the PDF is on the pages)."""

    class Meta:
        model = Refund
        fields = [
            "amount_vnd",
            "reason",
            "status",
            "requested_at",
            "done_at",
            "serial",
            "number",
            "amount_words",
        ]


class PaymentSerializer(serializers.ModelSerializer):
    dossier = serializers.CharField(source="dossier.code", read_only=True)
    receipts = PaymentReceiptSerializer(many=True, read_only=True)
    refunds = RefundSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "reference",
            "dossier",
            "method",
            "status",
            "amount_vnd",
            "created_at",
            "settled_at",
            "gateway_transaction",
            "desk_receipt_number",
            "receipts",
            "refunds",
        ]


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List payments")),
    retrieve=extend_schema(summary=gettext_lazy("Get a payment")),
)
class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [ScopePermission]
    required_scopes = {"list": scopes.READ, "retrieve": scopes.READ}
    serializer_class = PaymentSerializer
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9]+"

    def get_queryset(self):
        queryset = Payment.objects.select_related("dossier").prefetch_related("receipts", "refunds")
        return policy.scope_queryset(self.request, scopes.READ, queryset).order_by("-id")
