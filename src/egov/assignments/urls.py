from django.urls import path

from egov.assignments import focal, views

app_name = "assignments"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("monthly.pdf", views.monthly_pdf, name="monthly_pdf"),
    path("new/", views.create, name="create"),
    path("focal/", focal.focal_page, name="focal"),
    path("files/<int:pk>/", views.report_file, name="file"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:act>/", views.act, name="act"),
]
