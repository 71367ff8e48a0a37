from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.models import Organisation
from egov.core.services.organisations import resolve
from egov.exchange.models import DocumentType, Priority, StatusCode


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Number, subject or sender"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RegisterForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Issuing organisation"), queryset=None)
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    subject = forms.CharField(label=_("Subject"), widget=forms.Textarea(attrs={"rows": 3}))
    signer_name = forms.CharField(
        label=_("Signer"),
        max_length=255,
        required=False,
        help_text=_("When you sign the PDF yourself, your name is used if this is empty."),
    )
    signer_position = forms.CharField(label=_("Position"), max_length=255, required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=0
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Organisation codes from the picker's checkboxes (egov.exchange.picker): chosen by name.
    recipients = forms.Field(label=_("Recipients"), widget=forms.MultipleHiddenInput)
    pdf = forms.FileField(
        label=_("PDF of the document"),
        help_text=_("Signed by the organisation, or to be signed with your certificate below."),
    )
    sign = forms.BooleanField(
        label=_("Sign the PDF with my personal certificate before registering"), required=False
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        # A clerk who sends for one organisation only finds it chosen, not "---------".
        only = list(organisations[:2])
        if len(only) == 1 and not self.initial.get("organisation"):
            self.initial["organisation"] = only[0].pk

    def clean(self):
        data = super().clean()
        if not data.get("sign") and not (data.get("signer_name") or "").strip():
            self.add_error("signer_name", _("This field is required."))
        return data

    def clean_recipients(self) -> list[Organisation]:
        values = self.cleaned_data["recipients"] or []
        if isinstance(values, str):
            values = [values]
        codes = [c for value in values for c in str(value).replace(",", " ").split() if c]
        found = []
        for code in codes:
            org = resolve(code)
            if org is None:
                raise forms.ValidationError(
                    _("No organisation has the code %(code)s.") % {"code": code}
                )
            found.append(org)
        if not found:
            raise forms.ValidationError(_("Choose at least one recipient."))
        return found


class AnswerForm(forms.Form):
    code = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (c.value, f"{c.value} {c.label}")
            for c in StatusCode
            if c.value in {"02", "03", "04", "05", "06", "15", "16"}
        ],
    )
    description = forms.CharField(label=_("Note or reason"), required=False)


class RecallForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the recall"))
