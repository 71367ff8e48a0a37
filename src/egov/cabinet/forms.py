"""The secretariat's form to issue a ballot (names, not codes: members are ticked by name)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.cabinet.models import Member
from egov.core.numbers import CountField

CLASSIFICATIONS = (
    ("normal", _("Not classified")),
    ("secret", _("Secret (Mật)")),
    ("top_secret", _("Top secret (Tối mật)")),
    ("absolute_secret", _("Absolutely secret (Tuyệt mật)")),
)


class MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member):
        return f"{member.official.name}, {member.title}"


class IssueForm(forms.Form):
    title = forms.CharField(label=_("Subject"), max_length=500)
    questions = forms.CharField(
        label=_("Questions, one per line"), widget=forms.Textarea(attrs={"rows": 4})
    )
    # Not forms.IntegerField: it read "1.000" as 1. A count of days takes digits only.
    working_days = CountField(label=_("Working days to answer"), initial=3)
    members = MemberChoice(
        label=_("Members asked (none ticked: every member)"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allow_assistants = forms.BooleanField(
        label=_("Assistants may cast answers for their member"), required=False
    )
    document_title = forms.CharField(label=_("Document title"), required=False, max_length=500)
    document = forms.FileField(label=_("Document (PDF)"), required=False)
    classification = forms.ChoiceField(
        label=_("Classification"), choices=CLASSIFICATIONS, initial="normal"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Member.objects.at(timezone.localdate()).select_related(
            "official__user"
        )
