"""Page routes of the officials' workspace, mounted at /one-stop/ by egov.urls."""

from django.urls import path

from egov.dossiers import views, walk_in

app_name = "dossiers"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("register/", walk_in.register, name="register"),
    path("register/procedures/", walk_in.procedures, name="procedures"),
    path("tracking-book/", views.tracking_book, name="tracking-book"),
    path("on-time/", views.on_time, name="on-time"),
    path("d/<str:code>/", views.detail, name="detail"),
    path("d/<str:code>/act/", views.act, name="act"),
    path("d/<str:code>/forms/<str:kind>.pdf", views.form_pdf, name="form"),
    path("d/<str:code>/files/<int:pk>/", views.component_file, name="file"),
    path("d/<str:code>/result/", views.result_file, name="result"),
]
