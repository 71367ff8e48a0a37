"""The pages' forms: assigning a task (the Government Office) and the acts' forms (the act table
says which fields each act has). Organisations and officials are chosen by name."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import Official
from egov.assignments.models import DeadlineKind, Origin, SourceType
from egov.core.models import Organisation
from egov.exchange.models import Delivery, OfficialDocument


def leads_queryset():
    """Ministries, central bodies and provinces in force today: those tasks are assigned to."""
    today = dt.date.today()
    return Organisation.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today), level__in=("central", "province")
    ).order_by("level", "name")


class NamedOrganisation(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class NamedOrganisations(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class NamedOfficial(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name_and_title} ({obj.organisation.name})"


class NamedDocument(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.notation} ({obj.promulgation_date:%d/%m/%Y}): {obj.subject[:80]}"


class NamedDelivery(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        pkg = obj.package
        return (
            f"{pkg.number}/{pkg.notation} ({pkg.promulgation_date:%d/%m/%Y}, "
            f"{pkg.sender.name}): {pkg.subject[:80]}"
        )


class AssignmentForm(forms.Form):
    delivery = NamedDelivery(
        label=_("Incoming document received through the exchange"),
        queryset=Delivery.objects.none(),
        required=False,
        help_text=_(
            "The tasks it assigns: its number and symbol, date, type and signer are read from "
            "the received package."
        ),
    )
    exchange_document = NamedDocument(
        label=_("Source document from the exchange"),
        queryset=OfficialDocument.objects.none(),
        required=False,
        help_text=_("Or type the document's details below (a paper document)."),
    )
    source_number = forms.CharField(label=_("Number and symbol"), max_length=100, required=False)
    source_date = forms.DateField(
        label=_("Document date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    source_type = forms.ChoiceField(
        label=_("Document type"), choices=SourceType.choices, required=False
    )
    source_signer = forms.CharField(label=_("Signer"), max_length=255, required=False)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}))
    is_key = forms.BooleanField(label=_("Key task"), required=False)
    lead = NamedOrganisation(label=_("Lead organisation"), queryset=Organisation.objects.none())
    coordinators = NamedOrganisations(
        label=_("Coordinating organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    responsible = NamedOfficial(
        label=_("Person responsible at the lead"),
        queryset=Official.objects.none(),
        required=False,
    )
    deadline_kind = forms.ChoiceField(
        label=_("Kind of deadline"), choices=DeadlineKind.choices, initial=DeadlineKind.DATE
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a monthly or quarterly task: the first period's deadline."),
    )
    origin = forms.ChoiceField(label=_("Origin"), choices=Origin.choices, initial=Origin.MANUAL)

    def __init__(self, *args, office=None, deliveries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if deliveries is not None:
            self.fields["delivery"].queryset = deliveries
        orgs = leads_queryset()
        self.fields["lead"].queryset = orgs
        self.fields["coordinators"].queryset = orgs
        self.fields["responsible"].queryset = (
            Official.objects.filter(organisation__in=orgs)
            .select_related("user", "organisation")
            .order_by("organisation__name", "user__last_name", "user__first_name")
        )
        if office is not None:
            self.fields["exchange_document"].queryset = OfficialDocument.objects.filter(
                organisation=office
            ).order_by("-promulgation_date", "-pk")[:100]


class ActForm(forms.Form):
    """The fields an act's page form may have (Act.fields)."""

    text = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 4}))
    result_number = forms.CharField(label=_("Result document: number and symbol"), max_length=100)
    result_date = forms.DateField(
        label=_("Result document: date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    document_number = forms.CharField(
        label=_("Attached document: number and symbol"), max_length=100, required=False
    )
    document_date = forms.DateField(
        label=_("Attached document: date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    new_deadline = forms.DateField(
        label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.CharField(
        label=_("Decision withdrawing it (number and symbol)"), max_length=100
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    FIELDS = {
        "text": ("text",),
        "result": ("result_number", "result_date"),
        "documents": ("document_number", "document_date"),
        "new_deadline": ("new_deadline",),
        "reason": ("reason",),
        "decision": ("decision",),
        "note": ("note",),
    }

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        keep = {f for name in fields for f in self.FIELDS[name]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
