from django.urls import path

from . import views

app_name = "sync"

urlpatterns = [
    path("failures/", views.failures, name="failures"),
    path("failures/<int:pk>/retry/", views.retry, name="retry"),
    path("my/dossiers/", views.my_dossiers, name="my-dossiers"),
    path("my/dossiers/<int:pk>/", views.my_dossier, name="my-dossier"),
    path("lookup/", views.lookup, name="lookup"),
    path("figures/", views.figures, name="figures"),
]
