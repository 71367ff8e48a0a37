"""The drafting agency's drafts: a new draft typed or from a Word file (.docx), a new
version, the comparison of two versions clause by clause, and a consultation opened on a
draft. Views only check the form's types and call the services (which check the scope and
write, audited, in one transaction); a refusal is the page again with the reason (4xx)."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.consultation import official_selectors as selectors
from egov.consultation import scopes, services
from egov.consultation.errors import ConsultationError
from egov.consultation.models import (
    DocType,
    Draft,
    LegalDocument,
    Phase,
    Regulation,
    RegulationStatus,
)
from egov.consultation.services import docx_import
from egov.consultation.services.drafts import version_of
from egov.core.error_pages import PageNotFound
from egov.core.models import Organisation
from egov.core.web import error_messages

PAGE_SIZE = 50
REPEAL_RESULTS = 20  # regulations found per search on the new-draft page
REPEAL_MULTI = ("repeals", "repealed_documents")


class TextOrDocx(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text of the draft"), required=False, widget=forms.Textarea
    )
    docx = forms.FileField(label=gettext_lazy("Or a Word file (.docx)"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def text_and_source(self) -> tuple[str, str]:
        """The draft's text, read from the Word file when one is sent (checked by content)."""
        upload = self.cleaned_data.get("docx")
        if upload is not None:
            if upload.size > docx_import.MAX_BYTES:
                raise ConsultationError(
                    {
                        "docx": [
                            _("The .docx file is larger than %(n)d MB.")
                            % {"n": docx_import.MAX_BYTES // (1024 * 1024)}
                        ]
                    },
                    code="too_big",
                )
            return docx_import.text_of(upload.read()), "docx"
        text = self.cleaned_data.get("text", "")
        if not text.strip():
            raise ConsultationError(
                {"text": [_("Type the draft's text or send it as a Word file (.docx).")]},
                code="required",
            )
        return text, "text"


class Checkboxes(forms.CheckboxSelectMultiple):
    def __init__(self):
        super().__init__(attrs={"class": "govuk-checkboxes__input"})


def _ids(source, name: str) -> list[int]:
    values = source.getlist(name) if hasattr(source, "getlist") else source.get(name) or []
    return [int(v) for v in values if str(v).isdigit()][:200]


class NewDraftForm(TextOrDocx):
    """A new draft and what it repeals (one in, one out). Without JavaScript: the "Find" button
    posts the form back with the regulations matching ``repeal_q`` (the catalogue's search
    words, diacritics or not) offered as checkboxes beside those already ticked."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Drafting agency"), queryset=Organisation.objects.none()
    )
    title = forms.CharField(label=pgettext_lazy("consultation page", "Title"), max_length=500)
    doc_type = forms.ChoiceField(label=gettext_lazy("Document type"), choices=DocType.choices)
    repeal_q = forms.CharField(
        label=gettext_lazy("Find the regulations it repeals"),
        help_text=gettext_lazy(
            "Words of the regulation or its document's number, with or without diacritics."
        ),
        required=False,
        max_length=200,
    )
    repeals = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Regulations it repeals"),
        queryset=Regulation.objects.none(),
        required=False,
        widget=Checkboxes(),
    )
    repealed_documents = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Whole documents it repeals"),
        queryset=LegalDocument.objects.none(),
        required=False,
        widget=Checkboxes(),
    )
    field_order = ["organisation", "title", "doc_type", "text", "docx", "note"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label_from_instance = lambda o: o.name
        source = self.data if self.is_bound else self.initial
        self.query = (source.get("repeal_q") or "").strip()[:200]
        found = []
        if self.query:
            found = list(
                services.search(self.query)
                .exclude(status=RegulationStatus.CUT)
                .values_list("pk", "document_id")[:REPEAL_RESULTS]
            )
        self.found = len(found)
        # Offered: what the search found and what was ticked before (kept across searches).
        self.fields["repeals"].queryset = (
            Regulation.objects.filter(pk__in=[*_ids(source, "repeals"), *(r for r, _d in found)])
            .select_related("document")
            .order_by("document__number", "pk")
        )
        self.fields["repeals"].label_from_instance = lambda r: (
            f"{r.place()} {r.document.number}: {r.content[:120]}"
        )
        documents = [*_ids(source, "repealed_documents"), *(d for _r, d in found)]
        self.fields["repealed_documents"].queryset = LegalDocument.objects.filter(
            pk__in=documents
        ).order_by("number")
        self.fields["repealed_documents"].label_from_instance = lambda d: (
            f"{d.number}: {d.title[:120]}"
        )

    @staticmethod
    def initial_from(data) -> dict:
        """The values posted, as the initial values of a form shown again after a search."""
        return {k: data.getlist(k) if k in REPEAL_MULTI else data.get(k) for k in data}


class NewConsultationForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title of the consultation"), max_length=500)
    starts_on = forms.DateField(
        label=gettext_lazy("Comments from (dd/mm/yyyy)"), input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Comments until (dd/mm/yyyy)"), input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    allow_late = forms.BooleanField(label=gettext_lazy("Take late comments"), required=False)

    def window(self) -> dict:
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.cleaned_data["starts_on"], time.min, zone)
        end = datetime.combine(self.cleaned_data["ends_on"], time.max, zone)
        return {Phase.COMMENTS: (start, end)}


def _managed(request):
    return policy.scope_queryset(request, scopes.MANAGE, Organisation.objects.all()).order_by(
        "name"
    )


@official_required
@require_http_methods(["GET", "POST"])
def drafts(request):
    """The drafts the official reads, and a new draft (typed or from a .docx)."""
    organisations = _managed(request)
    form = NewDraftForm(request.POST or None, request.FILES or None, organisations=organisations)
    errors, status = [], 200
    if request.method == "POST" and not organisations.exists():
        raise PermissionDenied(_("Only officials who draft may write a draft."))
    if request.POST.get("action") == "find":
        # A search for the regulations repealed, not the draft: shown again, nothing checked.
        form = NewDraftForm(
            initial=NewDraftForm.initial_from(request.POST), organisations=organisations
        )
    elif request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(form.errors)
            text, source = form.text_and_source()
            v = form.cleaned_data
            draft = services.create_draft(
                request,
                v["organisation"],
                title=v["title"],
                doc_type=v["doc_type"],
                text=text,
                repeals=list(v["repeals"]),
                repealed_documents=list(v["repealed_documents"]),
                note=v["note"],
                source=source,
            )
        except PermissionDenied as exc:
            errors, status = [str(exc)], 403
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
        else:
            messages.success(request, _("The draft is written: version 1."))
            return redirect("consultation:draft", draft.code)
    page = Paginator(selectors.drafts(request), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "consultation/officials/drafts.html",
        {"page": page, "form": form if organisations.exists() else None, "errors": errors},
        status=status,
    )


def _draft(request, code) -> Draft:
    draft = Draft.objects.filter(code=code).select_related("organisation").first()
    if draft is None or not policy.can(request, scopes.READ, draft):
        raise PageNotFound(_("No draft of your organisation has this code."))
    return draft


def _draft_page(
    request, draft, *, errors=(), version_form=None, consultation_form=None, status=200
):
    versions = list(draft.versions.select_related("created_by").order_by("number"))
    numbers = [v.number for v in versions]
    old = request.GET.get("old") or (numbers[-2] if len(numbers) > 1 else numbers[0])
    new = request.GET.get("new") or numbers[-1]
    try:
        rows = services.compare(draft, old, new)
        old, new = int(old), int(new)
    except ValidationError as exc:
        rows, errors, status = [], [*errors, *error_messages(exc)], 400
    # Removed units are named as they were in the older version; the others as they are now.
    names = {}
    for number in (old, new) if rows else ():
        names.update(selectors.path_labels(list(version_of(draft, number).units.all())))
    for row in rows:
        row["name"] = names.get(row["anchor"], row["label"])
    may_manage = policy.can(request, scopes.MANAGE, draft)
    return render(
        request,
        "consultation/officials/draft.html",
        {
            "draft": draft,
            "versions": versions,
            "old": old,
            "new": new,
            "rows": rows if len(numbers) > 1 else [],
            "changed": [r for r in rows if r["change"] != "unchanged"],
            "consultations": list(draft.consultations.order_by("-created_at")),
            "repeals": list(
                draft.repeals.select_related("document").order_by("document__number", "pk")
            ),
            "version_form": (version_form or TextOrDocx()) if may_manage else None,
            "consultation_form": (consultation_form or NewConsultationForm())
            if may_manage
            else None,
            "errors": errors,
        },
        status=status,
    )


@official_required
@require_GET
def draft_page(request, code):
    return _draft_page(request, _draft(request, code))


@official_required
@require_POST
def add_version(request, code):
    draft = _draft(request, code)
    form = TextOrDocx(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        text, source = form.text_and_source()
        version = services.add_version(
            request, draft, text=text, note=form.cleaned_data["note"], source=source
        )
    except PermissionDenied as exc:
        return _draft_page(request, draft, errors=[str(exc)], version_form=form, status=403)
    except ValidationError as exc:
        return _draft_page(
            request, draft, errors=error_messages(exc), version_form=form, status=400
        )
    messages.success(request, _("Version %(n)d is written.") % {"n": version.number})
    return redirect("consultation:draft", draft.code)


@official_required
@require_POST
def open_consultation(request, code):
    """A consultation on the draft, being prepared, with its comment window."""
    draft = _draft(request, code)
    form = NewConsultationForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        consultation = services.create_consultation(
            request,
            draft,
            title=form.cleaned_data["title"],
            windows=form.window(),
            allow_late=form.cleaned_data["allow_late"],
        )
    except PermissionDenied as exc:
        return _draft_page(request, draft, errors=[str(exc)], consultation_form=form, status=403)
    except ValidationError as exc:
        return _draft_page(
            request, draft, errors=error_messages(exc), consultation_form=form, status=400
        )
    messages.success(request, _("The consultation is being prepared."))
    return redirect("consultation:official-detail", consultation.code)
