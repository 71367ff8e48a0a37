"""Reform plans (phương án cắt giảm, đơn giản hóa quy định kinh doanh): public to read, each
ministry's plan of a year with its cost before and after and the saving, summed, against the
30/9 deadline; the ministry's officials with ``consultation.manage`` start a plan, add and
remove its regulations and submit it (the services check and audit every change)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.consultation import costs as figures
from egov.consultation import scopes, services
from egov.consultation.models import ReformAction, ReformItem, ReformPlan, Regulation
from egov.consultation.services.reform import deadline
from egov.consultation.services.regulations import COST_FIELDS
from egov.core.error_pages import PageNotFound
from egov.core.models import Organisation
from egov.core.web import error_messages


class NewPlanForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Ministry or province"), queryset=Organisation.objects.none()
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        min_value=2000,
        max_value=2100,
        # One message of the app's for every slip, as the list's ?year= says it.
        error_messages={
            k: gettext_lazy("Give a year between 2000 and 2100.")
            for k in ("invalid", "min_value", "max_value")
        },
    )
    title = forms.CharField(label=pgettext_lazy("consultation page", "Title"), max_length=500)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label_from_instance = lambda o: o.name


class ItemForm(forms.Form):
    regulation = forms.ModelChoiceField(
        label=pgettext_lazy("consultation page", "Regulation"), queryset=Regulation.objects.none()
    )
    action = forms.ChoiceField(label=gettext_lazy("Reform"), choices=ReformAction.choices)
    # Text, read as on the cost page ("221.000", "0,5"): Django's IntegerField would take
    # "221.000" for 221 đồng. The service refuses a bad figure with its own message.
    subjects = forms.CharField(label=gettext_lazy("Subjects affected (after)"), required=False)
    frequency = forms.CharField(label=gettext_lazy("Times per year (after)"), required=False)
    days = forms.CharField(label=gettext_lazy("Working days per time (after)"), required=False)
    day_value = forms.CharField(
        label=gettext_lazy("Value of a working day, VND (after)"), required=False
    )
    fees = forms.CharField(label=gettext_lazy("Fees per time, VND (after)"), required=False)
    other_costs = forms.CharField(
        label=gettext_lazy("Other costs per time, VND (after)"), required=False
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        for name in COST_FIELDS:
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "spellcheck": "false"})
            self.fields[name].max_length = 40
        planned = plan.items.values("regulation_id")
        self.fields["regulation"].queryset = (
            Regulation.objects.filter(organisation_id=plan.organisation_id)
            .exclude(pk__in=planned)
            .select_related("document")
        )
        self.fields["regulation"].label_from_instance = lambda r: (
            f"{r.place()} {r.document.number}: {r.content[:80]}"
        )

    def costs(self) -> dict:
        return {n: figures.read(n, self.cleaned_data.get(n)) for n in COST_FIELDS}


def _plans():
    items = ReformItem.objects.select_related("regulation__document").order_by("pk")
    return ReformPlan.objects.select_related("organisation").prefetch_related(
        Prefetch("items", items)
    )


def _year(request) -> int:
    raw = request.GET.get("year", "")
    if not raw:
        return timezone.localdate().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise ValidationError(_("Give a year between 2000 and 2100."))
    return int(raw)


def _managed(request):
    if not getattr(request.user, "is_authenticated", False):
        return Organisation.objects.none()
    return policy.scope_queryset(request, scopes.MANAGE, Organisation.objects.all()).order_by(
        "name"
    )


@require_http_methods(["GET", "POST"])
def plans(request):
    """Every ministry's plan of the year, with its sums and the grand total (public); a new
    plan from an official who manages one."""
    errors, status = [], 200
    try:
        year = _year(request)
    except ValidationError as exc:
        year, errors, status = timezone.localdate().year, error_messages(exc), 400
    organisations = _managed(request)
    form = NewPlanForm(request.POST or None, organisations=organisations, initial={"year": year})
    if request.method == "POST":
        if not organisations.exists():
            raise PermissionDenied(_("Only officials who manage regulations may start a plan."))
        try:
            if not form.is_valid():
                raise ValidationError(form.errors)
            v = form.cleaned_data
            plan = services.create_plan(
                request, v["organisation"], year=v["year"], title=v["title"]
            )
        except PermissionDenied as exc:
            errors, status = [str(exc)], 403
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
        else:
            messages.success(request, _("The plan is started: add its regulations."))
            return redirect("consultation:reform-plan", plan.pk)
    rows = [
        services.totals(plan)
        for plan in _plans().filter(year=year).order_by("organisation__name", "pk")
    ]
    return render(
        request,
        "consultation/reform/plans.html",
        {
            "year": year,
            "rows": rows,
            "deadline": deadline(year),
            "total_before": sum(r.cost_before for r in rows),
            "total_after": sum(r.cost_after for r in rows),
            "total_saving": sum(r.saving for r in rows),
            "total_regulations": sum(r.regulations for r in rows),
            "form": form if organisations.exists() else None,
            "errors": errors,
        },
        status=status,
    )


def _plan(pk) -> ReformPlan:
    plan = _plans().filter(pk=pk).first()
    if plan is None:
        raise PageNotFound(_("No reform plan has this number."))
    return plan


def _plan_page(request, plan, *, errors=(), form=None, status=200):
    may_manage = (
        getattr(request.user, "is_authenticated", False)
        and plan.submitted_at is None
        and policy.can(request, scopes.MANAGE, plan)
    )
    return render(
        request,
        "consultation/reform/plan.html",
        {
            "plan": plan,
            "totals": services.totals(plan),
            "form": (form or ItemForm(plan=plan)) if may_manage else None,
            "may_manage": may_manage,
            "errors": errors,
        },
        status=status,
    )


@require_GET
def plan_page(request, pk):
    return _plan_page(request, _plan(pk))


def _managed_plan(request, pk) -> ReformPlan:
    plan = _plan(pk)
    if not policy.can(request, scopes.MANAGE, plan):
        raise PermissionDenied(_("Only the plan's ministry may change it."))
    return plan


@official_required
@require_POST
def add_item(request, pk):
    plan = _managed_plan(request, pk)
    form = ItemForm(request.POST, plan=plan)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.add_item(
            request,
            plan,
            form.cleaned_data["regulation"],
            action=form.cleaned_data["action"],
            costs_after=form.costs(),
        )
    except PermissionDenied as exc:
        return _plan_page(request, plan, errors=[str(exc)], form=form, status=403)
    except ValidationError as exc:
        status = 409 if getattr(exc, "code", "") == "submitted" else 400
        # The service's refusal of a figure is shown on its field too, as on the cost page.
        for name, found in getattr(exc, "message_dict", {}).items():
            if name in COST_FIELDS and name not in form.errors:
                form.add_error(name, found)
        return _plan_page(request, plan, errors=error_messages(exc), form=form, status=status)
    messages.success(request, _("The regulation is added to the plan."))
    return redirect("consultation:reform-plan", plan.pk)


@official_required
@require_POST
def remove_item(request, pk, item):
    plan = _managed_plan(request, pk)
    row = next((i for i in plan.items.all() if i.pk == item), None)
    if row is None:
        raise PageNotFound(_("The regulation is not in the plan."))
    try:
        services.remove_item(request, row)
    except ValidationError as exc:
        return _plan_page(request, _plan(pk), errors=error_messages(exc), status=409)
    messages.success(request, _("The regulation is taken off the plan."))
    return redirect("consultation:reform-plan", plan.pk)


@official_required
@require_POST
def submit(request, pk):
    plan = _managed_plan(request, pk)
    try:
        services.submit_plan(request, plan)
    except ValidationError as exc:
        status = 409 if getattr(exc, "code", "") == "submitted" else 400
        return _plan_page(request, plan, errors=error_messages(exc), status=status)
    messages.success(request, _("The plan is submitted."))
    return redirect("consultation:reform-plan", plan.pk)
