"""The reporting organisations' pages: the reports to submit, one report's form (generated from
the regime, the previous period's values beside each field), its .xlsx template and upload, and
its signature.

Every check is the API's (services.submissions.examine, through services.forms and
services.xlsx); a refusal answers 4xx with the reasons against the fields or cells and writes
nothing. The pages work without JavaScript; with htmx the form is checked as one types
(``check``: the messages come back as out-of-band fragments, the inputs are never replaced).
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts import policy
from egov.core import downloads
from egov.core.error_pages import InvalidRequest, PageNotFound
from egov.core.models import Organisation

from . import scopes
from .models import DataSignature, RegimeKind, ReportingRegime, Submission, SubmissionSignature
from .periods import Period, containing, cutoff
from .services import forms, signing, submissions, xlsx, xml_data
from .services.rules import previous_period


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for ms in exc.message_dict.values() for m in ms]
    return [str(m) for m in exc.messages]


def latest_period(regime, today: date) -> tuple[int, int]:
    """The last period of ``regime`` whose data is cut off by ``today``. A thematic or ad hoc
    regime has one period, numbered 1 in its cut-off's year; while its cut-off is not set,
    today's year (the report being prepared)."""
    if regime.kind != RegimeKind.PERIODIC:
        return (regime.cutoff or today).year, 1
    period = containing(today, regime.periodicity, regime.convention)
    if cutoff(period, regime.convention) > today:
        before = previous_period(regime, period.year, period.number)
        period = Period(before[0], regime.periodicity, before[1])
    return period.year, period.number


@login_required
@require_GET
def index(request):
    """Each regime and organisation the official submits for, with its last closed period."""
    today = timezone.localdate()
    mine = policy.scope_queryset(request, scopes.SUBMIT, Organisation.objects.all())
    regimes = (
        ReportingRegime.objects.filter(organisations__in=mine)
        .distinct()
        .order_by("code")
        .prefetch_related(Prefetch("organisations", queryset=mine.order_by("name"), to_attr="mine"))
    )
    rows = []
    for regime in regimes[:100]:
        if regime.kind != RegimeKind.PERIODIC and (regime.cutoff is None or regime.cutoff > today):
            continue  # a one-off report whose data is not cut off yet: nothing to send
        year, number = latest_period(regime, today)
        rows += [(regime, organisation, year, number) for organisation in regime.mine[:200]]
    sent = {
        (s.regime_id, s.organisation_id, s.year, s.number): s
        for s in Submission.objects.filter(
            regime__in={r[0].pk for r in rows}, organisation__in={r[1].pk for r in rows}
        )
    }
    return render(
        request,
        "reporting/index.html",
        {
            "rows": [
                (r, o, y, n, xlsx.period_label(r, y, n), sent.get((r.pk, o.pk, y, n)))
                for r, o, y, n in rows
            ]
        },
    )


def _target(request, regime, organisation, year, number):
    """The regime and organisation of the URL after every check of the period: 404 for what
    does not exist or is not the official's, 400 (raised) for a period that is not open."""
    regime = get_object_or_404(ReportingRegime, code=regime)
    organisation = get_object_or_404(Organisation, code=organisation)
    if not policy.can(request, scopes.READ, Submission(organisation=organisation)) and not (
        policy.can(request, scopes.SUBMIT, Submission(organisation=organisation))
    ):
        raise PageNotFound(_("You may not see or submit this organisation's reports."))
    submissions.check_period(
        actor=request, regime=regime, organisation=organisation, year=year, number=number
    )
    return forms.build(regime, organisation, year, number)


def _refused(exc: ValidationError) -> InvalidRequest:
    # Raised: the site's 400 page shows the reason.
    return InvalidRequest(" ".join(_messages(exc)))


def _form_page(request, form, *, status=200, cell_errors=(), confirm=False):
    signature = signing.current_signature(form.submission) if form.submission else None
    data_signature = xml_data.current_signature(form.submission) if form.submission else None
    may_sign = form.submission is not None and _may_sign(request, form.submission)
    return render(
        request,
        "reporting/form.html",
        {
            "form": form,
            "period": xlsx.period_label(form.regime, form.year, form.number),
            "cell_errors": cell_errors,
            "confirm": confirm,
            "signature": signature,
            "may_sign": may_sign and signature is None,
            "data_signature": data_signature,
            "may_sign_data": may_sign and data_signature is None,
            "signatures": (
                form.submission.signatures.defer("pdf").select_related("signed_by")[:10]
                if form.submission
                else []
            ),
        },
        status=status,
    )


def _may_sign(request, submission) -> bool:
    try:
        signing.signer_of(request, submission)
    except PermissionDenied:
        return False
    return True


def _examine(request, form):
    given = forms.fill(form, request.POST)
    if not given:
        form.general_errors.append(_("Give at least one value."))
        return given, None
    found = submissions.examine(
        actor=request,
        regime=form.regime,
        organisation=form.organisation,
        year=form.year,
        number=form.number,
        entries=forms.entries_of(given),
    )
    forms.place(form, given, found)
    return given, found


@login_required
@require_http_methods(["GET", "POST"])
def report(request, regime, organisation, year, number):
    try:
        form = _target(request, regime, organisation, year, number)
        if request.method == "GET":
            return _form_page(request, form)
        given, found = _examine(request, form)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        raise _refused(exc) from exc
    confirm = request.POST.get("confirm_warnings") == "1"
    if found is None or found.errors or (found.warnings and not confirm):
        return _form_page(request, form, status=400, confirm=bool(found and found.warnings))
    try:
        submissions.submit(
            actor=request,
            regime=form.regime,
            organisation=form.organisation,
            year=form.year,
            number=form.number,
            entries=forms.entries_of(given),
            confirm=confirm,
        )
    except ValidationError as exc:
        raise _refused(exc) from exc
    messages.success(request, _("The report was sent."))
    return redirect(request.path)


@login_required
@require_POST
def check(request, regime, organisation, year, number):
    """The form's messages for the values typed so far (htmx, as one types); writes nothing."""
    try:
        form = _target(request, regime, organisation, year, number)
        _examine(request, form)
    except ValidationError as exc:
        form = None
        general = _messages(exc)
    else:
        general = form.general_errors
    return render(request, "reporting/_check.html", {"form": form, "general": general})


def _report_url(form) -> str:
    return reverse(
        "reporting:report",
        args=[form.regime.code, form.organisation.code, form.year, form.number],
    )


@login_required
@require_GET
def template(request, regime, organisation, year, number):
    try:
        form = _target(request, regime, organisation, year, number)
    except ValidationError as exc:
        raise _refused(exc) from exc
    name = f"{form.regime.code}-{form.organisation.code}-{form.year}-{form.number}.xlsx"
    response = HttpResponse(
        xlsx.template(form),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = downloads.content_disposition(name)
    return response


@login_required
@require_POST
def upload(request, regime, organisation, year, number):
    try:
        form = _target(request, regime, organisation, year, number)
    except ValidationError as exc:
        raise _refused(exc) from exc
    file = request.FILES.get("file")
    content = file.read(xlsx.MAX_UPLOAD + 1) if file else b""
    confirm = request.POST.get("confirm_warnings") == "1"
    try:
        xlsx.upload(actor=request, form=form, content=content, confirm=confirm)
    except submissions.WarningsToConfirm as exc:
        form.warnings = [w["message"] for w in exc.warnings]
        return _form_page(request, form, status=400, cell_errors=[], confirm=True)
    except xlsx.CellErrors as exc:
        return _form_page(request, form, status=400, cell_errors=exc.cells)
    except ValidationError as exc:
        return _form_page(request, form, status=400, cell_errors=[("", m) for m in _messages(exc)])
    messages.success(request, _("The workbook was checked and the report was sent."))
    return redirect(_report_url(form))


@login_required
@require_POST
def sign(request, regime, organisation, year, number):
    try:
        form = _target(request, regime, organisation, year, number)
        if form.submission is None:
            raise ValidationError(_("Send the report before signing it."))
        signing.sign(form.submission, actor=request)
    except ValidationError as exc:
        raise _refused(exc) from exc
    messages.success(request, _("The report was signed."))
    return redirect(_report_url(form))


@login_required
@require_GET
def signed_pdf(request, pk):
    signature = get_object_or_404(
        policy.scope_queryset(request, scopes.READ, SubmissionSignature.objects.all()), pk=pk
    )
    response = HttpResponse(bytes(signature.pdf), content_type="application/pdf")
    response["Content-Disposition"] = downloads.content_disposition(
        f"bao-cao-{signature.submission_id}-{signature.pk}.pdf"
    )
    return response


@login_required
@require_POST
def sign_data(request, regime, organisation, year, number):
    try:
        form = _target(request, regime, organisation, year, number)
        if form.submission is None:
            raise ValidationError(_("Send the report before signing it."))
        xml_data.sign(form.submission, actor=request)
    except ValidationError as exc:
        raise _refused(exc) from exc
    messages.success(request, _("The report's data was signed."))
    return redirect(_report_url(form))


@login_required
@require_GET
def signed_xml(request, pk):
    """The signed data document, verified again before it is served: one that no longer
    verifies (altered in the database) is not handed out as signed."""
    signature = get_object_or_404(
        policy.scope_queryset(request, scopes.READ, DataSignature.objects.all()).select_related(
            "submission__regime", "submission__organisation"
        ),
        pk=pk,
    )
    checked = xml_data.check(signature)
    if not checked.valid:
        return render(request, "core/bad_input.html", {"message": checked.message}, status=409)
    response = HttpResponse(bytes(signature.document), content_type="application/xml")
    response["Content-Disposition"] = downloads.content_disposition(
        f"du-lieu-bao-cao-{signature.submission_id}-{signature.pk}.xml"
    )
    return response
