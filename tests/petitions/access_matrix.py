"""The petitions' part of the access matrix (tests/accounts/test_access_matrix.py)."""

from egov.petitions import scopes

from .matrix_support import READ, attachment_case, case, merge_case

BASE = "/api/v1/petitions/{petition_code}/"

CASES = {
    (BASE, "get"): READ,
    (f"{BASE}attachments/{{number}}/", "get"): attachment_case,
    (f"{BASE}answer-pdf/", "get"): case("answered", "lead", scopes.READ),
    (f"{BASE}forward/", "post"): case(
        "received", "centre", scopes.DISPATCH, {"to_organisation": "000.00.01.H26"}
    ),
    (f"{BASE}accept/", "post"): case("forwarded", "desk", scopes.HANDLE),
    (f"{BASE}start/", "post"): case("accepted", "desk", scopes.HANDLE),
    (f"{BASE}request-supplement/", "post"): case(
        "handling", "desk", scopes.HANDLE, {"reason": "Thiếu"}
    ),
    (f"{BASE}supplement/", "post"): case(
        "supplement", "citizen", scopes.SUBMIT, {"note": "Bổ sung"}
    ),
    (f"{BASE}merge/", "post"): merge_case,
    (f"{BASE}refuse/", "post"): case("received", "centre", scopes.DISPATCH, {"reason": "Ngoài"}),
    (f"{BASE}return-to-centre/", "post"): case(
        "forwarded", "desk", scopes.HANDLE, {"reason": "Sai địa chỉ"}
    ),
    (f"{BASE}answer/", "post"): case("handling", "lead", scopes.ANSWER, {"answer": "Trả lời"}),
    (f"{BASE}publish/", "post"): case("answered", "lead", scopes.PUBLISH),
}
