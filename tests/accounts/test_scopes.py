"""Scopes and role grants are declared by the apps; together they are what they always were."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from egov.accounts import policy, scopes
from egov.accounts.models import Role


def test_the_apps_declare_every_scope_once():
    assert sorted(scopes.SCOPES) == [
        "accounts.admin",
        "accounts.read",
        "assignments.manage",
        "assignments.read",
        "assignments.report",
        "cabinet.answer",
        "cabinet.issue",
        "cabinet.read",
        "catalog.write",
        "consultation.answer",
        "consultation.comment",
        "consultation.manage",
        "consultation.moderate",
        "consultation.read",
        "documents.read",
        "documents.receive",
        "documents.send",
        "dossiers.apply",
        "dossiers.approve",
        "dossiers.process",
        "dossiers.read",
        "dossiers.receive",
        "dossiers.return",
        "payments.collect",
        "payments.read",
        "payments.refund",
        "petitions.answer",
        "petitions.dispatch",
        "petitions.handle",
        "petitions.inbound",
        "petitions.publish",
        "petitions.read",
        "petitions.submit",
        "ratings.rate",
        "ratings.read",
        "reports.approve",
        "reports.read",
        "reports.submit",
        "reports.targets",
        "serviceindex.read",
        "serviceindex.recompute",
        "sync.ingest",
        "sync.read",
        "sync.retry",
    ]


def test_a_scope_declared_again_must_say_the_same():
    assert scopes.declare("dossiers.read", "Read dossiers") == "dossiers.read"
    with pytest.raises(ImproperlyConfigured, match="dossiers.read"):
        scopes.declare("dossiers.read", "Something else")


def test_roles_carry_the_scopes_the_apps_grant():
    granted = dict(policy.ROLE_SCOPES)
    assert granted == {
        Role.DESK: {
            "assignments.read",
            "dossiers.read",
            "dossiers.receive",
            "dossiers.return",
            "payments.read",
            "payments.collect",
            "petitions.read",
            "petitions.dispatch",
            "petitions.handle",
            "ratings.read",
            "sync.read",
            "sync.retry",
        },
        Role.PROCESSOR: {
            "assignments.read",
            "assignments.report",
            "dossiers.read",
            "dossiers.process",
            "payments.read",
            "petitions.read",
            "petitions.handle",
            "ratings.read",
            "consultation.read",
            "consultation.manage",
            "consultation.answer",
        },
        Role.APPROVER: {
            "assignments.manage",
            "assignments.read",
            "assignments.report",
            "dossiers.read",
            "dossiers.approve",
            "payments.read",
            "payments.refund",
            "petitions.read",
            "petitions.handle",
            "petitions.answer",
            "petitions.publish",
            "ratings.read",
            "sync.read",
            "sync.retry",
            "documents.read",
            "reports.read",
            "reports.approve",
            "serviceindex.read",
            "consultation.read",
            "consultation.manage",
            "consultation.answer",
            "consultation.moderate",
        },
        Role.CLERK: {
            "documents.read",
            "documents.send",
            "documents.receive",
            "assignments.manage",
            "assignments.read",
        },
        Role.REPORTER: {
            "assignments.read",
            "reports.read",
            "reports.submit",
            "ratings.read",
            "sync.read",
            "serviceindex.read",
        },
        Role.CATALOGUE_MANAGER: {"catalog.write"},
        Role.ADMINISTRATOR: {
            "accounts.read",
            "accounts.admin",
            "serviceindex.read",
            "serviceindex.recompute",
            "reports.targets",
        },
    }
