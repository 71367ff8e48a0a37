"""Portal pages: home, results with filters, procedure page, listings, in Vietnamese and English.

List pages assert their query counts (no N+1)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def get(client, url, **kw):
    response = client.get(url, **kw)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_home_has_search_landmarks_and_takes_over_the_core_home(client, catalogue):
    page = get(client, "/")
    assert "Dịch vụ công trực tuyến" in page
    assert 'role="search"' in page and 'action="/procedures/"' in page
    assert 'for="q">' in page
    assert 'href="#main"' in page and "<main" in page and 'lang="vi"' in page
    english = get(client, "/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Online public services" in english and 'lang="en"' in english


def test_results_page_without_diacritics(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = get(client, "/procedures/?q=dang+ky+khai+sinh")
    first = page.index("/procedures/1.001193/")
    assert first < page.index("/procedures/1.003583/")
    assert "Thủ tục đăng ký khai sinh" in page
    assert "thủ tục được tìm thấy" in page  # "24 thủ tục được tìm thấy"


def test_results_page_query_count_does_not_grow_with_the_page(
    client, catalogue, django_assert_max_num_queries
):
    # 20 results of many sectors: still the same handful of queries.
    with django_assert_max_num_queries(12):
        page = get(client, "/procedures/")
    assert page.count('class="result"') == 20
    assert 'rel="next"' in page


def test_filters_on_the_results_page(client, catalogue):
    page = get(client, "/procedures/?q=ho+chieu&level=central")
    assert "/procedures/1.001471/" in page and "/procedures/1.001456/" not in page
    page = get(client, "/procedures/?q=ho+chieu&level=nonsense")  # ignored, not an error
    assert "/procedures/1.001456/" in page
    page = get(client, "/procedures/?q=khai+sinh&online_level=full")
    assert "Không tìm thấy" in page


def test_the_chosen_filters_stay_selected_and_nothing_else(client, catalogue):
    from egov.catalog.models import Sector

    sector = Sector.objects.filter(procedures__code="1.001193").first()
    unfiltered = get(client, "/procedures/?q=khai+sinh").count(" selected>")  # the language
    page = get(client, f"/procedures/?q=khai+sinh&sector={sector.code}")
    assert page.count(" selected>") == unfiltered + 1
    assert f'<option value="{sector.code}" selected>' in page
    # A value with markup is escaped, matches no option and selects nothing.
    page = get(client, '/procedures/?q=khai+sinh&sector="><script>')
    assert page.count(" selected>") == unfiltered and "<script>" not in page


def test_procedure_page_has_everything_needed_to_apply(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        page = get(client, reverse("portal:procedure", args=["3.000353"]))
    assert "Cấp giấy phép lái xe quốc tế" in page
    for heading in (
        "Cách thức, thời hạn giải quyết và phí, lệ phí",
        "Thành phần hồ sơ",
        "Nơi nộp hồ sơ (cơ quan thực hiện)",
        "Cách thực hiện",
        "Kết quả",
        "Căn cứ pháp lý",
    ):
        assert heading in page, heading
    birth = get(client, reverse("portal:procedure", args=["1.001193"]))
    assert "Miễn phí" in birth
    assert "1 ngày làm việc" in birth
    assert "Giấy khai sinh" in birth and "Luật 60/2014/QH13" in birth
    assert 'href="/procedures/1.001193/apply/"' in birth
    english = get(client, "/procedures/1.001193/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Free" in english and "Apply online" in english
    # Issue 13: pluralised, not "1 working days".
    assert "1 working day<" in english and "1 working days" not in english
    # The procedure's code is "Mã thủ tục", not "Mã hồ sơ" (the dossiers' "Code" won before).
    assert ">Mã thủ tục</dt>" in birth and "Mã hồ sơ" not in birth


def test_fee_amounts_are_shown_in_dong(client, catalogue):
    from egov.catalog.models import Fee

    fee = Fee.objects.filter(amount_vnd__gt=1000).select_related("channel__version__procedure")
    fee = fee.first()
    assert fee is not None
    page = get(client, f"/procedures/{fee.channel.version.procedure.code}/")
    assert f"{fee.amount_vnd:,}".replace(",", ".") + "\u00a0₫" in page


def test_information_only_procedure(client, catalogue):
    from egov.catalog.models import Procedure

    info = Procedure.objects.filter(detailed=False).first()
    page = get(client, f"/procedures/{info.code}/")
    assert info.name in page
    assert "Apply online" not in page and "Nộp hồ sơ trực tuyến" not in page
    assert client.get(f"/procedures/{info.code}/apply/").status_code == 404
    assert client.get("/procedures/9.999999/").status_code == 404
    # Issue 13: an index-only record that is also "information only" said it twice in the results.
    from egov.catalog.models import OnlineLevel

    Procedure.objects.filter(pk=info.pk).update(online_level=OnlineLevel.INFO)
    results = get(client, f"/procedures/?q={info.code}")
    entry = results.split(f'href="/procedures/{info.code}/"')[1].split("</li>")[0]
    assert entry.count("Chỉ cung cấp thông tin") == 1 and "Mới có thông tin danh mục" in entry


def test_listings_by_sector_and_by_agency(client, catalogue, django_assert_max_num_queries):
    from egov.catalog.models import Sector
    from egov.core.models import Organisation

    with django_assert_max_num_queries(6):
        sectors = get(client, "/sectors/")
    civil = Sector.objects.get(name="Hộ tịch")
    assert f'href="/sectors/{civil.code}/"' in sectors
    with django_assert_max_num_queries(8):
        listing = get(client, f"/sectors/{civil.code}/")
    assert "/procedures/1.001193/" in listing and "/procedures/1.001456/" not in listing
    assert get(client, "/agencies/")
    org = Organisation.objects.filter(procedures__isnull=False).first()
    if org is not None:  # agencies resolved to the tree
        with django_assert_max_num_queries(8):
            assert org.name in get(client, f"/agencies/{org.code}/")
    assert client.get("/sectors/no-such/").status_code == 404
    assert client.get("/agencies/000.00.00.X99/").status_code == 404


def test_an_unknown_agency_is_the_sites_404_with_the_reason(client):
    response = client.get("/agencies/NO-SUCH/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không có cơ quan nào có mã này." in html
    assert f"<code>{response['X-Request-ID']}</code>" in html
    response = client.get("/agencies/NO-SUCH/", HTTP_ACCEPT_LANGUAGE="en")
    assert "No agency has this code." in response.content.decode()
