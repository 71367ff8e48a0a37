"""The consultation's part of the access matrix (tests/accounts/test_access_matrix.py): commune
A's officials draft and run the consultation; B's and province Q's are outsiders."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from egov.consultation import scopes, services
from egov.consultation.models import Phase

from ..accounts.officials_support import make_official
from .conftest import TEXT_V1, TEXT_V2, make_citizen

API = "/api/v1/consultation"
REGULATION = f"{API}/regulations/{{id}}/"
DRAFT = f"{API}/drafts/{{draft_code}}/"
CONSULTATION = f"{API}/consultations/{{consultation_code}}/"
COMMENT = f"{API}/comments/{{comment_id}}/"

# Public: the open data of the consultation (no login to read).
PUBLIC = {
    (REGULATION, "get"),
    (DRAFT, "get"),
    (f"{DRAFT}versions/{{number}}/", "get"),
    (f"{DRAFT}compare/", "get"),
    (CONSULTATION, "get"),
    (f"{CONSULTATION}comments/", "get"),
    (f"{CONSULTATION}summary/", "get"),
    (f"{CONSULTATION}summary-pdf/", "get"),
    (f"{CONSULTATION}summary-docx/", "get"),
    (f"{CONSULTATION}comments-csv/", "get"),
    (f"{API}/reform-plans/{{id}}/", "get"),
    (f"{COMMENT}attachments/{{number}}/", "get"),
}
# Anyone holding the scope may comment (an organisation's client) and any person logged in with
# the e-ID may comment and report: no organisation of their own limits them.
SCOPE_ONLY = {
    (f"{CONSULTATION}comments/", "post"): scopes.COMMENT,
    (f"{COMMENT}report/", "post"): scopes.COMMENT,
}


def _world(t, phase="comments"):
    drafter = make_official("drafter_a", t.a, "processor", "approver")
    draft = services.create_draft(
        drafter.user, t.a, title="Dự thảo", doc_type="decree", text=TEXT_V1
    )
    now = timezone.now()
    c = services.create_consultation(
        drafter.user,
        draft,
        title="Lấy ý kiến",
        windows={Phase.COMMENTS: (now - timedelta(days=1), now + timedelta(days=9))},
    )
    c = services.make(drafter.user, c, "open_comments")
    comment = services.submit(
        make_citizen("commenter", "001099099999"), c, services.CommentData("Ý kiến", "dieu-3")
    )
    if phase == "answers":
        c = services.make(drafter.user, c, "close_comments")
        services.add_version(drafter.user, draft, text=TEXT_V2)
    return drafter.user, draft, c, comment


def _outsiders(t):
    return [
        make_official("desk_b", t.b, "processor", "approver").user,
        make_official("desk_q", t.q, "processor", "approver", subtree=True).user,
    ]


def case(key: str, scope: str, body=None, phase="comments"):
    def build(t):
        user, draft, c, comment = _world(t, phase)
        ids = {"draft": draft.code, "consultation": c.code, "comment": comment.pk}
        return {
            "id": ids[key],
            "insider": user,
            "outsiders": _outsiders(t),
            "scopes": [scope],
            "body": body(comment) if callable(body) else (body or {}),
        }

    return build


def regulation_case(t):
    user, *_ = _world(t)
    from datetime import date

    regulation = services.record_regulation(
        user,
        t.a,
        services.RegulationData(
            document_number="1/2020/NĐ-CP",
            document_type="decree",
            document_title="Nghị định 1",
            issued_on=date(2020, 1, 1),
            issuing_body=t.a,
            article="1",
            content="Điều kiện",
        ),
    )
    return {
        "id": regulation.pk,
        "insider": user,
        "outsiders": _outsiders(t),
        "scopes": [scopes.MANAGE],
        "body": {"fees": "1000"},
    }


CASES = {
    (f"{API}/regulations/{{id}}/costs/", "post"): regulation_case,
    (f"{DRAFT}versions/", "post"): case("draft", scopes.MANAGE, {"text": TEXT_V2}),
    (f"{CONSULTATION}close-comments/", "post"): case("consultation", scopes.MANAGE),
    (f"{CONSULTATION}open-debate/", "post"): None,  # replaced below: needs a preparing one
    (f"{CONSULTATION}answer/", "post"): case(
        "consultation",
        scopes.ANSWER,
        lambda comment: {"comments": [comment.pk], "kind": "explained", "text": "Giải trình"},
    ),
    (f"{CONSULTATION}moderation/", "get"): case("consultation", scopes.READ),
    (f"{COMMENT}hide/", "post"): case("comment", scopes.MODERATE, {"reason": "Spam"}),
    (f"{COMMENT}restore/", "post"): None,
    (f"{CONSULTATION}publish-result/", "post"): None,
    (f"{CONSULTATION}open-comments/", "post"): None,
}


def _preparing(t):
    drafter = make_official("drafter_a", t.a, "processor")
    draft = services.create_draft(drafter.user, t.a, title="D", doc_type="decree", text=TEXT_V1)
    now = timezone.now()
    c = services.create_consultation(
        drafter.user,
        draft,
        title="L",
        windows={Phase.COMMENTS: (now, now + timedelta(days=9))},
    )
    return {
        "id": c.code,
        "insider": drafter.user,
        "outsiders": _outsiders(t),
        "scopes": [scopes.MANAGE],
    }


def _answered(t):
    user, draft, c, comment = _world(t, "answers")
    services.answer(user, c, [comment.pk], kind="explained", text="Giải trình")
    return {"id": c.code, "insider": user, "outsiders": _outsiders(t), "scopes": [scopes.MANAGE]}


def _hidden(t):
    user, draft, c, comment = _world(t)
    services.hide(user, comment, reason="Spam")
    return {
        "id": comment.pk,
        "insider": user,
        "outsiders": _outsiders(t),
        "scopes": [scopes.MODERATE],
    }


CASES[(f"{CONSULTATION}open-debate/", "post")] = _preparing
CASES[(f"{CONSULTATION}open-comments/", "post")] = _preparing
CASES[(f"{CONSULTATION}publish-result/", "post")] = _answered
CASES[(f"{COMMENT}restore/", "post")] = _hidden


def plan_case(step: str):
    def build(t):
        built = regulation_case(t)
        user = built["insider"]
        from egov.consultation.models import Regulation

        regulation = Regulation.objects.get(pk=built["id"])
        plan = services.create_plan(user, t.a, year=2026, title="Phương án")
        body = {"regulation": regulation.pk, "action": "cut"}
        if step == "submit":
            services.add_item(user, plan, regulation, action="cut", costs_after={})
            body = {}
        return {
            "id": plan.pk,
            "insider": user,
            "outsiders": built["outsiders"],
            "scopes": [scopes.MANAGE],
            "body": body,
        }

    return build


CASES[(f"{API}/reform-plans/{{id}}/items/", "post")] = plan_case("items")
CASES[(f"{API}/reform-plans/{{id}}/submit/", "post")] = plan_case("submit")


# --- The officials' pages (tests/consultation/test_page_access.py) --------------------------
# Each page by its URL name: a builder that makes the world and gives the URL's arguments, the
# insider (an official of commune A who may), a form body for a POST, and the outsiders
# (officials of B and of province Q) who get 403 or 404 with a message; a citizen gets 403.
# Public pages (no login) are listed apart.
PUBLIC_PAGES = {"reform-plans", "reform-plan"}


def _page(args, method="get", body=None, phase="comments"):
    def build(t):
        user, draft, c, comment = _world(t, phase)
        values = {"draft": draft.code, "consultation": c.code, "comment": comment.pk}
        return {
            "args": [values.get(a, a) for a in args],
            "insider": user,
            "outsiders": _outsiders(t),
            "method": method,
            "body": body(comment) if callable(body) else (body or {}),
        }

    return build


def _plan_page(step):
    def build(t):
        built = plan_case("submit" if step == "remove" else step)(t)
        args = [built["id"]]
        body = {}
        if step == "items":
            body = {"regulation": built["body"]["regulation"], "action": "cut"}
        if step == "remove":
            from egov.consultation.models import ReformItem

            args.append(ReformItem.objects.get(plan_id=built["id"]).pk)
        return {
            "args": args,
            "insider": built["insider"],
            "outsiders": built["outsiders"],
            "method": "post",
            "body": body,
        }

    return build


def _costs_page(t):
    built = regulation_case(t)
    return {
        "args": [built["id"]],
        "insider": built["insider"],
        "outsiders": built["outsiders"],
        "method": "post",
        "body": {"subjects": "10", "frequency": "1", "days": "2", "day_value": "221000"},
    }


PAGES = {
    "workspace": None,  # a list: scoped, tested in test_official_pages (others see no rows)
    "moderation": None,  # the same
    "drafts": None,  # the same
    "regulations": None,  # the same (tests/consultation/test_cost_pages.py)
    "regulation-costs": _costs_page,
    "official-detail": _page(["consultation"]),
    "official-answer": _page(
        ["consultation"],
        "post",
        lambda comment: {"comments": [comment.pk], "kind": "explained", "text": "Giải trình"},
    ),
    "official-act": _page(["consultation", "close-comments"], "post"),
    "moderate": _page(["comment", "hide"], "post", {"reason": "Spam"}),
    "draft": _page(["draft"]),
    "draft-version": _page(["draft"], "post", {"text": TEXT_V2}),
    "draft-consult": _page(
        ["draft"], "post", {"title": "Lần 2", "starts_on": "01/01/2030", "ends_on": "31/01/2030"}
    ),
    "reform-item-add": _plan_page("items"),
    "reform-item-remove": _plan_page("remove"),
    "reform-submit": _plan_page("submit"),
}


# --- The public pages (egov/consultation/urls.py, tests/consultation/test_page_access.py) ------
# Read without a login; or acts of a person logged in with the e-ID (any person, no
# organisation limits them), an anonymous caller sent to the login: commenting
# (tests/consultation/test_views.py) and reporting a comment (test_report_page.py).
READ_PAGES = {"open", "detail", "summary-file"}
PERSON_PAGES = {"comment", "report-comment"}
