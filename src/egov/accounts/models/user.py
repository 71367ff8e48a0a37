from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Everyone who logs in: officials now; citizens (OIDC) and API clients come with issue 3.

    A custom user model from the first migration, because Django cannot swap it later.
    """

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        db_table = "accounts_user"
