"""The wire format of the status sync, shared by the provincial and the national side.

As the national public service portal's integration takes it (docs/sync.md gives the sources):
one JSON POST per call with ``service`` (``DongBoHoSoMC``, ``CapNhatTienDoHoSoMC``,
``TraCuuHoSo``), the session token ``session``, the unit code ``madonvi`` and the records in
``data``; the header ``dstcode`` carries the unit code. Answers carry ``error_code`` (a string,
``"0"`` success) and ``message``.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"  # yyyyMMddHHmmss, Vietnam time

DOSSIER_SERVICE = "DongBoHoSoMC"
PROGRESS_SERVICE = "CapNhatTienDoHoSoMC"
LOOKUP_SERVICE = "TraCuuHoSo"
# Satisfaction ratings: no published service; the record is egov.ratings.national's (its sources).
RATING_SERVICE = "DongBoDanhGia"
SERVICES = (DOSSIER_SERVICE, PROGRESS_SERVICE, LOOKUP_SERVICE, RATING_SERVICE)

# error_code values (strings, as the portal answers them).
OK = "0"
INVALID = "-1"  # a field of a record is missing or wrong: ``errors`` says which
BAD_SESSION = "-2"  # no session, unknown or expired: log in again
EXISTS = "-3"  # a create (isUpdating False) of a MaHoSo already there: call the update
NOT_FOUND = "-4"  # an update of, or progress for, a MaHoSo never created: call the create
REFUSED = "-5"  # the unit code is not this account's

# Statuses at whose entry the handling ended (NgayKetThucXuLy is set).
ENDING_STATUSES = frozenset({3, 7, 8, 9, 10})
# Progress records go in chunks of at most this many per call, as the portal takes them.
PROGRESS_CHUNK = 10

# A national procedure code (MaTTHC) as the national catalogue publishes it: "1.004227".
NATIONAL_CODE = re.compile(r"^[1-3]\.\d{6}$")


def is_national_code(code: str) -> bool:
    return bool(NATIONAL_CODE.match(code or ""))


def format_date(value: dt.datetime | None) -> str:
    """A datetime as yyyyMMddHHmmss in Vietnam time ("" for None)."""
    if value is None:
        return ""
    return value.astimezone(VIETNAM).strftime(DATE_FORMAT)


def parse_date(value: str) -> dt.datetime:
    """yyyyMMddHHmmss (Vietnam time) as an aware datetime; ValueError if it is not one."""
    if not isinstance(value, str) or len(value) != 14 or not value.isdigit():
        raise ValueError(value)
    return dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=VIETNAM)


def answer(code: str, message: str, **extra) -> dict:
    return {"error_code": code, "message": message, **extra}
