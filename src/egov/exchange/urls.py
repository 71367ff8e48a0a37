from django.urls import path

from . import picker, views

app_name = "exchange"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("outbox/", views.outbox, name="outbox"),
    path("documents/new/", views.register, name="register"),
    path("documents/new/recipients/", picker.recipients, name="recipients"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("packages/<int:pk>/", views.package, name="package"),
    path("packages/<int:pk>/retry/", views.retry, name="retry"),
    path("inbox/<int:pk>/", views.delivery, name="delivery"),
    path("inbox/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("inbox/<int:pk>/retry/", views.retry_answers, name="retry-answers"),
    path("inbox/<int:pk>/attachments/<int:index>/", views.attachment, name="attachment"),
]
