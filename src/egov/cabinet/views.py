"""The e-Cabinet's pages: a member's (or assistant's, or the secretariat's) ballots, a ballot
with its live tally (htmx polling of the tally fragment; a reload without JavaScript) and the
answer form, signed through the signing service on submit; the sealed report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.cabinet import access
from egov.cabinet.forms import IssueForm
from egov.cabinet.models import Ballot, Choice, Status
from egov.cabinet.services import ballots as ballot_services
from egov.cabinet.services import minutes
from egov.cabinet.services import tally as tallies
from egov.core.models import Organisation
from egov.core.signing.signer import SigningError


def _ballot(request, number) -> Ballot:
    ballot = (
        access.visible_ballots(request, Ballot.objects.filter(number=number))
        .select_related("issued_by__user")
        .first()
    )
    if ballot is None:
        raise Http404
    return ballot


@login_required
def ballots(request):
    rows = access.visible_ballots(request).order_by("-number")[:100]
    secretary = access.roles(request).secretary
    return render(request, "cabinet/ballots.html", {"ballots": rows, "secretary": secretary})


def _answerable(request, ballot):
    """(member, question) pairs the caller may still answer: their own, and their members'
    where the ballot allows assistants."""
    official = access.official_of(request.user)
    if official is None or ballot.status != Status.OPEN:
        return []
    members = list(ballot.members.filter(official=official).select_related("official__user"))
    if ballot.allow_assistants:
        members += list(
            ballot.members.filter(pk__in=access.assisted(official).values("pk")).select_related(
                "official__user"
            )
        )
    answered = set(ballot.answers.values_list("member_id", "question_id"))
    return [(m, q) for m in members for q in ballot.questions.all() if (m.pk, q.pk) not in answered]


@login_required
@require_http_methods(["GET", "POST"])
def ballot(request, number):
    ballot = _ballot(request, number)
    if request.method == "POST" and request.POST.get("act") == "send_report":
        return _send_report(request, ballot)
    if request.method == "POST":
        pairs = {(str(m.pk), str(q.pk)): (m, q) for m, q in _answerable(request, ballot)}
        pair = pairs.get((request.POST.get("member", ""), request.POST.get("question", "")))
        if pair is None:
            messages.error(request, _("You cannot answer this question now."))
            return redirect("cabinet:ballot", number)
        try:
            ballot_services.answer_as(
                request.user,
                ballot,
                pair[1],
                request.POST.get("choice", ""),
                request.POST.get("text", ""),
                member=pair[0],
            )
        except (ValidationError, PermissionDenied, SigningError) as exc:
            text = getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [str(exc)]))
            messages.error(request, text)
            return redirect("cabinet:ballot", number)
        messages.success(request, _("Your signed answer was recorded."))
        return redirect("cabinet:ballot", number)
    return render(
        request,
        "cabinet/ballot.html",
        {
            "ballot": ballot,
            "tally": tallies.tally(ballot),
            "answerable": _answerable(request, ballot),
            "choices": Choice.choices,
            "documents": ballot.documents.all(),
            "report_form": access.roles(request).secretary
            and ballot.report_pdf is not None
            and not ballot.report_document_id,
            "organisations": Organisation.objects.filter(
                level__in=["central", "province"]
            ).order_by("name"),
        },
    )


def _send_report(request, ballot):
    """The secretariat sends the sealed tally report through the document exchange."""
    chosen = [c for c in request.POST.getlist("recipients") if c.isdigit()]
    try:
        doc = minutes.send_report(
            access.official_of(request.user),
            ballot,
            list(Organisation.objects.filter(pk__in=chosen)),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        return redirect("cabinet:ballot", ballot.number)
    messages.success(
        request,
        _("The tally report no. %(number)s was sent through the document exchange.")
        % {"number": doc.number_notation},
    )
    return redirect("cabinet:ballot", ballot.number)


@login_required
@require_http_methods(["GET", "POST"])
def issue(request):
    official = access.official_of(request.user)
    if not access.is_secretary(official):
        raise PermissionDenied
    form = IssueForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        documents = []
        if data["document"] or data["classification"] != "normal":
            upload = data["document"]
            documents.append(
                ballot_services.DocumentData(
                    title=data["document_title"] or (upload.name if upload else ""),
                    classification=data["classification"],
                    content=upload.read() if upload else None,
                )
            )
        try:
            ballot = ballot_services.issue(
                official,
                ballot_services.BallotData(
                    title=data["title"],
                    questions=data["questions"].splitlines(),
                    working_days=data["working_days"],
                    members=[m.pk for m in data["members"]],
                    allow_assistants=data["allow_assistants"],
                    documents=documents,
                ),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The ballot was issued."))
            return redirect("cabinet:ballot", ballot.number)
    return render(request, "cabinet/issue.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def tally_fragment(request, number):
    ballot = _ballot(request, number)
    return render(
        request, "cabinet/_tally.html", {"ballot": ballot, "tally": tallies.tally(ballot)}
    )


@login_required
def report(request, number):
    ballot = _ballot(request, number)
    if not ballot.report_pdf:
        raise Http404
    response = HttpResponse(bytes(ballot.report_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="phieu-{ballot.number}.pdf"'
    return response
