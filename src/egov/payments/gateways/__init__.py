"""Payment gateways: one interface (create a payment, verify a callback, query, refund), one
adapter per protocol. The adapters speak the protocol and nothing else: what a callback means for
a dossier is decided in egov.payments.services.payments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_timestamp(when: dt.datetime) -> str:
    """yyyyMMddHHmmss, 24-hour, Vietnam time (a 12-hour ``hh`` is a bug seen in the wild)."""
    return when.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def parse_vietnam_timestamp(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
    except (TypeError, ValueError):
        return None


class BadSignature(Exception):  # noqa: N818 - a refused callback, answered 97
    """The callback's or answer's hash does not match: nothing in it may be believed."""


class GatewayError(Exception):
    """The gateway could not be reached or answered something we cannot read."""


@dataclass(frozen=True)
class Callback:
    """A verified server-to-server confirmation (IPN)."""

    reference: str
    amount_vnd: int | None  # None: the amount field was not a whole number of VND
    success: bool
    transaction: str = ""
    bank_code: str = ""
    code: str = ""  # the gateway's response code, kept on the payment
    paid_at: dt.datetime | None = None


@dataclass(frozen=True)
class QueryResult:
    reference: str
    state: str  # "paid", "pending", "failed" or "unknown"
    amount_vnd: int | None = None
    transaction: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    accepted: bool
    code: str
    raw: dict = field(default_factory=dict)


class Gateway(Protocol):
    name: str

    def payment_url(self, payment, *, return_url: str, client_ip: str, now: dt.datetime) -> str:
        """Where the citizen's browser goes to pay ``payment``."""

    def verify_callback(self, params) -> Callback:
        """The callback's content; BadSignature when its hash does not match."""

    def query(self, payment, *, client_ip: str, now: dt.datetime) -> QueryResult:
        """The gateway's view of ``payment`` (reconciliation)."""

    def refund(
        self,
        payment,
        amount_vnd: int,
        *,
        by: str,
        client_ip: str,
        now: dt.datetime,
        request_id: str = "",
    ) -> RefundResult:
        """Ask the gateway to give back ``amount_vnd`` of ``payment``."""
