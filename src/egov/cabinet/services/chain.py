"""The ballots' answers as the third user of the core hash chain (docs/architecture.md)."""

from egov.cabinet.models import Answer
from egov.core import chain


class AnswerChain(chain.Chain):
    name = "cabinet.answers"
    model = Answer
    lock_key = 0x43414249  # "CABI"
    hashed_fields = (
        "ballot_id",
        "question_id",
        "member_id",
        "choice",
        "text",
        "cast_by_id",
        "by_assistant",
        "document_sha256",
        "signer_fingerprint",
    )
    deferred = ("document",)  # document_sha256 is what the hash covers


ANSWERS = AnswerChain()
