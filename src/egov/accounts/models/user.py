from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """Everyone who logs in: officials now; citizens (OIDC) and API clients come with issue 3.

    A custom user model from the first migration, because Django cannot swap it later.
    """

    class Meta:
        db_table = "accounts_user"
