from django.urls import path

from egov.reporting import dashboard_views, views

app_name = "reporting"

# A report: its regime's code, its organisation's code (dots allowed), its year and number.
REPORT = "<slug:regime>/<str:organisation>/<int:year>/<int:number>/"

urlpatterns = [
    path("", views.index, name="index"),
    path(REPORT, views.report, name="report"),
    path(f"{REPORT}check/", views.check, name="check"),
    path(f"{REPORT}template.xlsx", views.template, name="template"),
    path(f"{REPORT}upload/", views.upload, name="upload"),
    path(f"{REPORT}sign/", views.sign, name="sign"),
    path(f"{REPORT}sign-data/", views.sign_data, name="sign_data"),
    path("dashboard/", dashboard_views.board, name="dashboard"),
    path(
        "dashboard/figure/<slug:regime>/<slug:indicator>/<int:year>/<int:number>/",
        dashboard_views.drill,
        name="figure",
    ),
    path("dashboard/<str:organisation>/", dashboard_views.board, name="dashboard_of"),
    path("signatures/<int:pk>.pdf", views.signed_pdf, name="signed_pdf"),
    path("signed-data/<int:pk>.xml", views.signed_xml, name="signed_xml"),
]
