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
