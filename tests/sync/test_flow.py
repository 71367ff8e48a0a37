"""Provincial to national through the outbox and the real worker, the national side in this
process (tests.sync.support.InProcess): end state equal, session kept and renewed, "already
exists" answered by the update, failures listed and sent again, the reconciliation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from egov.accounts.models import AccessToken
from egov.core.models import OutboxMessage
from egov.dossiers import services
from egov.sync import wire
from egov.sync.models import NationalDossier, NationalProgress, SyncMark
from egov.sync.services import reconcile

from ..dossiers.core_support import submit, walk_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outbox]


def drain():
    call_command("worker", batch=True, verbosity=0)


def states():
    return dict(OutboxMessage.objects.filter(kind="sync.dossier").values_list("key", "state"))


def test_a_dossiers_life_arrives_whole_at_the_national_side(sw):
    d = walk_in(sw)
    d = services.start_processing(d, actor=sw.desk.user, assignee=sw.processor)
    d = services.stop(d, actor=sw.approver.user, reason="Người nộp đề nghị dừng")
    drain()
    assert set(states().values()) == {"sent"}
    kept = NationalDossier.objects.get(code=d.code)
    assert (kept.province, kept.status, kept.id_number) == (sw.p, 8, "001199000111")
    assert kept.finished_at is not None and kept.version == d.progress.order_by("-pk")[0].pk
    assert NationalProgress.objects.filter(dossier=kept).count() == d.progress.count()
    assert list(
        NationalProgress.objects.filter(dossier=kept)
        .order_by("version")
        .values_list("status", flat=True)
    ) == list(d.progress.order_by("pk").values_list("to_status", flat=True))
    # One login for all of it; creates first, then the updates it knows it needs.
    assert sw.transport.logins() == 1
    assert SyncMark.objects.get(dossier=d).version == kept.version


def test_an_expired_session_is_renewed_once(sw):
    walk_in(sw)
    drain()
    AccessToken.objects.update(expires_at=timezone.now())
    walk_in(sw)
    drain()
    assert set(states().values()) == {"sent"}
    assert sw.transport.logins() == 2


def test_already_there_falls_back_to_the_update(sw):
    d = walk_in(sw)
    drain()
    SyncMark.objects.all().delete()  # this side forgot; the national side did not
    services.start_processing(d, actor=sw.desk.user, assignee=sw.processor)
    drain()
    creates = [b for b in sw.transport.services(wire.DOSSIER_SERVICE) if b["isUpdating"] == "False"]
    assert len(creates) == 2  # the first sync, and the one answered "already exists"
    assert NationalDossier.objects.get(code=d.code).status == 4


def test_a_refusal_fails_at_once_and_can_be_sent_again(sw, client, django_assert_max_num_queries):
    d = walk_in(sw)
    type(d).objects.filter(pk=d.pk).update(status=0)  # not a national status
    drain()
    failed = list(OutboxMessage.objects.filter(kind="sync.dossier", state="failed"))
    assert len(failed) == d.progress.count()
    assert all(f.attempts == 1 and "TrangThaiHoSo" in f.last_error for f in failed)
    client.force_login(sw.desk.user)
    client.get("/api/v1/sync/failures/")  # the session and the official's grants, once
    with django_assert_max_num_queries(6):  # whatever the number of rows
        listed = client.get("/api/v1/sync/failures/").json()
    assert [(f["id"], f["dossier"]) for f in listed] == [
        (f.pk, d.code) for f in sorted(failed, key=lambda f: -f.pk)
    ]
    page = client.get("/sync/failures/")
    assert page.status_code == 200 and d.code in page.content.decode()
    type(d).objects.filter(pk=d.pk).update(status=2, applicant_name="Trần Thị Bình")
    answer = client.post(f"/api/v1/sync/failures/{failed[0].pk}/retry/")
    assert answer.status_code == 202
    assert client.post(f"/api/v1/sync/failures/{failed[0].pk}/retry/").status_code == 400
    page = client.post(f"/sync/failures/{failed[1].pk}/retry/")
    assert page.status_code == 302
    drain()
    assert client.get("/api/v1/sync/failures/").json() == []
    assert NationalDossier.objects.get(code=d.code).applicant_name == "Trần Thị Bình"


def test_a_national_side_down_is_retried_with_backoff(sw, settings):
    walk_in(sw)
    sw.transport.down = True
    drain()
    pending = OutboxMessage.objects.filter(kind="sync.dossier", state="pending")
    assert pending.count() >= 1
    first = pending.order_by("pk").first()
    assert first.attempts == 1 and first.next_attempt_at > timezone.now()
    sw.transport.down = False
    # Time passes beyond the backoff: the worker's sweep queues the rows again.
    past = timezone.now() - dt.timedelta(seconds=settings.EGOV_OUTBOX_LEASE_SECONDS + 1)
    OutboxMessage.objects.filter(pk__in=pending).update(next_attempt_at=past)
    drain()
    assert set(states().values()) == {"sent"}


def test_the_reconciliation_finds_and_requeues_what_is_missing(sw):
    one = walk_in(sw)
    two = submit(sw)
    drain()
    NationalDossier.objects.filter(code=two.code).delete()
    day = timezone.localdate()
    found = reconcile.reconcile(day)
    assert (found.here, found.there, found.missing) == (2, 1, [two.code])
    reconcile.reconcile(day, requeue=True)
    drain()
    again = reconcile.reconcile(day)
    assert (again.here, again.there, again.missing) == (2, 2, [])
    assert one.code in NationalDossier.objects.values_list("code", flat=True)
    assert reconcile.reconcile(day + dt.timedelta(days=1)).here == 0


def test_rows_delivered_in_reverse_order_end_in_the_same_state(sw):
    from egov.core.services import outbox

    d = walk_in(sw)
    d = services.start_processing(d, actor=sw.desk.user, assignee=sw.processor)
    d = services.stop(d, actor=sw.approver.user, reason="dừng")
    rows = OutboxMessage.objects.filter(kind="sync.dossier").order_by("-pk")
    assert [outbox.run(pk, early=True) for pk in rows.values_list("pk", flat=True)] == [
        "sent"
    ] * rows.count()
    kept = NationalDossier.objects.get(code=d.code)
    assert (kept.status, kept.version) == (8, d.progress.order_by("-pk")[0].pk)
    history = list(
        NationalProgress.objects.filter(dossier=kept)
        .order_by("at", "version")
        .values_list("version", "status")
    )
    assert history == list(d.progress.order_by("pk").values_list("pk", "to_status"))
