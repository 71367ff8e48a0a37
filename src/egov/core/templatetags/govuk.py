"""Django form fields in GOV.UK Frontend's markup (no Nunjucks: the components' HTML, written
here and in core/_field.html): the widget gets the component's class, its error modifier, and
aria-describedby pointing at the hint and the error message. ``vnd``: an amount in đồng, the same
on every page (the portal's, the one-stop shop's and the payments' pages load it from here)."""

from django import forms, template
from django.utils.translation import get_language

register = template.Library()


def _widget_class(widget) -> str:
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        return "govuk-select"
    if isinstance(widget, forms.Textarea):
        return "govuk-textarea"
    if isinstance(widget, forms.FileInput):
        return "govuk-file-upload"
    if isinstance(widget, forms.CheckboxInput):
        return "govuk-checkboxes__input"
    if isinstance(widget, forms.DateInput) or widget.attrs.get("type") == "date":
        return "govuk-input govuk-input--width-10"
    return "govuk-input"


@register.simple_tag
def govuk_widget(field):
    """``{% govuk_widget form.subject %}``: the field's widget with the component's classes."""
    widget = field.field.widget
    css = _widget_class(widget)
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        base = css.split()[0]
        css += f" {base}--error" if base != "govuk-checkboxes__input" else ""
    attrs = {"class": " ".join(filter(None, [widget.attrs.get("class", ""), css]))}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def vnd(amount) -> str:
    """An amount in đồng with thousands grouped: 135.000 ₫ (Vietnamese), 135,000 ₫ (English)."""
    if amount in (None, ""):
        return ""
    grouped = f"{int(amount):,}"
    if (get_language() or "vi").startswith("vi"):
        grouped = grouped.replace(",", ".")
    return f"{grouped}\u00a0₫"
