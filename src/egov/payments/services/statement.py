"""The statement check (đối soát): the gateway's daily statement of transactions, a CSV, against
the payments we hold as paid through that gateway on that day.

The CSV's layout follows VNPay's merchant statement (see docs/payments.md, "The statement check"):
columns found by their header, in any order: the merchant's reference (vnp_TxnRef), VNPay's
transaction number, the amount in VND, the bank, the pay date (yyyyMMddHHmmss, Vietnam time) and
the status (00 = paid). Liberal in form (a BOM, CRLF, ";" or "," separators, "1.234.000" or
"1,234,000"), strict in meaning: a row that cannot be read is reported with its line number and
counts as a mismatch, never guessed at. A file that is not a statement at all is refused whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from egov.accounts import policy
from egov.core.services import audit
from egov.payments import scopes
from egov.payments.models import Method, Payment, PaymentStatus

MAX_BYTES = 5 * 1024 * 1024
# vnp_TransactionStatus of a transaction that was paid: 00, or paid and since (being) refunded
# (05, 06): the refund is a later act of its own, the payment still happened.
PAID_STATUSES = {"00", "05", "06"}

# Header names (lower case, spaces and "_" removed) for each column; VNPay's Vietnamese headings
# and the API's field names both work.
COLUMNS = {
    "reference": ("txnref", "vnptxnref", "reference", "mãgiaodịchmerchant", "mãđơnhàng"),
    "transaction": ("transactionno", "vnptransactionno", "mãgiaodịchvnpay", "mãgdvnpay"),
    "amount": ("amount", "vnpamount", "sốtiền"),
    "bank": ("bankcode", "bank", "vnpbankcode", "ngânhàng"),
    "pay_date": ("paydate", "vnppaydate", "ngàythanhtoán", "thờigianthanhtoán"),
    "status": ("status", "transactionstatus", "vnptransactionstatus", "trạngthái"),
}


class Kind:
    GATEWAY_ONLY = "gateway_only"  # paid at the gateway, not paid here
    OURS_ONLY = "ours_only"  # paid here, not on the statement
    AMOUNT = "amount"  # on both, amounts differ
    UNREADABLE = "unreadable"  # a row of the statement that cannot be read


KIND_LABELS = {
    Kind.GATEWAY_ONLY: gettext_noop("Paid at the gateway, not here"),
    Kind.OURS_ONLY: gettext_noop("Paid here, not at the gateway"),
    Kind.AMOUNT: gettext_noop("The amounts differ"),
    Kind.UNREADABLE: gettext_noop("A row that cannot be read"),
}
# The columns a statement cannot do without, as the error names them.
NEEDED = {
    "reference": gettext_noop("transaction reference (TxnRef)"),
    "amount": gettext_noop("amount (Amount)"),
    "status": gettext_noop("status (Status)"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind])


@dataclass(frozen=True)
class Row:
    line: int
    reference: str
    transaction: str
    amount_vnd: int
    bank: str
    paid_at: dt.datetime | None
    status: str


@dataclass(frozen=True)
class Mismatch:
    kind: str
    reference: str = ""
    gateway_amount_vnd: int | None = None
    our_amount_vnd: int | None = None
    transaction: str = ""
    line: int | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return kind_label(self.kind)


@dataclass
class Check:
    day: dt.date
    rows: int = 0
    matched: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    def counts(self) -> dict:
        out = {k: 0 for k in KIND_LABELS}
        for m in self.mismatches:
            out[m.kind] += 1
        return out


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name.strip().lower())


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The statement is larger than 5 MB."))
    if b"\x00" in data:
        raise ValidationError(_("The file is not a CSV statement."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The statement is not in UTF-8. Save it as CSV UTF-8 and upload it again.")
        ) from None


def _amount(text: str) -> int:
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    # Thousands separators only: VND has no minor unit. "1.234.000", "1,234,000", "1234000".
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        sep = text[-4]
        if ("." if sep == "," else ",") in text:  # "1,234.000": two separators, no meaning
            raise ValueError(text)
        text = text.replace(sep, "")
    if not re.fullmatch(r"\d{1,15}", text):
        raise ValueError(text)
    return int(text)


def _pay_date(text: str) -> dt.datetime | None:
    text = text.strip()
    if not text:
        return None
    naive = dt.datetime.strptime(text, "%Y%m%d%H%M%S")  # ValueError if not the format
    return timezone.make_aware(naive, timezone.get_default_timezone())


def parse(data: bytes) -> tuple[list[Row], list[Mismatch]]:
    """The statement's rows and the rows that cannot be read; ValidationError if the file as a
    whole is not a statement (not text, not UTF-8, no header with the needed columns)."""
    text = _decode(data)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise ValidationError(_("The statement is empty."))
    first = next(line for line in lines if line.strip())
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if "\t" in first and first.count("\t") > first.count(delimiter):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(r for r in reader if any(c.strip() for c in r))
    except csv.Error:
        raise ValidationError(_("The file is not a CSV statement.")) from None
    keys = [_key(h) for h in header]
    where = {}
    for column, names in COLUMNS.items():
        for i, k in enumerate(keys):
            if k in names:
                where[column] = i
                break
    missing = [c for c in NEEDED if c not in where]
    if missing:
        raise ValidationError(
            _("The statement has no column for: %(columns)s.")
            % {"columns": ", ".join(_(NEEDED[c]) for c in missing)}
        )
    rows, unreadable = [], []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            try:
                # A row with more cells than the header had an unquoted separator: its cells
                # cannot be trusted (trailing empty cells, as spreadsheets add, are fine).
                if len(cells) < len(header) or any(c.strip() for c in cells[len(header) :]):
                    raise ValueError("cells")

                def cell(name, cells=cells):
                    return cells[where[name]].strip() if name in where else ""

                reference, status = cell("reference"), cell("status")
                if not reference:
                    raise ValueError("reference")
                if not re.fullmatch(r"\d{1,2}", status):  # VNPay's codes: two digits
                    raise ValueError("status")
                rows.append(
                    Row(
                        line=line,
                        reference=reference,
                        transaction=cell("transaction"),
                        amount_vnd=_amount(cell("amount")),
                        bank=cell("bank"),
                        paid_at=_pay_date(cell("pay_date")),
                        status=status.zfill(2),
                    )
                )
            except (ValueError, IndexError):
                unreadable.append(
                    Mismatch(
                        Kind.UNREADABLE,
                        line=line,
                        note=_("Line %(line)d cannot be read: %(text)s")
                        % {"line": line, "text": delimiter.join(cells)[:200]},
                    )
                )
    except csv.Error:
        raise ValidationError(_("The file is not a CSV statement.")) from None
    return rows, unreadable


def compare(rows: list[Row], day: dt.date, payments) -> Check:
    """The mismatches between the statement's paid rows and ``payments`` (our VNPay payments),
    for ``day`` in Vietnam time."""
    check = Check(day=day, rows=len(rows))
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()), tz)
    end = start + dt.timedelta(days=1)
    paid_rows = [r for r in rows if r.status in PAID_STATUSES]
    refs = {r.reference for r in paid_rows}
    ours = {
        p.reference: p
        for p in payments.filter(method=Method.VNPAY)
        .filter(reference__in=refs)
        .select_related(None)
    }
    ours_today = payments.filter(
        method=Method.VNPAY, status=PaymentStatus.PAID, settled_at__gte=start, settled_at__lt=end
    )
    seen = set()
    for r in paid_rows:
        p = ours.get(r.reference)
        if r.reference in seen:  # paid twice at the gateway: the second is not recorded here
            check.mismatches.append(
                Mismatch(
                    Kind.GATEWAY_ONLY,
                    reference=r.reference,
                    gateway_amount_vnd=r.amount_vnd,
                    transaction=r.transaction,
                    line=r.line,
                    note=_("Listed twice on the statement"),
                )
            )
            continue
        seen.add(r.reference)
        if p is None or p.status != PaymentStatus.PAID:
            check.mismatches.append(
                Mismatch(
                    Kind.GATEWAY_ONLY,
                    reference=r.reference,
                    gateway_amount_vnd=r.amount_vnd,
                    our_amount_vnd=p.amount_vnd if p else None,
                    transaction=r.transaction,
                    line=r.line,
                    note=str(PaymentStatus(p.status).label) if p else _("Unknown here"),
                )
            )
        elif p.amount_vnd != r.amount_vnd:
            check.mismatches.append(
                Mismatch(
                    Kind.AMOUNT,
                    reference=r.reference,
                    gateway_amount_vnd=r.amount_vnd,
                    our_amount_vnd=p.amount_vnd,
                    transaction=r.transaction,
                    line=r.line,
                )
            )
        else:
            check.matched += 1
    for p in ours_today.exclude(reference__in=seen).order_by("settled_at", "id"):
        check.mismatches.append(
            Mismatch(
                Kind.OURS_ONLY,
                reference=p.reference,
                our_amount_vnd=p.amount_vnd,
                transaction=p.gateway_transaction,
            )
        )
    return check


def check_statement(data: bytes, *, day: dt.date, actor=None, filename: str = "") -> Check:
    """Parse, compare and audit one run. An official sees only the payments of the agencies they
    may read; the command (no actor) sees all. Bad files are refused before anything is written."""
    if actor is not None and not policy.can(actor, scopes.READ):
        raise PermissionDenied(_("You may not do this."))
    rows, unreadable = parse(data)
    payments = Payment.objects.all()
    if actor is not None:
        payments = policy.scope_queryset(actor, scopes.READ, payments.select_related("dossier"))
    check = compare(rows, day, payments)
    check.mismatches[:0] = unreadable
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="payments.statement_checked",
            object_type="payments.statement",
            object_id=day.isoformat(),
            summary={
                "file": filename[:120],
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows": check.rows,
                "matched": check.matched,
                **check.counts(),
            },
        )
    return check
