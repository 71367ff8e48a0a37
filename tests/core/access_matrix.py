"""core's part of the access matrix (tests/accounts/test_access_matrix.py): the government tree.

An app's part is ``tests/<app label>/access_matrix.py`` with any of ``PUBLIC`` (endpoints anyone
may call), ``SCOPE_ONLY`` (endpoint -> the scope that alone opens it) and ``CASES`` (endpoint ->
a function of the test tree giving the object, who may and who must not reach it).
"""

# Public reference data: anyone reads the government tree.
PUBLIC = {
    ("/api/v1/organisations/{id}/", "get"),
    ("/api/v1/organisations/{id}/subtree/", "get"),
}
