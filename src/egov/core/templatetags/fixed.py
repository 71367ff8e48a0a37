"""``{% fixed %}…{% endfixed %}``: a part of a page that is the same on every request in one
language, rendered once per language and process, then copied.

``base.html`` frames every HTML page; its head, header brand and footer are ~30 template nodes
(translations, reversed URLs, static files' hashed names) whose output never changes between two
requests in the same language. What may go inside is checked when the template is compiled:
text, ``{% translate "literal" %}``, ``{% url "name" %}`` without arguments and
``{% static "path" %}`` — nothing that reads the context, so nothing of one request (a user, a
CSRF token, a path) can reach another. Anything else there is a template syntax error.

The key is the active language and the script prefix (the URLs reversed under it); the static
files' manifest and the URLconf are loaded once per process, as the output is kept.
"""

from __future__ import annotations

from django import template
from django.template.base import TextNode, Variable
from django.template.defaulttags import URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


def _constant(expression) -> bool:
    """A filter expression without filters whose value is a literal (no context read)."""
    if expression is None:
        return True
    if getattr(expression, "filters", None):
        return False
    var = expression.var
    return isinstance(var, str) or (isinstance(var, Variable) and var.literal is not None)


def _fixed(node) -> bool:
    if isinstance(node, TextNode):
        return True
    if isinstance(node, TranslateNode):
        return (
            node.asvar is None
            and _constant(node.filter_expression)
            and _constant(node.message_context)
        )
    if isinstance(node, URLNode):
        return (
            not node.args and not node.kwargs and node.asvar is None and _constant(node.view_name)
        )
    if isinstance(node, StaticNode):
        return node.varname is None and _constant(node.path)
    return False


class FixedNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        # Per node: a template compiled again (edited in development) starts afresh.
        self.rendered: dict[tuple[str | None, str, bool], str] = {}

    def render(self, context):
        key = (get_language(), get_script_prefix(), context.autoescape)
        found = self.rendered.get(key)
        if found is None:
            found = self.rendered[key] = self.nodelist.render(context)
        return mark_safe(found)  # noqa: S308 - the nodes' own (escaped) output, kept


@register.tag
def fixed(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% fixed %} takes no arguments.")
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    for node in nodelist:
        if not _fixed(node):
            raise template.TemplateSyntaxError(
                f"{{% fixed %}} may hold only text, literal translations, URLs without "
                f"arguments and static paths, not {type(node).__name__}."
            )
    return FixedNode(nodelist)
