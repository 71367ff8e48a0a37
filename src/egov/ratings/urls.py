from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("", views.official_list, name="list"),
    path("public/", views.public, name="public"),
    path("dossiers/<str:code>/", views.rate, name="rate"),
    path("dossiers/<str:code>/official/", views.official_dossier, name="dossier"),
]
