from types import SimpleNamespace

import pytest

from egov.consultation import structure
from egov.consultation.errors import ConsultationError

from .conftest import TEXT_V1, TEXT_V2


def test_a_typed_text_is_cut_into_units_with_anchors():
    units = structure.parse(TEXT_V1)
    assert [u.anchor for u in units] == [
        "chuong-1",
        "dieu-1",
        "dieu-2",
        "dieu-2.khoan-1",
        "dieu-2.khoan-2",
        "chuong-2",
        "dieu-3",
        "dieu-3.khoan-1",
        "dieu-3.khoan-2",
        "dieu-3.khoan-2.diem-a",
        "dieu-3.khoan-2.diem-b",
    ]
    chapter, article = units[0], units[1]
    assert (chapter.label, chapter.heading) == ("Chương I", "QUY ĐỊNH CHUNG")
    assert (article.heading, article.parent) == ("Phạm vi điều chỉnh", "chuong-1")
    assert article.text == "Nghị định này quy định điều kiện kinh doanh dịch vụ ăn uống."
    assert units[9].parent == "dieu-3.khoan-2" and units[9].label == "Điểm a"


def test_point_dd_and_numbered_articles():
    units = structure.parse("Điều 12a. X\n1. Một\nđ) Năm")
    assert [u.anchor for u in units] == ["dieu-12a", "dieu-12a.khoan-1", "dieu-12a.khoan-1.diem-dd"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Chỉ có lời văn", "no_article"),
        ("", "no_article"),
        ("Điều 1. A\nĐiều 1. B", "duplicate_unit"),
        ("Điều 1. A\n1. x\n1. y", "duplicate_unit"),
    ],
)
def test_bad_texts_are_refused(text, code):
    with pytest.raises(ConsultationError) as caught:
        structure.parse(text)
    assert caught.value.code == code


def _units(text):
    return [
        SimpleNamespace(
            anchor=u.anchor,
            label=u.label,
            heading=u.heading,
            text=u.text,
            text_hash=structure.text_hash(f"{u.heading}\n{u.text}"),
        )
        for u in structure.parse(text)
    ]


def test_the_comparison_goes_clause_by_clause():
    rows = {r["anchor"]: r for r in structure.compare(_units(TEXT_V1), _units(TEXT_V2))}
    assert rows["dieu-3.khoan-1"]["change"] == "changed"
    assert rows["dieu-3.khoan-1"]["new_text"] == "Tự công bố bảo đảm an toàn thực phẩm."
    assert rows["dieu-3.khoan-2.diem-b"]["change"] == "unchanged"
    assert rows["dieu-3.khoan-2.diem-c"]["change"] == "added"
    assert rows["dieu-2.khoan-2"]["change"] == "removed"
    assert rows["dieu-2.khoan-2"]["new_text"] is None
    changes = [r["change"] for r in rows.values()]
    assert changes.count("unchanged") == 9


def test_a_range_holds_where_the_text_is_unchanged():
    old = SimpleNamespace(text="Có giấy xác nhận đủ sức khỏe.", text_hash="h1")
    comment = SimpleNamespace(range_start=4, range_end=19, quote=old.text[4:19], unit_hash="h1")
    assert structure.locate(comment, old) == (4, 19)
    moved = SimpleNamespace(text="Phải có giấy xác nhận đủ sức khỏe.", text_hash="h2")
    assert structure.locate(comment, moved) == (9, 24)
    gone = SimpleNamespace(text="Không cần giấy tờ.", text_hash="h3")
    assert structure.locate(comment, gone) is None
