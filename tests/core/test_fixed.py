"""``{% fixed %}``: the invariant parts of the frame, rendered once per language and kept; only
what cannot differ between two requests may go inside."""

from __future__ import annotations

import pytest
from django.template import TemplateSyntaxError, engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

PAGE = (
    "{% load i18n static fixed %}{% fixed %}<a href=\"{% url 'portal:lookup' %}\">"
    '{% translate "Look up a dossier" %}</a><script src="{% static \'core/egov.js\' %}"></script>'
    "{% endfixed %}<p>{{ who }}</p>"
)


def _render(template, language, **context):
    with translation.override(language):
        return template.render(context, RequestFactory().get("/"))


def test_each_language_gets_its_own_copy_and_the_rest_stays_live(db):
    template = engines["django"].from_string(PAGE)
    vi = _render(template, "vi", who="An")
    en = _render(template, "en", who="Bình")
    assert "Tra cứu hồ sơ" in vi and "Look up a dossier" in en
    assert f'<a href="{reverse("portal:lookup")}">' in vi
    # Kept, not frozen: the same language gives the same fixed part, the context still varies.
    again = _render(template, "vi", who="Chi")
    assert again.replace("Chi", "An") == vi and "<p>Chi</p>" in again
    # And it is what rendering each time would give.
    plain = engines["django"].from_string(
        PAGE.replace("{% fixed %}", "").replace("{% endfixed %}", "")
    )
    assert _render(plain, "en", who="Bình") == en


@pytest.mark.parametrize(
    "inside",
    [
        "{{ user }}",
        "{% csrf_token %}",
        "{% translate who %}",
        '{% translate "Log out" as label %}',
        "{% url 'dossiers:detail' code %}",
        "{% static path %}",
        "{% if x %}a{% endif %}",
        '{% translate "a"|upper %}',
    ],
)
def test_anything_that_reads_the_context_is_refused_at_compile_time(inside):
    with pytest.raises(TemplateSyntaxError, match="fixed"):
        engines["django"].from_string(
            "{% load i18n static fixed %}{% fixed %}" + inside + "{% endfixed %}"
        )
