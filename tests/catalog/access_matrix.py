"""The catalogue's part of the access matrix (tests/accounts/test_access_matrix.py)."""

from egov.catalog import scopes

# Public: what the portal shows every visitor; checking a form against its template stores
# nothing.
PUBLIC = {
    ("/api/v1/procedures/{code}/", "get"),
    ("/api/v1/procedures/{code}/versions/", "get"),
    ("/api/v1/procedures/{code}/versions/{number}/", "get"),
    ("/api/v1/procedures/{code}/form/", "get"),
    ("/api/v1/procedures/{code}/form/validate/", "post"),
    ("/api/v1/sectors/{id}/", "get"),
}
# Closed by scope alone (objects without an organisation of their own yet): anonymous callers,
# citizens and officials without the scope are refused. Move these to CASES once catalogue
# managers are limited to their organisation's procedures.
SCOPE_ONLY = {
    ("/api/v1/procedures/{code}/drafts/", "post"): scopes.WRITE,
    ("/api/v1/procedures/{code}/versions/{number}/content/", "put"): scopes.WRITE,
    ("/api/v1/procedures/{code}/versions/{number}/publish/", "post"): scopes.WRITE,
    ("/api/v1/procedures/{code}/versions/{number}/discard/", "delete"): scopes.WRITE,
}
