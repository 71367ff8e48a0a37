"""Refusals of the hub: a code for machines, a message for people, the element when known."""

from __future__ import annotations


class HubError(Exception):
    """A package or status the hub refuses. Nothing of it has been stored."""

    status = 400

    def __init__(self, code: str, message: str, *, element: str = "", rule: str = "", status=None):
        self.code = code
        self.message = message
        self.element = element
        self.rule = rule
        if status is not None:
            self.status = status
        super().__init__(f"{code}: {message}")

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message, "fields": {}}
        if self.element:
            data["element"] = self.element
            data["rule"] = self.rule
        return data
