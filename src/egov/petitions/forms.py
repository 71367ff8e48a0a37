"""The petition form and the act forms. Procedures, dossiers and organisations are picked by
name (search, then choose): nobody types a code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.catalog.models import Procedure
from egov.catalog.search import search as search_procedures
from egov.core.models import Organisation
from egov.dossiers.models import Dossier
from egov.exchange.picker import matches as organisations_named
from egov.petitions.models import Category

MAX_MATCHES = 10


class PetitionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    content = forms.CharField(
        label=_("Content"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, where and when; what you propose."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    procedure_q = forms.CharField(label=_("Procedure concerned (optional)"), required=False)
    procedure = forms.CharField(required=False)
    dossier = forms.CharField(required=False)
    organisation_q = forms.CharField(label=_("Organisation concerned (optional)"), required=False)
    organisation = forms.CharField(required=False)
    publish_name = forms.BooleanField(
        label=_("I agree that my name is shown when the answer is published"), required=False
    )

    def __init__(self, *args, citizen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.citizen = citizen

    def own_dossiers(self):
        if self.citizen is None:
            return []
        return list(
            Dossier.objects.filter(applicant_citizen=self.citizen)
            .select_related("procedure_version")
            .order_by("-submitted_at", "-pk")[:20]
        )

    def procedure_matches(self):
        query = (self.data.get("procedure_q") or "").strip()[:100]
        if not query:
            return []
        return list(search_procedures(query)[:MAX_MATCHES])

    def organisation_matches(self):
        return organisations_named((self.data.get("organisation_q") or "").strip()[:100])

    def clean_procedure(self):
        code = (self.cleaned_data.get("procedure") or "").strip()
        if not code:
            return None
        found = Procedure.objects.filter(code=code).first()
        if found is None:
            raise forms.ValidationError(_("Choose a procedure from the search results."))
        return found

    def clean_dossier(self):
        code = (self.cleaned_data.get("dossier") or "").strip()
        if not code:
            return None
        found = Dossier.objects.filter(code=code, applicant_citizen=self.citizen).first()
        if found is None:
            raise forms.ValidationError(_("Choose one of your own dossiers."))
        return found

    def clean_organisation(self):
        code = (self.cleaned_data.get("organisation") or "").strip()
        if not code:
            return None
        found = Organisation.objects.filter(code=code).order_by("-pk").first()
        if found is None:
            raise forms.ValidationError(_("Choose an organisation from the search results."))
        return found


class ActForm(forms.Form):
    """The fields an act's page form may have (the act table says which: Act.fields)."""

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 10}))
    to_organisation = forms.CharField(label=_("Organisation"))
    into = forms.CharField(label=_("Similar petition answered for both"))

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]

    def clean_to_organisation(self):
        code = (self.cleaned_data.get("to_organisation") or "").strip()
        found = Organisation.objects.filter(code=code).order_by("-pk").first()
        if found is None:
            raise forms.ValidationError(_("Choose an organisation from the search results."))
        return found

    def clean_into(self):
        from egov.petitions.models import Petition

        code = (self.cleaned_data.get("into") or "").strip()
        found = Petition.objects.filter(code=code).first()
        if found is None:
            raise forms.ValidationError(_("Choose a petition from the list."))
        return found
