from django.urls import path

from egov.petitions import handling_views, views

app_name = "petitions"

urlpatterns = [
    path("new/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:code>/", views.detail, name="detail"),
    path("mine/<str:code>/supplement/", views.supplement, name="supplement"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("answers/<str:code>.pdf", views.answer_pdf, name="answer-pdf"),
    path("handling/", handling_views.queue, name="queue"),
    path("handling/<str:code>/", handling_views.handle, name="handle"),
    path("handling/<str:code>/<str:name>/", handling_views.act, name="act"),
]
