"""Numbers typed the Vietnamese way: "221.000" is 221000 where Django's IntegerField read 221
(and its DecimalField 221), "1.250.000,5" has a decimal comma; what could be read two ways is
refused with a Vietnamese message, never guessed."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from egov.core.numbers import AmountField, CountField, parse, read, shown


@pytest.mark.parametrize(
    "raw, whole, number",
    [
        ("221.000", True, 221000),
        ("221 000", True, 221000),
        ("1.250.000", True, 1250000),
        ("221000", True, 221000),
        (" 7 ", True, 7),
        ("1,5", True, None),  # not whole
        ("1.5", True, None),
        ("22.10", True, None),  # groups of three or nothing
        ("1.250.000,5", False, Decimal("1250000.5")),
        ("0,5", False, Decimal("0.5")),
        ("45.5", False, Decimal("45.5")),
        ("1.000", False, None),  # a thousand, or one? refused
        ("0.500", False, Decimal("0.5")),  # a leading 0 groups nothing: a half
        ("0.500", True, None),
        ("1 000,5", False, Decimal("1000.5")),
        ("1 000", False, Decimal(1000)),  # a space is never a decimal sign
        ("abc", True, None),
        ("", True, None),
        ("١٢", True, None),  # digits of another script
    ],
)
def test_parse(raw, whole, number):
    assert parse(raw, whole=whole) == number


def test_django_would_have_lost_three_zeros():
    # Why the field exists: the trap it replaces.
    assert forms.IntegerField().clean("221.000") == 221
    assert AmountField().clean("221.000") == 221000


def test_shown_reads_back_as_it_was():
    for value, whole, text in (
        (221000, True, "221.000"),
        (Decimal("0.50"), False, "0,5"),
        (Decimal("1.00"), False, "1"),
        (Decimal("1000.125"), False, "1000,125"),  # never grouped: "1.000" would be one
    ):
        assert shown(value, whole=whole) == text
        assert parse(text, whole=whole) == value
    assert read("1.000", whole=False) == "1.000"  # left for the caller (consultation's times)


class Form(forms.Form):
    amount = AmountField()
    figure = AmountField(whole=False, decimal_places=2, required=False)
    days = CountField(required=False, max_value=365)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"amount": "22l.000"}, "amount", "Nhập số nguyên"),
        ({"amount": "-5"}, "amount", "Nhập số nguyên"),
        ({"amount": "1", "figure": "1.000"}, "figure", "có thể là dấu phân cách hàng nghìn"),
        ({"amount": "1", "figure": "1,005"}, "figure", "tối đa 2 chữ số"),
        ({"amount": "1", "days": "1.000"}, "days", "Chỉ nhập chữ số"),
        ({"amount": "1", "days": "1,5"}, "days", "Chỉ nhập chữ số"),
        ({"amount": "1", "days": "400"}, "days", "không được quá 365"),
    ],
)
def test_refused_in_vietnamese(data, field, message):
    with translation.override("vi"):
        form = Form(data)
        assert not form.is_valid()
        assert message in " ".join(form.errors[field])


def test_accepted():
    form = Form({"amount": "221.000", "figure": "1.250.000,5", "days": "3"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"amount": 221000, "figure": Decimal("1250000.5"), "days": 3}
    # Shown on the page as it would be typed.
    assert 'value="221.000"' in str(Form(initial={"amount": 221000})["amount"])
