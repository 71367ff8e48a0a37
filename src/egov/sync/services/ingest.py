"""National: the provinces' sync received (docs/sync.md).

:func:`open_session` is the login call: a province's API client (username = client id, password
= its secret) holding the ``sync.ingest`` scope, for a unit code among its organisations, gets a
session token (an egov access token). :func:`serve` answers one service call: ``DongBoHoSoMC``
(dossiers, create or update), ``CapNhatTienDoHoSoMC`` (progress records), ``DongBoDanhGia``
(satisfaction ratings) or ``TraCuuHoSo`` (the province's dossiers by code, or the codes received
on a day, for its reconciliation).

Every record is checked field by field first; any error refuses the whole call (``error_code``
-1 and ``errors``: index, MaHoSo, field, message) and nothing is written. A call is one
transaction. A create of a MaHoSo the province synced before is refused with -3 (the province
then calls the update), an update of one it never created with -4. The same record twice
changes nothing; a record older than the one kept (``PhienBan`` lower) is acknowledged and
ignored, so deliveries out of order end in the newest state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.services import clients
from egov.core.models import Organisation
from egov.core.services import audit
from egov.sync import scopes, wire
from egov.sync.models import NationalDossier, NationalProgress, NationalRating
from egov.sync.services import validation


class Refusal(Exception):
    """An answer other than success: its body and HTTP status."""

    def __init__(self, code: str, message: str, status: int, **extra):
        super().__init__(message)
        self.body = wire.answer(code, message, **extra)
        self.status = status


def open_session(username: str, password: str, unit_code: str) -> dict:
    try:
        client, key = clients.authenticate_secret(username or "", password or "")
    except clients.ClientAuthError:
        raise Refusal(wire.BAD_SESSION, _("Wrong username or password."), 401) from None
    if scopes.INGEST not in client.scopes:
        raise Refusal(wire.REFUSED, _("This account may not sync dossiers."), 403)
    if not client.organisations.filter(code=unit_code).exists():
        raise Refusal(wire.REFUSED, _("The unit code is not this account's."), 403)
    issued = clients.issue_token(client, key, scopes.INGEST)
    return wire.answer(wire.OK, _("Success"), session=issued.token, expires_in=issued.expires_in)


def province_of(session: str, unit_code: str, header_code: str, address: str) -> Organisation:
    """The province a session acts for, or Refusal."""
    try:
        token = clients.check_token(session or "", address)
    except clients.TokenError as error:
        raise Refusal(wire.BAD_SESSION, error.message, 401) from None
    if scopes.INGEST not in token.scopes:
        raise Refusal(wire.REFUSED, _("This account may not sync dossiers."), 403)
    if header_code and header_code != unit_code:
        raise Refusal(wire.REFUSED, _("The unit code differs from the dstcode header."), 403)
    province = token.client.organisations.filter(code=unit_code).first()
    if province is None:
        raise Refusal(wire.REFUSED, _("The unit code is not this account's."), 403)
    return province


def serve(province: Organisation, body: dict) -> dict:
    service = body.get("service")
    if service == wire.DOSSIER_SERVICE:
        return ingest_dossiers(province, body.get("data"), updating=body.get("isUpdating"))
    if service == wire.PROGRESS_SERVICE:
        return ingest_progress(province, body.get("data"))
    if service == wire.LOOKUP_SERVICE:
        return lookup(province, body)
    if service == wire.RATING_SERVICE:
        return ingest_ratings(province, body.get("data"))
    raise Refusal(
        wire.INVALID,
        _("Unknown service: %(service)s.") % {"service": str(service)[:64]},
        400,
        errors=[
            {"index": None, "MaHoSo": "", "field": "service", "message": _("Unknown service.")}
        ],
    )


def _check(records, check) -> list:
    if not isinstance(records, list) or not records:
        raise Refusal(
            wire.INVALID,
            _("data must be a non-empty list of records."),
            400,
            errors=[{"index": None, "MaHoSo": "", "field": "data", "message": _("Required.")}],
        )
    if len(records) > validation.MAX_BATCH:
        raise Refusal(
            wire.INVALID,
            _("At most %(n)d records per call.") % {"n": validation.MAX_BATCH},
            400,
            errors=[{"index": None, "MaHoSo": "", "field": "data", "message": _("Too many.")}],
        )
    errors, cleaned = [], []
    for index, record in enumerate(records):
        values, problems = check(record)
        code = record.get("MaHoSo", "") if isinstance(record, dict) else ""
        errors += [
            {"index": index, "MaHoSo": str(code)[:64], "field": f, "message": m}
            for f, m in problems
        ]
        cleaned.append(values)
    if errors:
        raise Refusal(
            wire.INVALID, _("Some records are not valid: nothing was stored."), 400, errors=errors
        )
    return cleaned


def ingest_dossiers(province: Organisation, records, *, updating) -> dict:
    cleaned = _check(records, validation.dossier)
    codes = [values["code"] for values in cleaned]
    if len(set(codes)) != len(codes):
        raise Refusal(wire.INVALID, _("A MaHoSo appears twice in the call."), 400, errors=[])
    update = str(updating).lower() in ("true", "1")
    now = timezone.now()
    try:
        with transaction.atomic():
            kept = {
                row.code: row
                for row in NationalDossier.objects.select_for_update().filter(
                    province=province, code__in=codes
                )
            }
            if not update and kept:
                raise Refusal(
                    wire.EXISTS,
                    _("The dossier already exists: %(codes)s.")
                    % {"codes": ", ".join(sorted(kept))[:500]},
                    409,
                )
            missing = [c for c in codes if c not in kept]
            if update and missing:
                raise Refusal(
                    wire.NOT_FOUND,
                    _("No such dossier: %(codes)s.") % {"codes": ", ".join(missing)[:500]},
                    404,
                )
            stale = 0
            if not update:
                NationalDossier.objects.bulk_create(
                    [
                        NationalDossier(province=province, created_at=now, updated_at=now, **v)
                        for v in cleaned
                    ]
                )
            else:
                changed = []
                for values in cleaned:
                    row = kept[values["code"]]
                    if values["version"] < row.version:
                        stale += 1  # an older record arriving late: the newer one stays
                        continue
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.updated_at = now
                    changed.append(row)
                if changed:
                    NationalDossier.objects.bulk_update(
                        changed, [*validation.DOSSIER_FIELDS, "updated_at"]
                    )
            audit.record(
                actor=f"organisation:{province.code}",
                action="sync.dossiers_updated" if update else "sync.dossiers_created",
                obj=province,
                summary={"count": len(cleaned), "stale": stale, "first": codes[0]},
            )
    except IntegrityError:
        # A concurrent create of the same MaHoSo won: this one is the "already exists" case.
        raise Refusal(wire.EXISTS, _("The dossier already exists."), 409) from None
    return wire.answer(wire.OK, _("Success"), count=len(cleaned), stale=stale)


def _digest(record: dict) -> str:
    return hashlib.sha256(
        json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def ingest_progress(province: Organisation, records) -> dict:
    cleaned = _check(records, validation.progress)
    codes = {values["code"] for values in cleaned}
    with transaction.atomic():
        dossiers = dict(
            NationalDossier.objects.filter(province=province, code__in=codes).values_list(
                "code", "pk"
            )
        )
        missing = sorted(codes - set(dossiers))
        if missing:
            raise Refusal(
                wire.NOT_FOUND,
                _("No such dossier: %(codes)s.") % {"codes": ", ".join(missing)[:500]},
                404,
            )
        rows = []
        for record, values in zip(records, cleaned, strict=True):
            code = values.pop("code")
            rows.append(
                NationalProgress(dossier_id=dossiers[code], digest=_digest(record), **values)
            )
        made = NationalProgress.objects.bulk_create(rows, ignore_conflicts=True)
    return wire.answer(wire.OK, _("Success"), count=len(made))


def ingest_ratings(province: Organisation, records) -> dict:
    """DongBoDanhGia: a rating is created or replaced by a higher revision; a lower or equal
    one (late, or sent twice) is acknowledged and changes nothing. The dossier must be known."""
    cleaned = _check(records, validation.rating)
    keys = [(values["code"], values["id_number"]) for values in cleaned]
    if len(set(keys)) != len(keys):
        raise Refusal(wire.INVALID, _("A rating appears twice in the call."), 400, errors=[])
    codes = {code for code, _id in keys}
    now = timezone.now()
    try:
        with transaction.atomic():
            known = set(
                NationalDossier.objects.filter(province=province, code__in=codes).values_list(
                    "code", flat=True
                )
            )
            missing = sorted(codes - known)
            if missing:
                raise Refusal(
                    wire.NOT_FOUND,
                    _("No such dossier: %(codes)s.") % {"codes": ", ".join(missing)[:500]},
                    404,
                )
            kept = {
                (row.code, row.id_number): row
                for row in NationalRating.objects.select_for_update().filter(
                    province=province, code__in=codes
                )
            }
            stale, new, changed = 0, [], []
            for values in cleaned:
                row = kept.get((values["code"], values["id_number"]))
                if row is None:
                    new.append(NationalRating(province=province, updated_at=now, **values))
                elif values["revision"] <= row.revision:
                    stale += 1
                else:
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.updated_at = now
                    changed.append(row)
            NationalRating.objects.bulk_create(new)
            if changed:
                NationalRating.objects.bulk_update(changed, [*cleaned[0].keys(), "updated_at"])
            audit.record(
                actor=f"organisation:{province.code}",
                action="sync.ratings",
                obj=province,
                summary={"count": len(cleaned), "stale": stale, "first": keys[0][0]},
            )
    except IntegrityError:
        # A concurrent first rating of the same applicant won: send again, it is then an update.
        raise Refusal(wire.EXISTS, _("The rating already exists."), 409) from None
    return wire.answer(wire.OK, _("Success"), count=len(cleaned), stale=stale)


def lookup(province: Organisation, body: dict) -> dict:
    """TraCuuHoSo: ``mahoso`` → that dossier's kept record; ``ngay`` (yyyyMMdd) → the codes of
    the dossiers received that day (Vietnam time)."""
    rows = NationalDossier.objects.filter(province=province)
    if body.get("mahoso"):
        row = rows.filter(code=str(body["mahoso"])).first()
        if row is None:
            raise Refusal(wire.NOT_FOUND, _("No such dossier."), 404)
        return wire.answer(wire.OK, _("Success"), result=row.record)
    try:
        day = dt.datetime.strptime(str(body.get("ngay", "")), "%Y%m%d").replace(tzinfo=wire.VIETNAM)
    except ValueError:
        raise Refusal(
            wire.INVALID,
            _("Give mahoso, or ngay as yyyyMMdd."),
            400,
            errors=[{"index": None, "MaHoSo": "", "field": "ngay", "message": _("Not a date.")}],
        ) from None
    codes = list(
        rows.filter(received_at__gte=day, received_at__lt=day + dt.timedelta(days=1))
        .order_by("code")
        .values_list("code", flat=True)
    )
    return wire.answer(
        wire.OK,
        _("Success"),
        result={"ngay": body["ngay"], "soluong": len(codes), "danhsach": codes},
    )
