"""The compliance costs of the regulations a ministry manages: its officials with
``consultation.manage`` list them (searched without diacritics) and change a regulation's cost
fields, the cost computed beside them. The service checks the figures (each field named in
Vietnamese, nothing saved on a bad one) and audits the change."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.consultation import costs as figures
from egov.consultation import scopes, services
from egov.consultation.models import Regulation
from egov.consultation.services.regulations import COST_FIELDS, update_costs
from egov.core.error_pages import PageNotFound
from egov.core.web import error_messages

PAGE_SIZE = 50


class CostForm(forms.Form):
    """Text fields: the service reads the numbers, so that every slip gets its own message."""

    subjects = forms.CharField(label=gettext_lazy("Subjects affected"), required=False)
    frequency = forms.CharField(label=gettext_lazy("Times per year"), required=False)
    days = forms.CharField(label=gettext_lazy("Working days per time"), required=False)
    day_value = forms.CharField(label=gettext_lazy("Value of a working day (VND)"), required=False)
    fees = forms.CharField(label=gettext_lazy("Fees per time (VND)"), required=False)
    other_costs = forms.CharField(label=gettext_lazy("Other costs per time (VND)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in COST_FIELDS:
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "spellcheck": "false"})
            self.fields[name].max_length = 40

    def values(self) -> dict:
        """The figures typed, with Vietnamese grouping and decimal commas read."""
        return {name: figures.read(name, self.cleaned_data.get(name)) for name in COST_FIELDS}


def _managed(request):
    return policy.scope_queryset(request, scopes.MANAGE, Regulation.objects.all())


@official_required
@require_GET
def regulations(request):
    """The regulations of the official's ministry with their cost; ``q`` without diacritics."""
    query = request.GET.get("q", "").strip()[:200]
    found = services.search(query).filter(pk__in=_managed(request).values("pk"))
    page = Paginator(
        found.select_related("document", "organisation").order_by("document__number", "pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request, "consultation/officials/regulations.html", {"page": page, "query": query}
    )


def _regulation(request, pk) -> Regulation:
    regulation = Regulation.objects.filter(pk=pk).select_related("document", "organisation").first()
    if regulation is None:
        raise PageNotFound(_("No regulation has this number."))
    if not policy.can(request, scopes.MANAGE, regulation):
        raise PermissionDenied(_("Only the regulation's ministry may change its costs."))
    return regulation


@official_required
@require_http_methods(["GET", "POST"])
def costs(request, pk):
    regulation = _regulation(request, pk)
    errors, status = [], 200
    if request.method == "POST":
        form = CostForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors)
            update_costs(request, regulation, form.values())
        except PermissionDenied as exc:
            errors, status = [str(exc)], 403
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
            for name, found in getattr(exc, "message_dict", {}).items():
                if name in form.fields and name not in form.errors:
                    form.add_error(name, found)
        else:
            messages.success(request, _("The compliance cost is saved."))
            return redirect("consultation:regulation-costs", regulation.pk)
    else:
        form = CostForm(initial={n: figures.shown(n, getattr(regulation, n)) for n in COST_FIELDS})
    return render(
        request,
        "consultation/officials/regulation_costs.html",
        {"regulation": regulation, "form": form, "errors": errors},
        status=status,
    )
