"""The OpenAPI document's texts in the request's language (issue 13: one language per page).

drf-spectacular writes the model names (verbose_name, Vietnamese by default) into phrases of its
own and of Django REST framework ("A unique integer value identifying this gói tin."), and the
viewsets' summaries and descriptions into the document as they are. This post-processing hook
runs every ``summary`` and ``description`` through gettext in the active language (the request's,
set by LocaleMiddleware or ``?lang=``; the default language for ``egov spectacular``), so a text
with a translation in a catalog is read in that language, and the generated phrases are rebuilt
around the model's name. A text without a translation stays as written.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop

TEXT_KEYS = ("summary", "description")
# Django REST framework's and drf-spectacular's phrases around a model's verbose name.
GENERATED = [
    (
        re.compile(r"^A unique integer value identifying this (?P<name>.+)\.$"),
        gettext_noop("A unique integer value identifying this %(name)s."),
    ),
    (
        re.compile(r"^A unique value identifying this (?P<name>.+)\.$"),
        gettext_noop("A unique value identifying this %(name)s."),
    ),
]
# Django REST framework's pagination parameters (its own Vietnamese catalogue lacks them).
DRF_TEXTS = (
    gettext_noop("A page number within the paginated result set."),
    gettext_noop("Number of results to return per page."),
)


def translate(text: str) -> str:
    """The text in the active language: a generated phrase rebuilt, else the catalog's."""
    for pattern, msgid in GENERATED:
        match = pattern.match(text)
        if match:
            return gettext(msgid) % {"name": match["name"]}
    return gettext(text) if text else text


def _walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, str | Promise):
                node[key] = translate(str(value))
            else:
                _walk(value)
    elif isinstance(node, list):
        for item in node:
            _walk(item)


def translate_schema(result, generator, request, public):
    """drf-spectacular's POSTPROCESSING_HOOKS entry: the document's texts, translated."""
    _walk(result.get("paths", {}))
    _walk(result.get("components", {}))
    return result
