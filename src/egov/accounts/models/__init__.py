# One module per aggregate; import each here so Django finds the models.
from .citizens import (
    BusinessRepresentation,
    Citizen,
    CitizenSession,
    OidcReplayGuard,
    Representation,
)
from .clients import AccessToken, ApiClient, ClientKey
from .officials import LoginLockout, Official, TotpDevice
from .roles import Delegation, Role, RoleAssignment
from .user import User

__all__ = [
    "AccessToken",
    "ApiClient",
    "BusinessRepresentation",
    "Citizen",
    "CitizenSession",
    "ClientKey",
    "Delegation",
    "LoginLockout",
    "OidcReplayGuard",
    "Official",
    "Representation",
    "Role",
    "RoleAssignment",
    "TotpDevice",
    "User",
]
