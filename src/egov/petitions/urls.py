from django.urls import path

from egov.petitions import handling_views, public_views, views

app_name = "petitions"

urlpatterns = [
    path("", public_views.published, name="published"),
    path("published/<str:code>/", public_views.published_detail, name="published-detail"),
    path("published/<str:code>/react/", public_views.react, name="react"),
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
