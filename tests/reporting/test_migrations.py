"""reporting 0010: the documents kept before replays were refused get the digest of what their
signature covers; a replay accepted before then (the same document twice) keeps none, so the
unique index can be built."""

from __future__ import annotations

import shutil

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from egov.reporting.models import DataSignature
from egov.reporting.services import xml_data

from .form_support import send

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 not installed"),
]


def migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_kept_documents_get_their_digest_and_a_replay_none(w):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    submission = send(w.reporter, w.regime, w.t.a)
    first = xml_data.sign(submission, actor=w.reporter)
    expected = first.signed_digest
    # The same bytes kept twice, as an upload before 0010 could do.
    replay = DataSignature.objects.create(
        submission=submission,
        version=first.version,
        signed_by=w.reporter,
        holder=first.holder,
        signed_at=first.signed_at,
        document=bytes(first.document),
        sha256=first.sha256,
        uploaded=True,
    )
    broken = DataSignature.objects.create(
        submission=submission,
        version=first.version,
        signed_by=w.reporter,
        holder=first.holder,
        signed_at=first.signed_at,
        document=b"<ReportData/>",
        sha256="0" * 64,
    )
    migrate([("reporting", "0009_xml_signatures")])
    migrate(latest)
    digests = dict(DataSignature.objects.values_list("pk", "signed_digest"))
    assert digests == {first.pk: expected, replay.pk: None, broken.pk: None}
    assert len(expected) == 64
