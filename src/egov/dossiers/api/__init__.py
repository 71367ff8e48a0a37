"""The dossier API: ``serializers`` (what it reads and answers), ``permissions`` (who may call
what, each act's scopes from egov.dossiers.acts), ``errors`` (a service's refusal as an answer)
and ``viewsets`` (the routes, mounted by egov.dossiers.api_urls)."""
