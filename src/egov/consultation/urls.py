from django.urls import path

from egov.consultation import downloads, official_urls, views

app_name = "consultation"

urlpatterns = [
    *official_urls.urlpatterns,  # the officials' pages and the reform plans, before <code>/
    path("", views.open_consultations, name="open"),
    path("<str:code>/", views.consultation_page, name="detail"),
    path("<str:code>/comment/", views.comment, name="comment"),
    path(
        "<str:code>/comments/<int:comment_id>/report/",
        views.report_comment,
        name="report-comment",
    ),
    path(
        "<str:code>/tiep-thu-giai-trinh.<str:kind>",
        downloads.summary_file,
        name="summary-file",
    ),
]
