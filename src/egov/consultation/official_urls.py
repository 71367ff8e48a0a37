"""The officials' pages and the reform plans, mounted by urls.py before the public
``<code>/`` paths (whose codes never take these words)."""

from django.urls import path

from egov.consultation import cost_views, draft_views, official_views, reform_views

urlpatterns = [
    path("manage/", official_views.workspace, name="workspace"),
    path("manage/moderation/", official_views.moderation, name="moderation"),
    path(
        "manage/comments/<int:pk>/<str:decision>/",
        official_views.moderate,
        name="moderate",
    ),
    path("manage/regulations/", cost_views.regulations, name="regulations"),
    path("manage/regulations/<int:pk>/costs/", cost_views.costs, name="regulation-costs"),
    path("manage/drafts/", draft_views.drafts, name="drafts"),
    path("manage/drafts/<str:code>/", draft_views.draft_page, name="draft"),
    path("manage/drafts/<str:code>/version/", draft_views.add_version, name="draft-version"),
    path(
        "manage/drafts/<str:code>/consult/",
        draft_views.open_consultation,
        name="draft-consult",
    ),
    path("manage/<str:code>/", official_views.consultation_page, name="official-detail"),
    path("manage/<str:code>/answer/", official_views.answer, name="official-answer"),
    path("manage/<str:code>/act/<slug:act>/", official_views.act, name="official-act"),
    path("reform-plans/", reform_views.plans, name="reform-plans"),
    path("reform-plans/<int:pk>/", reform_views.plan_page, name="reform-plan"),
    path("reform-plans/<int:pk>/items/", reform_views.add_item, name="reform-item-add"),
    path(
        "reform-plans/<int:pk>/items/<int:item>/remove/",
        reform_views.remove_item,
        name="reform-item-remove",
    ),
    path("reform-plans/<int:pk>/submit/", reform_views.submit, name="reform-submit"),
]
