"""Pages of the service index (filled in by views)."""

app_name = "serviceindex"
urlpatterns = []
