import pytest


def test_healthz_reports_database_and_queue(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["tasks"]["ok"] is True


@pytest.mark.django_db
def test_an_unrouted_api_path_answers_the_apis_json_404(client):
    # A dossier code with a slash matches no route: still the API's error, as the schema says.
    r = client.get("/api/v1/dossiers/a/b/c/d/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "Not found.", "fields": {}}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_communes_follow_the_province_for_the_dependent_select(client):
    """htmx swaps these <option>s into the commune select when a province is chosen."""
    import datetime as dt

    from egov.core.services import organisations as org_svc
    from egov.core.services.organisations import OrganisationData

    create = org_svc.create_organisation
    p = create(OrganisationData("000.00.00.H98", "Tỉnh P", "province"))
    create(OrganisationData("000.00.01.H98", "Xã Một", "commune", parent=p))
    gone = create(OrganisationData("000.00.02.H98", "Xã Cũ", "commune", parent=p))
    type(gone).objects.filter(pk=gone.pk).update(valid_to=dt.date(2025, 6, 30))
    create(OrganisationData("000.00.00.H97", "Tỉnh Q", "province"))
    name = "applicant.residence.province"
    html = client.get("/units/communes/", {"from": name, name: p.code}).content.decode()
    assert '<option value="000.00.01.H98">Xã Một</option>' in html
    assert "Xã Cũ" not in html and "<html" not in html
    other = client.get("/units/communes/", {"from": name, name: "000.00.00.H97"}).content.decode()
    assert "Xã Một" not in other
    # Not a province (a commune's code, nothing, rubbish): only "choose the province first".
    for code in ["000.00.01.H98", "", "<script>"]:
        html = client.get("/units/communes/", {"province": code}).content.decode()
        assert html.count("<option") == 1 and "<script>" not in html


@pytest.mark.django_db
def test_the_site_has_an_icon(client):
    # Browsers ask for /favicon.ico whatever the page says; pages name the SVG one.
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/core/favicon.svg" type="image/svg+xml">' in page
    svg = client.get("/static/core/favicon.svg")
    assert svg.status_code == 200
