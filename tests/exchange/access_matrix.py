"""The exchange's part of the access matrix (tests/accounts/test_access_matrix.py)."""

from . import support

CASES = {
    ("/api/v1/exchange/packages/{id}/", "get"): support.package_case,
    ("/api/v1/exchange/packages/{id}/receipt/", "get"): support.package_case,
    ("/api/v1/exchange/packages/{id}/trail/", "get"): support.package_case,
    ("/api/v1/exchange/mailbox/{id}/", "get"): support.delivery_case,
    ("/api/v1/exchange/mailbox/{id}/package/", "get"): support.delivery_case,
    ("/api/v1/exchange/mailbox/{id}/acknowledge/", "post"): support.delivery_case,
    ("/api/v1/exchange/mailbox/{id}/recall/", "get"): support.recall_case,
    ("/api/v1/exchange/mailbox/{id}/recall/acknowledge/", "post"): support.recall_case,
    ("/api/v1/exchange/packages/{id}/retry/", "post"): support.retry_case,
    ("/api/v1/exchange/mailbox/{id}/retry/", "post"): support.answer_retry_case,
    ("/api/v1/exchange/statuses/{id}/", "get"): support.status_case,
    ("/api/v1/exchange/statuses/{id}/acknowledge/", "post"): support.status_case,
}
