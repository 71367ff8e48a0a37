from django.urls import path

from egov.cabinet import meeting_views, views

app_name = "cabinet"

urlpatterns = [
    path("", views.ballots, name="ballots"),
    path("new/", views.issue, name="issue"),
    path("<int:number>/", views.ballot, name="ballot"),
    path("<int:number>/tally/", views.tally_fragment, name="tally"),
    path("<int:number>/report.pdf", views.report, name="report"),
    path("meetings/", meeting_views.meetings, name="meetings"),
    path("meetings/<int:number>/", meeting_views.meeting, name="meeting"),
    path("meetings/<int:number>/quorum/", meeting_views.quorum_fragment, name="quorum"),
    path("meetings/<int:number>/floor/", meeting_views.floor_fragment, name="floor"),
    path("meetings/<int:number>/minutes.pdf", meeting_views.minutes_pdf, name="minutes"),
]
