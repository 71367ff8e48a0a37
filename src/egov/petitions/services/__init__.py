"""Every change of a petition's state (docs/architecture.md, "State changes")."""

from egov.petitions.services.handling import (
    ACT_FUNCTIONS,
    accept,
    answer,
    forward,
    merge,
    publish,
    refuse,
    request_supplement,
    return_to_centre,
    start,
    supplement,
)
from egov.petitions.services.submission import PetitionData, Upload, submit

__all__ = [
    "ACT_FUNCTIONS",
    "PetitionData",
    "Upload",
    "accept",
    "answer",
    "forward",
    "merge",
    "publish",
    "refuse",
    "request_supplement",
    "return_to_centre",
    "start",
    "submit",
    "supplement",
]
