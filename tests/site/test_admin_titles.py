"""The admin speaks the site's language: its titles and every model and app name (issue 13)."""

import re

import pytest
from django.contrib import admin
from django.utils import translation


@pytest.mark.django_db
def test_the_admin_index_has_vietnamese_titles(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("quantri", password="x" * 16))
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Django" not in page
    assert re.search(r'id="site-name"><a[^>]*>Quản trị hệ thống</a>', page)
    assert "<title>Trang quản trị | Quản trị egov</title>" in page
    assert "Hàng đợi tác vụ" in page and "Người sử dụng" in page  # Django's word


def test_every_model_and_app_in_the_admin_has_a_vietnamese_name():
    untranslated = []
    for model in admin.site._registry:
        opts = model._meta
        for name in (opts.verbose_name, opts.verbose_name_plural, opts.app_config.verbose_name):
            with translation.override("en"):
                english = str(name)
            with translation.override("vi"):
                if str(name) == english:
                    untranslated.append(f"{opts.label}: {english}")
    assert not untranslated
