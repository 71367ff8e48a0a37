"""The payment pages: the citizen pays from their dossier (pick a method, go to the gateway, come
back to a page that says "processing" until the gateway's callback arrives), the gateway's
callback (IPN), the desk's record of cash and transfers, and the receipts.

Only the callback changes a payment; the return URL only shows it. Every object read is checked
with the policy (the applicant owns their dossier's payments; officials their agency's)."""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.core.downloads import content_disposition
from egov.core.error_pages import PageNotFound
from egov.core.web import error_messages
from egov.dossiers import scopes as dossier_scopes
from egov.dossiers.access import can_see
from egov.dossiers.acts import may
from egov.dossiers.models import Dossier, Status
from egov.dossiers.services import DossierError
from egov.payments import scopes, vietqr
from egov.payments.gateways import BadSignature, GatewayError, vnpay
from egov.payments.gateways.available import FACTORIES as GATEWAYS
from egov.payments.models import (
    DESK_METHODS,
    ONLINE_METHODS,
    Method,
    Payment,
    PaymentReceipt,
    Refund,
)
from egov.payments.services import (
    fees,
    payments,
    receipts,
    refund_receipts,
    refunds,
    statement,
)
from egov.payments.services.statement_xlsx import statement_xlsx

logger = logging.getLogger(__name__)

# VNPay's IPN answers for each outcome of egov.payments.services.payments.settle_callback.
VNPAY_ANSWERS = {
    payments.Outcome.CONFIRMED: vnpay.CONFIRMED,
    payments.Outcome.NOT_FOUND: vnpay.NOT_FOUND,
    payments.Outcome.ALREADY: vnpay.ALREADY_CONFIRMED,
    payments.Outcome.BAD_AMOUNT: vnpay.BAD_AMOUNT,
    payments.Outcome.BAD_SIGNATURE: vnpay.BAD_CHECKSUM,
}


def _dossier(request, code: str) -> Dossier:
    dossier = Dossier.objects.select_related("organisation", "procedure_version").filter(code=code)
    dossier = dossier.first()
    if dossier is None or not can_see(request.user, dossier_scopes.READ, dossier):
        raise PageNotFound(_("No dossier you may see has this code."))
    return dossier


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "127.0.0.1"


@require_http_methods(["GET", "POST"])
def pay(request, code):
    """Pick a method and go to the gateway."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('oidc-login')}?next={request.get_full_path()}")
    dossier = _dossier(request, code)
    if not payments.may_pay(request.user, dossier):
        raise PageNotFound(_("No dossier you may see has this code."))
    errors: list[str] = []
    refused = 400
    if request.method == "POST":
        method = request.POST.get("method", "")
        try:
            payment = payments.start_online(dossier, actor=request.user, method=method)
        except (ValidationError, PermissionDenied) as exc:
            errors = error_messages(exc)
        else:
            gateway = GATEWAYS[payment.method]()
            return_url = request.build_absolute_uri(reverse("payments:return", args=[method]))
            try:
                url = gateway.payment_url(
                    payment,
                    return_url=return_url,
                    client_ip=_client_ip(request),
                    now=timezone.now(),
                )
            except GatewayError:
                # The pending payment stays; reconciliation closes it when the gateway never
                # heard of it.
                logger.warning("Payment gateway %s unavailable", payment.method, exc_info=True)
                errors = [_("The payment gateway cannot be reached now. Try again later.")]
                refused = 503
            else:
                return redirect(url)
    due = fees.outstanding(dossier)
    can_pay = dossier.status == Status.FEES_DUE and due > 0
    return render(
        request,
        "payments/pay.html",
        {
            "dossier": dossier,
            "items": dossier.fee_items.all(),
            "due": due,
            "can_pay": can_pay,
            # A bank transfer to the collecting account, recorded at the desk once it arrives.
            "vietqr": vietqr.for_fee_notice(dossier, due) if can_pay else None,
            "methods": [(m, Method(m).label) for m in ONLINE_METHODS],
            "errors": errors,
        },
        status=refused if errors else 200,
    )


@require_GET
def gateway_return(request, gateway):
    """Where the gateway sends the browser back. Shows; never changes anything."""
    if gateway not in GATEWAYS:
        raise PageNotFound(_("This payment gateway is not used here."))
    try:
        callback = GATEWAYS[gateway]().verify_callback(request.GET)
    except BadSignature:
        return render(request, "payments/return_refused.html", status=400)
    return redirect("payments:status", callback.reference)


def _payment(request, reference: str) -> Payment:
    payment = Payment.objects.select_related("dossier").filter(reference=reference).first()
    if payment is None or not policy.can(request.user, scopes.READ, payment):
        raise PageNotFound(_("No payment you may see has this reference."))
    return payment


@require_GET
def status(request, reference):
    """The payment as the platform knows it: "processing" until the gateway's callback."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('oidc-login')}?next={request.get_full_path()}")
    payment = _payment(request, reference)
    response = render(
        request,
        "payments/status.html",
        {"payment": payment, "dossier": payment.dossier, "receipts": payment.receipts.all()},
    )
    if payment.status == "pending":
        # Look again in 3 s until the callback has come (works without JavaScript).
        response["Refresh"] = "3"
    return response


# Our answer codes for each outcome (the same numbers on both protocols).
ANSWERS = VNPAY_ANSWERS


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ipn(request, gateway):
    """A gateway's server-to-server confirmation: VNPay's IPN (GET, query string) or the national
    platform's callback (POST, JSON). Always a 200 with the protocol's answer, never a 500."""
    if gateway == "vnpay" and request.method == "GET":
        params = request.GET
    elif gateway == "dvcqg" and request.method == "POST":
        try:
            params = json.loads(request.body or b"{}")
        except ValueError:
            params = None
        if not isinstance(params, dict):
            params = {}
    else:
        raise Http404("No such gateway.")
    adapter = GATEWAYS[gateway]()
    try:
        code = ANSWERS[payments.settle_callback(adapter, params)]
    except Exception:  # noqa: BLE001 - the gateway gets 99 and tries again; never a 500
        logger.exception("Payment callback failed (%s)", gateway)
        code = vnpay.OTHER
    if gateway == "vnpay":
        return JsonResponse(vnpay.VNPay.ipn_answer(code))
    return JsonResponse(adapter.callback_answer(code, params))


@official_required
@require_http_methods(["GET", "POST"])
def desk(request, code):
    """The dossier's fees for its agency: the processor asks for payment (4 → 6, the fee items'
    amount), the desk records a payment in cash or by transfer with its receipt number."""
    dossier = _dossier(request, code)
    if not policy.can(request.user, scopes.READ, dossier):
        raise PermissionDenied(_("This dossier belongs to another agency."))
    can_collect = policy.can(request.user, scopes.COLLECT, dossier)
    can_ask = dossier.status == Status.PROCESSING and may(request.user, "require_fees", dossier)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("act") == "ask":
                fees.ask_for_payment(dossier, actor=request.user, note=request.POST.get("note", ""))
            elif can_collect:
                payments.record_at_desk(
                    dossier,
                    actor=request.user,
                    method=request.POST.get("method", ""),
                    receipt_number=request.POST.get("receipt_number", ""),
                    note=request.POST.get("note", ""),
                )
            else:
                raise PermissionDenied(_("You may not do this to this dossier."))
        except (ValidationError, PermissionDenied, DossierError) as exc:
            errors = error_messages(exc)
        else:
            return redirect("payments:desk", dossier.code)
    return render(
        request,
        "payments/desk.html",
        {
            "dossier": dossier,
            "items": dossier.fee_items.all(),
            "due": fees.outstanding(dossier),
            "payments": dossier.payments.all(),
            "receipts": dossier.payment_receipts.all(),
            "refund_receipts": refunds.done(dossier),
            "methods": [(m, Method(m).label) for m in DESK_METHODS],
            "can_collect": can_collect,
            "can_ask": can_ask,
            # A leader may refund a payment made online (the refund page says how much).
            "can_refund": policy.can(request.user, scopes.REFUND, dossier),
            # A dossier that ended without its result after it was paid: offer the refund.
            "refund_offers": refunds.offered(dossier),
            "online_methods": ONLINE_METHODS,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@require_GET
def receipt_pdf(request, pk):
    receipt = PaymentReceipt.objects.select_related("dossier").filter(pk=pk).first()
    if receipt is None or not policy.can(request.user, scopes.READ, receipt):
        raise PageNotFound(_("No receipt you may see has this number."))
    if not receipt.pdf and receipts.ensure_pdf(receipt.pk):  # the worker has not drawn it yet
        receipt.refresh_from_db(fields=["pdf"])
    response = HttpResponse(bytes(receipt.pdf), content_type="application/pdf")
    name = f"bien-lai-{receipt.serial.replace('/', '-')}-{receipt.number:07d}.pdf"
    response["Content-Disposition"] = content_disposition(name)
    return response


@require_GET
def refund_receipt_pdf(request, pk):
    """A done refund's own receipt (the applicant's and the agency's, as payment receipts)."""
    refund = Refund.objects.select_related("payment__dossier").filter(pk=pk).first()
    if refund is None or refund.number is None or not policy.can(request.user, scopes.READ, refund):
        raise PageNotFound(_("No refund receipt you may see has this number."))
    if not refund.pdf and refund_receipts.ensure_pdf(refund.pk):  # not drawn by the worker yet
        refund.refresh_from_db(fields=["pdf"])
    response = HttpResponse(bytes(refund.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(refund_receipts.file_name(refund))
    return response


@official_required
@require_http_methods(["GET", "POST"])
def refund(request, reference):
    """A leader approves a refund of a payment made online (sent to the gateway afterwards)."""
    payment = Payment.objects.select_related("dossier__organisation").filter(reference=reference)
    payment = payment.first()
    if payment is None or not policy.can(request.user, scopes.READ, payment):
        raise PageNotFound(_("No payment you may see has this reference."))
    if not policy.can(request.user, scopes.REFUND, payment.dossier):
        raise PermissionDenied(_("Only a leader of the dossier's agency may refund its payments."))
    errors: list[str] = []
    if request.method == "POST":
        try:
            refunds.request_refund(
                payment,
                actor=request.user,
                amount_vnd=request.POST.get("amount_vnd"),
                reason=request.POST.get("reason", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            errors = error_messages(exc)
        else:
            return redirect("payments:refund", payment.reference)
    return render(
        request,
        "payments/refund.html",
        {
            "payment": payment,
            "refundable": refunds.refundable(payment),
            "refunds": payment.refunds.all(),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@official_required
@require_http_methods(["GET", "POST"])
def statement_check(request):
    """The statement check: an official uploads the gateway's statement of a day and sees the
    mismatches, or downloads them as .xlsx. Nothing is stored but the audit row of each run."""
    if not policy.can(request.user, scopes.READ):
        raise PermissionDenied(_("You may not check the payment statements."))
    errors: list[str] = []
    check = None
    day = timezone.localdate() - dt.timedelta(days=1)
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            errors.append(_("Enter the statement's date."))
        upload = request.FILES.get("statement")
        if upload is None:
            errors.append(_("Choose the statement file (CSV)."))
        if not errors:
            data = upload.read(statement.MAX_BYTES + 1)
            try:
                check = statement.check_statement(
                    data, day=day, actor=request.user, filename=upload.name or ""
                )
            except ValidationError as exc:
                errors = error_messages(exc)
        if check is not None and request.POST.get("format") == "xlsx":
            response = HttpResponse(
                statement_xlsx(check),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = content_disposition(f"doi-soat-{day:%Y%m%d}.xlsx")
            return response
    return render(
        request,
        "payments/statement.html",
        {"check": check, "day": day, "errors": errors},
        status=400 if errors else 200,
    )
