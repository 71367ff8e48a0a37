"""Remembered search results (egov.catalog.results): the same order as the search, fewer queries
on a repeated query, and nothing stale after a write in this process."""

import pytest

from egov.catalog import results
from egov.catalog.models import Procedure
from egov.catalog.search import index_procedures, search

pytestmark = pytest.mark.django_db


def test_ranked_ids_are_the_search_in_its_order(catalogue):
    for query in ("dang ky khai sinh", "ho chieu", "khai sihn", ""):
        expected = list(search(query).values_list("id", flat=True))
        assert expected  # the catalogue has matches: an empty list would prove nothing
        assert results.ranked_ids(query) == expected
        assert results.ranked_ids(query) == expected  # remembered: still the same


def test_a_repeated_query_reads_nothing_and_the_page_reads_only_its_procedures(
    client, catalogue, django_assert_num_queries, django_assert_max_num_queries
):
    first = results.ranked_ids("dang ky khai sinh", level="3")
    with django_assert_num_queries(0):
        assert results.ranked_ids("Dang  ky khai SINH", level="3") == first
    client.get("/procedures/?q=khai+sinh")  # warm: version, search, filter lists
    # Session, the 20 procedures, their sectors.
    with django_assert_max_num_queries(3):
        page = client.get("/procedures/?q=khai+sinh").content.decode()
    assert "/procedures/1.001193/" in page


def test_a_write_here_is_seen_at_once(catalogue):
    birth = Procedure.objects.get(code="1.001193")
    before = results.ranked_ids("khai sinh cho tre em")
    assert before[:1] != [birth.pk]
    # A queryset update sends no signal: the reindexing it is followed by makes results stale.
    Procedure.objects.filter(pk=birth.pk).update(
        name="Thủ tục khai sinh cho trẻ em", search_text="1.001193 thu tuc khai sinh cho tre em"
    )
    index_procedures([birth.pk])
    assert results.ranked_ids("khai sinh cho tre em")[:1] == [birth.pk]
    # A save (signal) forgets too, even without reindexing.
    remembered = results.ranked_ids("dang ky khai sinh")
    birth.refresh_from_db()
    birth.status = "abolished"
    birth.save()
    assert results.ranked_ids("dang ky khai sinh") == [i for i in remembered if i != birth.pk]


def test_the_memo_can_be_turned_off(catalogue, settings, django_assert_max_num_queries):
    settings.EGOV_SEARCH_MEMO = 0
    results.ranked_ids("ho chieu")
    with django_assert_max_num_queries(4) as captured:
        results.ranked_ids("ho chieu")
    assert len(captured) >= 1  # searched again


QUERIES = ("dang ky khai sinh", "ho chieu", "khai sihn", "", "ho chieu&level=province")


def _path(query: str, page: int = 1) -> str:
    text, _, extra = query.partition("&")
    return f"/procedures/?q={text.replace(' ', '+')}&page={page}" + (f"&{extra}" if extra else "")


def _results(client, path: str) -> str:
    """The results section of a page (the rest holds per-response nonces and tokens)."""
    html = client.get(path).content.decode()
    start = html.index('<section aria-labelledby="results-heading">')
    return html[start : html.index("</section>", start)]


def test_a_remembered_page_is_the_page_rendered_afresh(client, catalogue, settings):
    """Results identical with and without the memo of rendered sections, pages 1 and 2."""
    remembered = {}
    for query in QUERIES:
        for page in (1, 2):
            _results(client, _path(query, page))  # remember
            remembered[query, page] = _results(client, _path(query, page))
    settings.EGOV_SEARCH_PAGE_MEMO = 0
    settings.EGOV_SEARCH_MEMO = 0
    for (query, page), html in remembered.items():
        assert _results(client, _path(query, page)) == html, (query, page)
    assert "/procedures/1.001193/" in remembered["dang ky khai sinh", 1]
    assert remembered["", 1] != remembered["", 2]  # the whole catalogue: more than a page


def test_a_remembered_page_reads_no_procedure(client, catalogue, django_assert_max_num_queries):
    client.get("/procedures/?q=khai+sinh")
    with django_assert_max_num_queries(1):  # the session at most: no procedure, no sector
        page = client.get("/procedures/?q=khai+sinh").content.decode()
    assert "/procedures/1.001193/" in page


def test_remembered_pages_are_per_language_and_per_query_string(client, catalogue):
    vi = client.get("/procedures/?q=khai+sinh", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    en = client.get("/procedures/?q=khai+sinh", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "thủ tục" in vi.split('id="results-heading"')[1][:200]
    assert "procedure" in en.split('id="results-heading"')[1][:200]
    one = client.get("/procedures/?q=dang+ky").content.decode()
    two = client.get("/procedures/?q=dang+ky&page=2").content.decode()
    assert one.split('id="results-heading"')[1] != two.split('id="results-heading"')[1]


def test_a_sector_renamed_here_shows_at_once(client, catalogue):
    birth = Procedure.objects.get(code="1.001193")
    sector = birth.sectors.first()
    assert sector.name in client.get("/procedures/?q=1.001193").content.decode()
    sector.name = "Lĩnh vực đổi tên"
    sector.save()
    assert "Lĩnh vực đổi tên" in client.get("/procedures/?q=1.001193").content.decode()
