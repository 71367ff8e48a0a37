"""Numbers typed on a page the Vietnamese way: "221.000" is two hundred and twenty-one thousand
(a dot or a space groups thousands), "0,5" is a half (the comma is the decimal sign).

Django's own fields read them wrong, silently: ``forms.IntegerField`` takes "221.000" for 221
(it drops a trailing ".000"), ``forms.DecimalField`` takes it for 221 too and refuses
"1.250.000" and "0,5". So every page field where a person types an amount or a figure uses
:class:`AmountField` (money, counts of people: grouping read) and every small count (days)
uses :class:`CountField` (digits only: "1.000" is refused, not guessed). JSON numbers are
unambiguous and never pass through here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[. \u00a0\u202f]")
# "221.000", "221 000", "1.250.000": whole thousands grouped; the groups must be of three.
# A leading 0 groups nothing: "0.500" is a half written with a point, not five hundred.
GROUPED = re.compile(r"^[1-9]\d{0,2}([. \u00a0\u202f]\d{3})+$")
# With a decimal comma: "1.250.000,5", "0,5", "1250000,5".
GROUPED_DECIMAL = re.compile(r"^([1-9]\d{0,2}([. \u00a0\u202f]\d{3})+|\d+),\d+$")
MAX_LENGTH = 40


def read(raw, *, whole: bool) -> str:
    """The text typed ("221.000", "0,5", "1.000,5") as Python reads numbers ("221000", "0.5",
    "1000.5"); what is not one of these forms is returned stripped, for the caller to refuse.
    Without a decimal comma, a figure grouped with dots is thousands only where decimals are
    not allowed: in a field with decimals "1.000" is left as it is (see :func:`ambiguous`);
    "1 000" is a thousand in either."""
    raw = str(raw or "").strip()
    if GROUPED_DECIMAL.match(raw):
        return _SEPARATORS.sub("", raw).replace(",", ".")
    if GROUPED.match(raw) and (whole or "." not in raw):  # spaces group, whatever the field
        return _SEPARATORS.sub("", raw)
    return raw


def ambiguous(raw, *, whole: bool) -> bool:
    """ "1.000" where decimals are allowed: a thousand grouped, or one with a decimal point?
    Refused rather than guessed (Django's DecimalField took it for one)."""
    raw = str(raw or "").strip()
    return not whole and "." in raw and bool(GROUPED.match(raw))


def parse(raw, *, whole: bool) -> int | Decimal | None:
    """The number typed, or None when it is not one (empty included). Whole: an int; "221.000"
    is 221000 and "1,5" is refused. With decimals: a Decimal, "1.250.000,5" read."""
    if ambiguous(raw, whole=whole):
        return None
    text = read(raw, whole=whole)
    if not text or len(text) > MAX_LENGTH:
        return None
    if whole:
        return int(text) if text.isascii() and text.isdigit() else None
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def shown(value, *, whole: bool) -> str:
    """A saved figure as :func:`read` reads it back: whole numbers grouped with "." (221000 →
    "221.000"), decimals with a decimal comma and no trailing zeros (0.50 → "0,5", 1.00 →
    "1"), never grouped: "1.000" there would read back as one."""
    if value is None or value == "":
        return ""
    if whole:
        return f"{int(value):,}".replace(",", ".")
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


class AmountField(forms.CharField):
    """A money amount or a figure typed the Vietnamese way. ``whole``: đồng (an int); else a
    Decimal with ``decimal_places`` at most. ``min_value``/``max_value`` bound it."""

    def __init__(self, *, whole=True, min_value=0, max_value=None, decimal_places=None, **kwargs):
        self.whole, self.min_value, self.max_value = whole, min_value, max_value
        self.decimal_places = decimal_places
        super().__init__(**kwargs)  # no max_length: its validator would run on the number
        self.widget.attrs.update(
            {
                "inputmode": "numeric" if whole else "decimal",
                "spellcheck": "false",
                "maxlength": str(MAX_LENGTH),
            }
        )

    def prepare_value(self, value):
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return shown(value, whole=self.whole)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        number = parse(text, whole=self.whole)
        if number is None and ambiguous(text, whole=self.whole):
            raise ValidationError(
                _(
                    '"%(text)s" could be a thousands group or a decimal point: write it without'
                    ' dots ("1000") or with a decimal comma ("1,5").'
                )
                % {"text": text.strip()},
                code="invalid",
            )
        if number is None:
            if self.whole:
                raise ValidationError(
                    _('Write a whole number, thousands grouped with dots: "221.000".'),
                    code="invalid",
                )
            raise ValidationError(
                _(
                    "Write a number with a decimal comma, thousands grouped with dots:"
                    ' "1.250.000,5".'
                ),
                code="invalid",
            )
        return number

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                _("The number must be at least %(n)s.") % {"n": shown(self.min_value, whole=True)},
                code="min_value",
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                _("The number must be at most %(n)s.")
                % {"n": shown(self.max_value, whole=self.whole)},
                code="max_value",
            )
        places = 0 if self.whole else -value.as_tuple().exponent
        if self.decimal_places is not None and places > self.decimal_places:
            raise ValidationError(
                _("Write at most %(n)s digits after the decimal comma.")
                % {"n": self.decimal_places},
                code="max_decimal_places",
            )


class CountField(AmountField):
    """A small count (days): digits only. "1.000" or "1,5" is refused with a message, never
    read as one, as Django's IntegerField would."""

    def __init__(self, **kwargs):
        super().__init__(whole=True, **kwargs)

    def to_python(self, value):
        text = forms.CharField.to_python(self, value)
        if text in self.empty_values:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            raise ValidationError(
                _("Write the number with digits only, no dots or commas."), code="invalid"
            )
        return int(text)
