from .support import sw  # noqa: F401 - the sync world fixture
