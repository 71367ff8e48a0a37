"""Comments: taken within the comment window from logged-in people (the e-ID) and from
organisations' API clients, anchored to the draft, a unit or a range of its text; identical
ones grouped under the first; reported, hidden after three reports, reviewed by moderators."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.consultation import scopes
from egov.consultation.errors import ConsultationError, IllegalTransition
from egov.consultation.models import (
    AuthorKind,
    Comment,
    CommentAttachment,
    Consultation,
    Moderation,
    Phase,
    Report,
    ReportReason,
)
from egov.consultation.services._common import person_of, record, require
from egov.consultation.services.consultations import comment_window
from egov.consultation.services.drafts import latest
from egov.dossiers.services.files import StoredFiles, check

MAX_TEXT = 10_000
_WORDS = re.compile(r"\w+")
HIDE_AFTER_REPORTS = 3
MAX_FILES = 5


@dataclass
class CommentData:
    text: str
    anchor: str = ""
    range_start: int | None = None
    range_end: int | None = None
    # The exact words commented on (the page's form, without JavaScript): found once in the
    # unit's text, they give the range.
    quote: str = ""
    business_tax_code: str = ""  # a person commenting for a business they represent


def _author(actor, data: CommentData) -> dict:
    principal = policy.actor_of(actor)
    if getattr(principal, "is_client", False):
        if scopes.COMMENT not in principal.scopes:
            raise PermissionDenied(_("This client may not comment."))
        organisation = principal.client.organisations.order_by("pk").first()
        name = organisation.name if organisation else principal.client.name
        return {
            "client": principal.client,
            "author_kind": AuthorKind.ORGANISATION,
            "author_name": name,
        }
    person = person_of(actor)
    citizen = getattr(person, "citizen", None) if person else None
    if citizen is None:
        raise PermissionDenied(_("Log in with your e-ID to comment."))
    if data.business_tax_code.strip():
        # A business speaks through a person who represents it (the e-ID's assertion or an
        # administrator's record), as for petitions.
        representation = citizen.business_representations.filter(
            tax_code=data.business_tax_code.strip(), revoked_at__isnull=True
        ).first()
        if representation is None:
            raise PermissionDenied(_("You do not represent this business."))
        return {
            "author": person,
            "author_kind": AuthorKind.BUSINESS,
            "author_name": representation.business_name or representation.tax_code,
        }
    return {"author": person, "author_kind": AuthorKind.CITIZEN, "author_name": citizen.full_name}


def _check_window(consultation: Consultation, now) -> None:
    window = comment_window(consultation)
    late = consultation.allow_late and consultation.phase in {Phase.COMMENTS, Phase.ANSWERS}
    if window is not None and consultation.phase == Phase.COMMENTS and now < window.starts_at:
        raise IllegalTransition(
            _("Comments open on %(day)s.")
            % {"day": timezone.localtime(window.starts_at).strftime("%d/%m/%Y %H:%M")},
            code="window_not_open",
        )
    in_window = (
        consultation.phase == Phase.COMMENTS and window is not None and now <= window.ends_at
    )
    if not (in_window or late):
        if window is not None and now > window.ends_at:
            message = _("The comment window closed on %(day)s.") % {
                "day": timezone.localtime(window.ends_at).strftime("%d/%m/%Y %H:%M")
            }
        else:
            message = _("This consultation is not taking comments.")
        raise IllegalTransition(message, code="window_closed")


def _place(version, data: CommentData) -> dict:
    """The anchor's unit and the range checked against the version's text."""
    anchor = (data.anchor or "").strip()
    has_range = data.range_start is not None or data.range_end is not None
    quoted = " ".join((data.quote or "").split())
    if quoted and has_range:
        # Two ways of saying where: when they disagree, neither can be trusted.
        raise ConsultationError(
            {"quote": [_("Give the quoted words or a range, not both.")]}, code="invalid_range"
        )
    if not anchor:
        if quoted:
            raise ConsultationError(
                {"quote": [_("Choose the clause the quoted words are in.")]}, code="invalid_range"
            )
        if has_range:
            raise ConsultationError(
                {"anchor": [_("A text range needs the clause it is in.")]}, code="invalid_range"
            )
        return {"anchor": "", "range_start": None, "range_end": None, "quote": "", "unit_hash": ""}
    unit = version.units.filter(anchor=anchor).first()
    if unit is None:
        raise ConsultationError(
            {
                "anchor": [
                    _("The draft has no such article, clause or point: %(a)s.") % {"a": anchor}
                ]
            },
            code="unknown_anchor",
        )
    if quoted and not has_range:
        start, end = _find(unit, quoted)
        return {
            "anchor": anchor,
            "range_start": start,
            "range_end": end,
            "quote": unit.text[start:end],
            "unit_hash": unit.text_hash,
        }
    if not has_range:
        return {
            "anchor": anchor,
            "range_start": None,
            "range_end": None,
            "quote": "",
            "unit_hash": unit.text_hash,
        }
    start, end = data.range_start, data.range_end
    if start is None or end is None or not 0 <= start < end <= len(unit.text):
        raise ConsultationError(
            {"range_start": [_("The selected range is not inside the clause's text.")]},
            code="invalid_range",
        )
    return {
        "anchor": anchor,
        "range_start": start,
        "range_end": end,
        "quote": unit.text[start:end],
        "unit_hash": unit.text_hash,
    }


def _find(unit, quoted: str) -> tuple[int, int]:
    """Where the quoted words are in the unit's text, whatever the spacing and line breaks
    between them (a selection on the page gives the text as shown): refused if they are not
    there, or there more than once (the range would be a guess)."""
    pattern = re.compile(r"\s+".join(re.escape(word) for word in quoted.split()))
    found = [m.span() for m in pattern.finditer(unit.text)]
    where = {"words": quoted[:80], "unit": unit.label}
    if not found:
        raise ConsultationError(
            {"quote": [_("The words “%(words)s” are not in %(unit)s.") % where]},
            code="quote_not_found",
        )
    if len(found) > 1:
        raise ConsultationError(
            {
                "quote": [
                    _(
                        "The words “%(words)s” appear %(n)d times in %(unit)s: quote more "
                        "words around them."
                    )
                    % {**where, "n": len(found)}
                ]
            },
            code="quote_ambiguous",
        )
    return found[0]


def text_key(anchor: str, text: str) -> str:
    """Identical comments: the same words on the same anchor, whatever the case, spacing and
    punctuation (diacritics count: "bỏ" and "bộ" are different words)."""
    words = " ".join(_WORDS.findall(unicodedata.normalize("NFC", text).lower()))
    return hashlib.sha256(f"{anchor}\n{words}".encode()).hexdigest()


def _checked(uploads) -> list:
    if len(uploads) > MAX_FILES:
        raise ConsultationError(
            {"files": [_("Attach at most %(n)s files.") % {"n": MAX_FILES}]}, code="upload"
        )
    checked = []
    for upload in uploads:
        try:
            checked.append(check(upload.content, upload.filename, upload.declared_type))
        except ValidationError as exc:
            raise ConsultationError({"files": exc.messages}, code="upload") from exc
    return checked


def submit(actor, consultation: Consultation, data: CommentData, uploads=()) -> Comment:
    """Take a comment on the draft's latest version, with its files (checked as a dossier's
    are). Refused (nothing written, no file left behind): outside the window, an anchor that
    does not exist, a range outside its text, an empty or long text, a file refused."""
    text = (data.text or "").strip()
    if not text:
        raise ConsultationError({"text": [_("Write your comment.")]}, code="required")
    if len(text) > MAX_TEXT:
        raise ConsultationError(
            {"text": [_("A comment has at most %(n)d characters.") % {"n": MAX_TEXT}]},
            code="too_long",
        )
    author = _author(actor, data)
    checked = _checked(list(uploads))
    now = timezone.now()
    stored = StoredFiles()
    try:
        return _take(actor, consultation, data, text, author, checked, stored, now)
    except BaseException:
        stored.discard()
        raise


def _take(actor, consultation, data, text, author, checked, stored, now) -> Comment:
    with transaction.atomic():
        # One intake at a time per consultation: the duplicate check sees every earlier comment.
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        _check_window(locked, now)
        version = latest(locked.draft)
        place = _place(version, data)
        key = text_key(place["anchor"], text)
        leader = (
            Comment.objects.filter(consultation=locked, text_key=key, leader__isnull=True)
            .order_by("pk")
            .first()
        )
        comment = Comment.objects.create(
            consultation=locked,
            version=version,
            text=text,
            text_key=key,
            leader=leader,
            received_at=now,
            **place,
            **author,
        )
        if leader is not None:
            Comment.objects.filter(pk=leader.pk).update(group_size=F("group_size") + 1)
        for f in checked:
            row = CommentAttachment(
                comment=comment,
                name=f.filename,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
            )
            row.file.name = stored.save(f"consultation/{locked.code}/{f.filename}", f.data)
            row.save()
        record(
            actor,
            "comment.receive",
            comment,
            locked.organisation,
            consultation=locked.code,
            anchor=place["anchor"],
            duplicate_of=leader.pk if leader else None,
            files=len(checked),
        )
    return comment


def report(actor, comment: Comment, *, reason: str, details: str = "") -> Report:
    """A logged-in person reports a published comment, once; the third report hides it until
    a moderator reviews it (its text is kept)."""
    person = person_of(actor)
    if person is None:
        raise PermissionDenied(_("Log in to report a comment."))
    if reason not in ReportReason.values:
        raise ConsultationError(
            {"reason": [_("Choose a reason: spam, offensive or off topic.")]}, code="invalid"
        )
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if Report.objects.filter(comment=locked, reporter=person).exists():
            raise ConsultationError(
                _("You have already reported this comment."), code="already_reported"
            )
        if not locked.published:
            raise ConsultationError(_("This comment is not published."), code="not_published")
        try:
            with transaction.atomic():
                row = Report.objects.create(
                    comment=locked,
                    reporter=person,
                    reason=reason,
                    details=details.strip()[:2000],
                    at=timezone.now(),
                )
        except IntegrityError as exc:  # the same person twice at once
            raise ConsultationError(
                _("You have already reported this comment."), code="already_reported"
            ) from exc
        locked.reports_count += 1
        hidden = locked.reports_count >= HIDE_AFTER_REPORTS
        if hidden:
            locked.moderation = Moderation.PENDING
        locked.save(update_fields=["reports_count", "moderation"])
        organisation = locked.consultation.organisation
        record(
            actor,
            "comment.report",
            locked,
            organisation,
            reason=reason,
            reports=locked.reports_count,
        )
        if hidden:
            record(None, "comment.auto_hide", locked, organisation, reports=locked.reports_count)
    return row


def _moderate(actor, comment: Comment, *, to: str, sources: set, act: str, reason: str):
    require(actor, scopes.MODERATE, comment, _("Only the consultation's moderators may do this."))
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.moderation not in sources:
            raise IllegalTransition(
                _("This comment is %(state)s.")
                % {"state": locked.get_moderation_display().lower()},
                code="illegal_transition",
            )
        before = locked.moderation
        locked.moderation = to
        locked.save(update_fields=["moderation"])
        record(
            actor,
            act,
            locked,
            locked.consultation.organisation,
            before=before,
            after=to,
            reason=reason,
        )
    return locked


def hide(actor, comment: Comment, *, reason: str) -> Comment:
    """A moderator hides a comment (a pending one is confirmed hidden); its text is kept."""
    if not (reason or "").strip():
        raise ConsultationError({"reason": [_("Say why it is hidden.")]}, code="required")
    return _moderate(
        actor,
        comment,
        to=Moderation.HIDDEN,
        sources={Moderation.VISIBLE, Moderation.PENDING},
        act="comment.hide",
        reason=reason.strip(),
    )


def restore(actor, comment: Comment, *, reason: str = "") -> Comment:
    """A moderator shows a hidden comment again (its reports stay on record)."""
    return _moderate(
        actor,
        comment,
        to=Moderation.VISIBLE,
        sources={Moderation.PENDING, Moderation.HIDDEN},
        act="comment.restore",
        reason=(reason or "").strip(),
    )
