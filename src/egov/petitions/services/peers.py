"""Petitions between instances: the national centre's instance and the provinces' own.

The national side (an instance whose ``EGOV_PETITIONS_PROVINCES`` names provinces) receives
petitions as any centre does. When its desk forwards one to an organisation of such a province,
the act is made here as usual and one outbox row (kind ``petitions.forward``) sends the petition,
with its files, to ``POST <province>/api/v1/petitions/inbound/`` with this instance's bearer token
there (client credentials). The province creates it once per (centre, code): a retried forward
gets the same petition back (200). Its officials handle it on their own instance.

Statuses and answers come back by pulling (``egov petitions-pull``): for each petition open at a
province, ``GET <province>/api/v1/petitions/<its code there>/`` gives the status, the answer and
the timeline; the new timeline lines are copied here as hand-offs, the answer's signed PDF is
fetched once, and a published answer is published here too (the national public list shows it).
The wire format is in docs/petitions.md, "The national side".
"""

from __future__ import annotations

import base64
import logging
import time
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.catalog.models import Procedure
from egov.core import numbering
from egov.core.calendar import Unit
from egov.core.models import Organisation
from egov.core.services import audit, outbox
from egov.core.text import fold
from egov.dossiers.services.files import StoredFiles
from egov.petitions import deadlines, scopes
from egov.petitions.errors import PetitionError
from egov.petitions.models import (
    Category,
    HandOff,
    Petition,
    PetitionSequence,
    Status,
    SubmitterKind,
)
from egov.petitions.services import public
from egov.petitions.services._common import centre
from egov.petitions.services.submission import MAX_CONTENT, MAX_TITLE, _checked, attach

logger = logging.getLogger(__name__)

FORWARD = "petitions.forward"
MAX_ATTEMPTS = 8
BACKOFF = outbox.exponential(timedelta(seconds=30), most=timedelta(hours=1))
INBOUND = "/api/v1/petitions/inbound/"
OAUTH = "/api/v1/oauth/token"
# At the national side, a petition is followed at its province until it is one of these.
SETTLED = (Status.PUBLISHED, Status.REFUSED, Status.RETURNED)


class PeerError(RuntimeError):
    """A province's instance could not be reached, or refused."""


# --- the national side: where a petition goes --------------------------------------------------


def province_of(org: Organisation) -> str | None:
    """The code of the province (with an instance of its own) that ``org`` belongs to."""
    codes = settings.EGOV_PETITIONS_PROVINCES
    if not codes or org is None:
        return None
    for province in Organisation.objects.filter(code__in=list(codes)).only("code", "path"):
        if org.path.startswith(province.path):
            return province.code
    return None


def queue_forward(petition: Petition, *, number: int) -> None:
    """In the forward's transaction: the outbox row sending it to its province, if it has an
    instance of its own (``number``: the forward's hand-off, so that a later re-forward is a new
    row)."""
    if not settings.EGOV_PETITIONS_PROVINCES and petition.remote is None:
        return  # a standalone instance: nothing to send, nothing to clear
    province = province_of(petition.organisation)
    # A re-forward after a province returned it starts afresh (elsewhere: no longer followed).
    lines = 0 if province else None
    petition.remote, petition.remote_code, petition.remote_lines = province, None, lines
    Petition.objects.filter(pk=petition.pk).update(
        remote=province, remote_code=None, remote_lines=lines
    )
    if province is None:
        return
    payload = {"petition": petition.pk, "province": province}
    outbox.add(FORWARD, payload, key=f"{petition.code}:{number}")


_tokens: dict[tuple[str, str], tuple[str, float]] = {}


def forget_tokens() -> None:
    _tokens.clear()


def _peer(province: str) -> dict:
    peer = settings.EGOV_PETITIONS_PROVINCES.get(province)
    if peer is None:
        raise PeerError(f"{province}: not in EGOV_PETITIONS_PROVINCES")
    return peer


def _token(http: httpx.Client, peer: dict, *, fresh: bool = False) -> str:
    key = (peer["url"], peer.get("client_id", ""))
    cached = _tokens.get(key)
    if cached and not fresh and cached[1] > time.monotonic():
        return cached[0]
    form = {
        "grant_type": "client_credentials",
        "client_id": peer.get("client_id", ""),
        "client_secret": peer.get("client_secret", ""),
    }
    try:
        response = http.post(peer["url"] + OAUTH, data=form)
    except httpx.HTTPError as exc:
        raise PeerError(f"token: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise PeerError(f"token: HTTP {response.status_code} {response.text[:200]}")
    body = response.json()
    expires = time.monotonic() + max(body.get("expires_in", 60) - 30, 1)
    _tokens[key] = (body["access_token"], expires)
    return body["access_token"]


def call(http, province: str, method: str, path: str, **kwargs) -> httpx.Response:
    """One call to a province's instance with this instance's token (a fresh one once on 401)."""
    peer = _peer(province)
    for attempt in (0, 1):
        headers = {**kwargs.pop("headers", {}), "Accept-Language": "vi"}
        headers["Authorization"] = f"Bearer {_token(http, peer, fresh=attempt == 1)}"
        try:
            response = http.request(method, peer["url"] + path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise PeerError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        kwargs["headers"] = {}
        if response.status_code != 401:
            return response
    return response


def _describe(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return f"HTTP {response.status_code} {body.get('code', '')}: {body.get('message', '')}"


def wire(petition: Petition) -> dict:
    """The petition as it is sent to the province (docs/petitions.md, "The national side")."""
    files = []
    for row in petition.attachments.order_by("pk"):
        with row.file.open("rb") as handle:
            content = handle.read()
        files.append(
            {
                "filename": row.name,
                "content_type": row.content_type,
                "content_base64": base64.b64encode(content).decode(),
            }
        )
    return {
        "origin": petition.centre.code,
        "origin_code": petition.code,
        "to_organisation": petition.organisation.code,
        "title": petition.title,
        "content": petition.content,
        "category": petition.category,
        "procedure": petition.procedure.code if petition.procedure_id else "",
        "concerned_organisation": (
            petition.concerned_organisation.code if petition.concerned_organisation_id else ""
        ),
        "submitter_kind": petition.submitter_kind,
        "submitter_name": petition.submitter_name,
        "submitter_id_number": petition.submitter_id_number,
        "submitter_email": petition.submitter_email,
        "publish_name": petition.publish_name,
        "received_at": petition.received_at.isoformat(),
        "files": files,
    }


def send_forward(message, *, http: httpx.Client | None = None):
    """The outbox handler: POST the petition to its province; its code there."""
    petition = Petition.objects.select_related(
        "centre", "organisation", "procedure", "concerned_organisation"
    ).get(pk=message.payload["petition"])
    province = message.payload["province"]
    own = http is None
    http = http or httpx.Client(timeout=settings.EGOV_PETITIONS_TIMEOUT)
    try:
        response = call(
            http,
            province,
            "POST",
            INBOUND,
            json=wire(petition),
            headers={"Idempotency-Key": f"{FORWARD}:{message.key}"},
        )
    except PeerError as exc:
        raise outbox.Failure(str(exc)) from exc
    finally:
        if own:
            http.close()
    if response.status_code not in (200, 201):
        permanent = 400 <= response.status_code < 500 and response.status_code not in {408, 429}
        raise outbox.Failure(_describe(response), permanent=permanent)
    return {"code": response.json()["code"]}


def forward_recorded(message, result, error: str) -> None:
    if message.state == message.State.SENT and result:
        Petition.objects.filter(pk=message.payload["petition"]).update(remote_code=result["code"])


def register() -> None:
    outbox.register(
        FORWARD, send_forward, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF, recorded=forward_recorded
    )


# --- the province's side: receiving ------------------------------------------------------------


def _may_receive(actor, org: Organisation) -> bool:
    if policy.is_superuser(actor):
        return True
    for grant in policy.grants(actor):
        if grant.scope != scopes.INBOUND:
            continue
        if org.path == grant.path or (grant.include_subtree and org.path.startswith(grant.path)):
            return True
    return False


def _org(code: str, field: str, *, required: bool = False):
    if not code:
        if required:
            raise PetitionError({field: [_("Choose the organisation to forward it to.")]})
        return None
    found = Organisation.objects.filter(code=code).order_by("-pk").first()
    if found is None:
        raise PetitionError({field: [_("No organisation has this code.")]}, code="unknown")
    return found


def receive(actor, data: dict, uploads=()) -> tuple[Petition, bool]:
    """A petition forwarded by a centre's instance: (the petition here, whether it is new). The
    caller must hold ``petitions.inbound`` on the organisation it goes to; a second call for the
    same (origin, origin_code) returns the first petition and changes nothing."""
    origin, origin_code = data["origin"], data["origin_code"]
    existing = Petition.objects.filter(origin=origin, origin_code=origin_code).first()
    to = _org(data["to_organisation"], "to_organisation", required=True)
    if not _may_receive(actor, to):
        raise PermissionDenied(_("You may not forward petitions to this organisation."))
    if existing is not None:
        return existing, False
    errors = {}
    title, content = data["title"].strip(), data["content"].strip()
    if not title or len(title) > MAX_TITLE:
        errors["title"] = [_("Give the petition a title.")]
    if not content or len(content) > MAX_CONTENT:
        errors["content"] = [_("Write what the petition is about.")]
    if data["category"] not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if data["submitter_kind"] not in SubmitterKind.values:
        errors["submitter_kind"] = [_("Citizen or business.")]
    if errors:
        raise PetitionError(errors, code="invalid")
    checked = _checked(list(uploads))
    concerned = _org(data.get("concerned_organisation", ""), "concerned_organisation")
    procedure = None
    if data.get("procedure"):
        procedure = Procedure.objects.filter(code=data["procedure"]).first()
    here = centre()
    source = Organisation.objects.filter(code=origin).order_by("-pk").first() or here
    stored = StoredFiles()
    try:
        with transaction.atomic():
            now = timezone.now()
            year = timezone.localtime(now).year
            number = numbering.draw(PetitionSequence, year=year)
            petition = Petition(
                code=f"PAKN-{year}-{number:06d}",
                title=title,
                content=content,
                category=data["category"],
                procedure=procedure,
                concerned_organisation=concerned,
                submitter=None,
                submitter_kind=data["submitter_kind"],
                submitter_name=data["submitter_name"][:255] or _("(no name)"),
                submitter_id_number=data["submitter_id_number"][:14],
                submitter_email="",  # the centre that forwarded it tells the submitter
                publish_name=bool(data.get("publish_name")),
                centre=here,
                organisation=to,
                status=Status.FORWARDED,
                received_at=now,
                origin=origin,
                origin_code=origin_code,
            )
            petition.refuse_due_at = deadlines.calendar(to).due(
                now, deadlines.REFUSE_DAYS, Unit.WORKING_DAYS
            )
            deadlines.start_answer_clock(petition, now)
            petition.save()
            attach(petition, checked, stored)
            HandOff.objects.create(
                petition=petition,
                act="forward",
                status=petition.status,
                from_organisation=source,
                to_organisation=to,
                note=_("Forwarded by %(centre)s (code there: %(code)s).")
                % {"centre": source.name, "code": origin_code},
                due_at=petition.due_at,
                at=now,
            )
            audit.record(
                actor=policy.actor_of(actor),
                action="petitions.receive_forwarded",
                obj=petition,
                organisation=to,
                summary={"code": petition.code, "origin": origin, "origin_code": origin_code},
            )
    except IntegrityError:
        # The same forward, at the same time, from a retry: the other one made it.
        stored.discard()
        return Petition.objects.get(origin=origin, origin_code=origin_code), False
    except BaseException:
        stored.discard()
        raise
    return petition, True


# --- the national side: statuses and answers back ----------------------------------------------


def _when(value) -> datetime | None:
    return parse_datetime(value) if value else None


def pull(*, http: httpx.Client | None = None) -> dict:
    """Bring the state of every petition open at a province here; counts of what happened."""
    counts = {"checked": 0, "updated": 0, "failed": 0}
    open_there = (
        Petition.objects.filter(remote__isnull=False, remote_code__isnull=False)
        .exclude(status__in=SETTLED)
        .order_by("pk")
    )
    own = http is None
    http = http or httpx.Client(timeout=settings.EGOV_PETITIONS_TIMEOUT)
    try:
        for petition in open_there:
            counts["checked"] += 1
            try:
                if apply(petition, _fetch(http, petition)):
                    counts["updated"] += 1
            except (PeerError, ValueError, KeyError) as exc:
                counts["failed"] += 1
                logger.warning("petitions: pull of %s failed: %s", petition.code, exc)
    finally:
        if own:
            http.close()
    return counts


def _fetch(http, petition) -> dict:
    path = f"/api/v1/petitions/{petition.remote_code}/"
    response = call(http, petition.remote, "GET", path)
    if response.status_code != 200:
        raise PeerError(f"GET {path}: {_describe(response)}")
    state = response.json()
    state["_pdf"] = None
    if state.get("answered_at") and not petition.answer_file:
        pdf = call(http, petition.remote, "GET", path + "answer-pdf/")
        if pdf.status_code == 200 and pdf.content.startswith(b"%PDF-"):
            state["_pdf"] = pdf.content
    return state


def apply(petition: Petition, state: dict) -> bool:
    """The province's state of the petition, here: new timeline lines, status, answer. False if
    nothing new."""
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        lines = state["timeline"]
        done = petition.remote_lines or 0
        status = int(state["status"])
        new_pdf = bool(state.get("_pdf")) and not petition.answer_file
        if len(lines) <= done and status == petition.status and not new_pdf:
            return False
        codes = {line.get("to_code") for line in lines[done:]} | {state.get("organisation_code")}
        orgs = {o.code: o for o in Organisation.objects.filter(code__in=[c for c in codes if c])}
        holder = orgs.get(state.get("organisation_code")) or petition.organisation
        for line in lines[done:]:
            to = orgs.get(line.get("to_code")) or holder
            HandOff.objects.create(
                petition=petition,
                act=line.get("act_code") or "forward",
                status=int(line.get("status_code") or status),
                from_organisation=petition.organisation,
                to_organisation=to,
                note=line.get("note") or "",
                due_at=_when(line.get("due")),
                at=_when(line.get("at")) or timezone.now(),
            )
        petition.remote_lines = len(lines)
        petition.status = status
        petition.organisation = centre() if status == Status.RETURNED else holder
        petition.due_at = _when(state.get("due_at"))
        if state.get("answered_at"):
            petition.answer_text = state.get("answer_text") or ""
            petition.answered_at = _when(state["answered_at"])
            petition.answered_by = holder
        if state.get("_pdf") and not petition.answer_file:
            pdf = ContentFile(state["_pdf"])
            petition.answer_file.save(f"{petition.code}.pdf", pdf, save=False)
        if status == Status.PUBLISHED and petition.published_at is None:
            petition.published_at = _when(state.get("published_at")) or timezone.now()
            petition.search_text = fold(
                " ".join([petition.title, petition.content, petition.answer_text])
            )
            transaction.on_commit(public.forget_filter_choices)
        petition.save()
        audit.record(
            actor=None,
            action="petitions.remote_update",
            obj=petition,
            organisation=petition.organisation,
            summary={"code": petition.code, "status": status, "remote": petition.remote},
        )
        from egov.petitions.services import notifications

        notifications.queue_email(petition, key=f"r{petition.remote_lines}")
    return True
