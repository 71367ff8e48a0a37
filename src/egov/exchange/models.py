"""Document exchange: packages on the hub, mailbox deliveries, status packets, the evidence
chain; and official documents registered inside an organisation. (Pushes and relays wait in the
core outbox.)"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.core.models import ChainedRow


class BusinessType(models.IntegerChoices):
    NEW = 0, _("New")
    RECALL = 1, _("Recall")
    UPDATE = 2, _("Update")
    REPLACE = 3, _("Replace")


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    URGENT = 1, _("Urgent")
    VERY_URGENT = 2, _("Very urgent")
    FLASH = 3, _("Flash")
    FLASH_TIMED = 4, _("Flash (timed)")


class StatusCode(models.TextChoices):
    ARRIVED = "01", _("Arrived")
    REJECTED = "02", _("Rejected")
    ACCEPTED = "03", _("Accepted")
    AWAITING_ASSIGNMENT = "04", _("Awaiting assignment")
    PROCESSING = "05", _("Assigned / processing")
    DONE = "06", _("Done")
    RECALL = "13", _("Recall requested")
    RECALL_AGREED = "15", _("Recall or update agreed")
    RECALL_REFUSED = "16", _("Recall or update refused")


class TransportState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Mailbox(models.Model):
    """How an organisation takes its mail: pull (always) and, with a URL, push by webhook."""

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.PROTECT, related_name="mailbox"
    )
    webhook_url = models.URLField(_("webhook URL"), blank=True)
    # The key of the HMAC on each push (services/webhooks.py), encrypted with Fernet under
    # EGOV_FIELD_KEY. Not a one-way hash as for API client secrets: the hub must recover it to
    # compute the MAC of every push; encrypted so that a copy of the database alone (a backup, a
    # dump) does not give it away. "" = pushes go unsigned.
    webhook_secret = models.TextField(blank=True, editable=False)
    # After a rotation, the secret it replaced (encrypted the same way) and until when pushes are
    # also signed with it (EGOV_EXCHANGE_WEBHOOK_ROTATION_HOURS), so that the receiver can switch
    # without refusing pushes. "" / None = no overlap.
    webhook_secret_previous = models.TextField(blank=True, editable=False)
    webhook_secret_previous_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return str(self.organisation)


class Package(models.Model):
    """One edXML package accepted by the hub (the sender's signed bytes are kept as received)."""

    document_id = models.CharField(_("document id"), max_length=255, unique=True)
    sender = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="sent_packages"
    )
    business_type = models.SmallIntegerField(
        _("business type"), choices=BusinessType.choices, default=BusinessType.NEW
    )
    reason = models.TextField(_("reason"), blank=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    number = models.PositiveIntegerField(_("number"))
    notation = models.CharField(_("notation"), max_length=100)
    promulgation_date = models.DateField(_("promulgation date"))
    type_name = models.CharField(_("document type"), max_length=100, blank=True)
    subject = models.TextField(_("subject"))
    search_text = models.TextField(editable=False, blank=True)
    priority = models.SmallIntegerField(_("priority"), choices=Priority.choices, default=0)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    original = models.CharField(max_length=255)  # storage name of the sender's signed package
    # The hub's copy (its TraceHeader appended, signed by the hub) is the original with what
    # the hub added: ``hub_part``, its TraceHeader and ds:Signature (hub.package_bytes). Packages
    # accepted before hub_part kept the whole copy in a file: ``delivered``, its storage name.
    delivered = models.CharField(max_length=255, blank=True)
    hub_part = models.TextField(blank=True)
    size = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(_("received at"))
    recalled_at = models.DateTimeField(_("recalled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["sender", "-received_at"])]

    def __str__(self) -> str:
        return self.document_id

    @property
    def number_notation(self) -> str:
        return f"{self.number}/{self.notation}"


class Delivery(models.Model):
    """A package in one recipient's mailbox: transport state apart from business status."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="deliveries"
    )
    transport_state = models.CharField(
        _("transport state"),
        max_length=10,
        choices=TransportState.choices,
        default=TransportState.PENDING,
    )
    # "" in this hub's mailbox; "parent": relayed to the parent hub (a provincial hub's recipient
    # outside its province), delivered = the parent accepted it.
    via = models.CharField(_("via"), max_length=10, blank=True)
    transport_error = models.TextField(_("transport error"), blank=True)
    status = models.CharField(_("status"), max_length=2, choices=StatusCode.choices, blank=True)
    recall_status = models.CharField(
        _("recall status"), max_length=2, choices=StatusCode.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    # The recipient's side took the sender's recall (13) from the mailbox (a provincial hub's
    # pull: GET /exchange/mailbox/?recall=pending, then acknowledge); with ``recall_error`` it
    # refused it (the refusal, kept so that it is not fetched again).
    recall_pulled_at = models.DateTimeField(null=True, blank=True)
    recall_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "recipient"], name="delivery_once")
        ]
        indexes = [models.Index(fields=["recipient", "transport_state", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.package_id} → {self.recipient_id}"


class StatusMessage(models.Model):
    """A status packet routed by the hub (signed XML kept as received)."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="statuses")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="statuses")
    sender = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("status"), max_length=2, choices=StatusCode.choices)
    description = models.TextField(_("description"), blank=True)
    staff = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField(_("time"))
    xml = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    # The sender's side took it from the hub (GET /exchange/statuses/, then acknowledge); with
    # ``refusal`` it refused it (a provincial hub that could not apply it: code and reason).
    pulled_at = models.DateTimeField(null=True, blank=True)
    refusal = models.TextField(blank=True)

    class Meta:
        verbose_name = _("status message")
        verbose_name_plural = _("status messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.package_id}"


class Evidence(ChainedRow):
    """Append-only, hash-chained (egov.core.chain; seq, created_at, prev_hash and hash come from
    ChainedRow): one row per package, status and receipt. Each row also links to the previous row
    of the same document, so one document's trail verifies on its own."""

    kind = models.CharField(max_length=10)  # package, status, receipt
    document_id = models.CharField(max_length=255, db_index=True)
    organ_id = models.CharField(max_length=13)  # who sent it (the hub for receipts)
    content_sha256 = models.CharField(max_length=64)
    content = models.BinaryField()  # the signed XML, as received (or as the hub signed it)
    doc_prev_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["seq"]
        # The document's last row (read under the chain's lock for every append): without it
        # PostgreSQL scans the seq index backwards through the whole table for a new document.
        indexes = [models.Index(fields=["document_id", "-seq"], name="exchange_ev_doc_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.document_id}"


class DocumentType(models.TextChoices):
    """Administrative document types and their abbreviations (Decree 30/2020/NĐ-CP, App. III)."""

    NQ = "NQ", _("Resolution")
    QD = "QĐ", _("Decision")
    CT = "CT", _("Directive")
    QC = "QC", _("Regulation")
    QYD = "QYĐ", _("Rules")
    TC = "TC", _("Notice of proclamation")
    HD = "HD", _("Guideline")
    CTR = "CTr", _("Programme")
    KH = "KH", _("Plan")
    PA = "PA", _("Scheme")
    DA = "ĐA", _("Project")
    BC = "BC", _("Report")
    BB = "BB", _("Minutes")
    TTR = "TTr", _("Submission")
    HOPD = "HĐ", _("Contract")
    CV = "CV", _("Official letter")  # công văn: no abbreviation in the notation itself
    CD = "CĐ", _("Dispatch")
    BGN = "BGN", _("Memorandum of understanding")
    GUQ = "GUQ", _("Authorisation")
    GM = "GM", _("Invitation")
    GGT = "GGT", _("Letter of introduction")
    GNP = "GNP", _("Leave permit")
    PG = "PG", _("Transmittal note")
    PC = "PC", _("Transfer note")
    TB = "TB", _("Announcement")
    TTH = "TT", _("Letter")


class OfficialDocument(models.Model):
    """An outgoing document registered by an organisation's document clerk."""

    class State(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        SENT = "sent", _("Sent")

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="official_documents"
    )
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField(_("number"))
    document_type = models.CharField(_("document type"), max_length=4, choices=DocumentType)
    notation = models.CharField(_("notation"), max_length=100)
    subject = models.TextField(_("subject"))
    signer_name = models.CharField(_("signer"), max_length=255)
    signer_position = models.CharField(_("position"), max_length=255, blank=True)
    promulgation_date = models.DateField(_("promulgation date"))
    priority = models.SmallIntegerField(_("priority"), choices=Priority.choices, default=0)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    pdf = models.CharField(max_length=255)
    pdf_sha256 = models.CharField(max_length=64)
    recipients = models.ManyToManyField("core.Organisation", related_name="+", blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.REGISTERED)
    package = models.OneToOneField(
        Package, null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "number"], name="document_number_per_year"
            )
        ]

    def __str__(self) -> str:
        return self.number_notation

    @property
    def number_notation(self) -> str:
        return f"{self.number}/{self.notation}"


class DocumentSequence(models.Model):
    """The next number of an organisation's documents in a year (restarts each 1 January)."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document numbering")
        verbose_name_plural = _("document numbering")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="sequence_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"
