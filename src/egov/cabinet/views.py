from django.http import HttpResponse


def ballots(request):
    return HttpResponse()


issue = ballot = tally_fragment = report = ballots
