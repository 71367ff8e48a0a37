# One module per aggregate; import each here so Django finds the models.
from .citizens import BusinessRepresentation, Citizen, CitizenSession, OidcReplayGuard
from .user import User

__all__ = [
    "BusinessRepresentation",
    "Citizen",
    "CitizenSession",
    "OidcReplayGuard",
    "User",
]
