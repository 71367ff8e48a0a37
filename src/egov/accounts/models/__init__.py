# One module per aggregate; import each here so Django finds the models.
from .user import User

__all__ = ["User"]
