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
