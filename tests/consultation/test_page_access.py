"""The officials' pages of the consultation, each with its rule in access_matrix.PAGES: the
official of the drafting agency gets the page (or the act done), officials of other
organisations get the site's 403 or 404 page with a message, a citizen 403, an anonymous
caller the login page; and nothing changes for those refused. A new page without a rule fails
the first test."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.consultation import official_urls, urls
from egov.core.models import AuditEntry

from ..accounts.officials_support import tree  # noqa: F401
from .access_matrix import PAGES, PERSON_PAGES, PUBLIC_PAGES, READ_PAGES
from .conftest import make_citizen

pytestmark = pytest.mark.django_db
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def test_every_officials_page_has_a_rule():
    names = {p.name for p in official_urls.urlpatterns}
    assert names == set(PAGES) | PUBLIC_PAGES


def test_every_public_page_has_a_rule():
    officials = {p.name for p in official_urls.urlpatterns}
    names = {p.name for p in urls.urlpatterns} - officials
    assert names == READ_PAGES | PERSON_PAGES
    assert not READ_PAGES & PERSON_PAGES


def _call(client, case, url):
    if case["method"] == "post":
        return client.post(url, case["body"], **VI)
    return client.get(url, **VI)


@pytest.mark.parametrize("name", sorted(n for n, rule in PAGES.items() if rule))
def test_others_are_refused_with_a_message(client, tree, name):  # noqa: F811
    case = PAGES[name](tree)
    url = reverse(f"consultation:{name}", args=case["args"])
    citizen = make_citizen("citizen_x", "001099088888")
    for who in [*case["outsiders"], citizen]:
        client.force_login(who)
        before = AuditEntry.objects.count()
        response = _call(client, case, url)
        assert response.status_code in {403, 404}, (name, who, response.status_code)
        html = response.content.decode()
        # The site's error page (egov.core.error_pages) with the refusal's message, not a bare
        # error: a citizen is told the page is for officials.
        assert f"Lỗi {response.status_code}" in html and '<p class="govuk-body-l">' in html
        if who is citizen:
            assert "Trang này dành cho cán bộ, công chức." in html
        assert AuditEntry.objects.count() == before
    client.logout()
    response = _call(client, case, url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(case["insider"])
    response = _call(client, case, url)
    assert response.status_code in {200, 302}, (name, response.content.decode()[:2000])
