"""Refusals of the hub: a code for machines, a message for people, the element when known."""

from __future__ import annotations

from django.utils.translation import ngettext


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


class BatchRefused(HubError):
    """A batch of packages refused whole: ``errors`` holds (index in the batch, refusal) for each
    refused package. Nothing of the batch has been stored."""

    def __init__(self, errors: list[tuple[int, HubError]]):
        self.errors = errors
        statuses = {error.status for _, error in errors}
        message = ngettext(
            "%(n)s package of the batch was refused; nothing was stored.",
            "%(n)s packages of the batch were refused; nothing was stored.",
            len(errors),
        ) % {"n": len(errors)}
        super().__init__(
            "batch_refused", message, status=statuses.pop() if len(statuses) == 1 else 400
        )

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["fields"] = {f"packages.{i}": [error.message] for i, error in self.errors}
        data["errors"] = [{"index": i, **error.as_dict()} for i, error in self.errors]
        for item in data["errors"]:
            item.pop("fields", None)
        return data
