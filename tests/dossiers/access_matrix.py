"""The dossiers' part of the access matrix (tests/accounts/test_access_matrix.py)."""

from .core_matrix import CASES

__all__ = ["CASES"]
