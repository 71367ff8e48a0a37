"""The frame of every page: who is logged in, their logout, and the officials' navigation.

A context processor (``frame``): the header shows an official's full name, title and
organisation, or a citizen's name, with a logout form (POST, CSRF), and to an official only the
links the apps registered (``egov.core.registry.nav_link``) for scopes they hold today. Lazy:
nothing is read until the template asks, and then once per request (the policy remembers the
grants on the user).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse

from egov.accounts import current, policy
from egov.core import registry


@dataclass(frozen=True)
class Person:
    kind: str  # "official" or "citizen"
    name: str
    title: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool


class Frame:
    def __init__(self, request):
        self.request = request

    @cached_property
    def _user(self):
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None

    @cached_property
    def official(self):
        # Read once per request with the view's guard and the policy (egov.accounts.current).
        return current.official_of(self._user) if self._user is not None else None

    @cached_property
    def person(self) -> Person | None:
        user = self._user
        if user is None:
            return None
        if self.official is not None:
            return Person(
                "official",
                user.get_full_name() or user.get_username(),
                self.official.title,
                self.official.organisation.name,
            )
        from egov.accounts.services.citizens import current_citizen

        citizen = current_citizen(self.request)
        if citizen is not None:
            return Person("citizen", citizen.full_name)
        # A superuser or staff account without a profile: the admin's people.
        return Person("official", user.get_full_name() or user.get_username())

    @property
    def logout_url(self) -> str:
        if self.person is not None and self.person.kind == "citizen":
            return reverse("oidc-logout")
        return reverse("official-logout")

    @cached_property
    def nav(self) -> list[Link]:
        """The registered links this official may follow; the one for this page is current."""
        if self.person is None or self.person.kind != "official":
            return []
        held = policy.scopes_of(self._user)
        shown = [
            (link, reverse(link.url_name))
            for link in registry.nav_links()
            if (link.shown(self._user) if link.shown else True)
            and ("*" in held or not link.scopes or held.intersection(link.scopes))
        ]
        path = self.request.path
        matches = [url for _, url in shown if path == url or path.startswith(url)]
        current = max(matches, key=len) if matches else None
        return [Link(str(link.label), url, url == current) for link, url in shown]


def frame(request):
    return {"frame": Frame(request)}
