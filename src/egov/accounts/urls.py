"""Page routes of this app, mounted by egov.urls."""

urlpatterns: list = []
