import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from egov.core.models import AuditEntry
from egov.core.services import audit

pytestmark = pytest.mark.django_db


def write(n):
    with transaction.atomic():
        for i in range(n):
            audit.record(actor=f"user:{i}", action="test.act", object_type="t", object_id=i)


def raw(sql, params=()):
    """Tamper as an attacker with database access would (bypassing PostgreSQL's trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_chain_links_rows_and_verifies(capsys):
    write(5)
    rows = list(AuditEntry.objects.order_by("seq"))
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    call_command("audit", "verify")
    assert "5 rows" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(audit.AuditError):
        audit.record(actor=None, action="x", object_type="t")


def test_no_personal_data_only_actor_ids(django_user_model):
    user = django_user_model.objects.create(username="cb01", email="a@b.vn", first_name="An")
    with transaction.atomic():
        entry = audit.record(actor=user, action="test", object_type="t")
    assert entry.actor == f"user:{user.pk}"


@pytest.mark.parametrize(
    ("tamper", "bad_seq", "reason"),
    [
        ("UPDATE core_auditentry SET action = 'forged' WHERE seq = 3", 3, "edited"),
        ("DELETE FROM core_auditentry WHERE seq = 3", 4, "deleted"),
        ("UPDATE core_auditentry SET summary = '{\"x\": 1}' WHERE seq = 2", 2, "edited"),
    ],
)
def test_verify_names_the_first_bad_row(tamper, bad_seq, reason):
    write(5)
    raw(tamper)
    problem = audit.verify().problem
    assert problem is not None and problem.seq == bad_seq
    assert reason.split()[0] in problem.reason or "missing" in problem.reason
    with pytest.raises(CommandError, match=f"seq={bad_seq}"):
        call_command("audit", "verify")


def test_row_inserted_out_of_order_is_found():
    write(3)
    # Make room after row 1 and slip in a fabricated row 2 whose own hash is consistent.
    raw("UPDATE core_auditentry SET seq = seq + 100 WHERE seq >= 2")
    raw("UPDATE core_auditentry SET seq = seq - 99 WHERE seq >= 100")
    first = AuditEntry.objects.get(seq=1)
    forged = AuditEntry(
        seq=2,
        created_at=first.created_at,
        actor="user:666",
        action="forged.grant",
        object_type="t",
        prev_hash=first.hash,
    )
    forged.hash = audit.compute_hash(forged)
    forged.save(force_insert=True)
    problem = audit.verify().problem
    assert problem is not None and problem.seq == 3


def test_postgres_refuses_update_delete_and_truncate_of_audit_rows():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is a PostgreSQL feature")
    write(2)
    for sql in (
        "UPDATE core_auditentry SET action = 'x'",
        "DELETE FROM core_auditentry",
        "TRUNCATE core_auditentry",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEntry.objects.count() == 2


def test_deferred_rows_are_appended_at_the_end_in_order():
    with transaction.atomic():
        with audit.deferred():
            audit.record(actor="user:1", action="test.first", object_type="t", object_id=1)
            # Held back: nothing is in the log (nor the chain's lock taken) yet.
            assert not AuditEntry.objects.exists()
            audit.record(actor="user:1", action="test.second", object_type="t", object_id=2)
        assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)) == [
            "test.first",
            "test.second",
        ]
        audit.record(actor="user:1", action="test.after", object_type="t", object_id=3)
    assert AuditEntry.objects.get(action="test.after").seq == 3  # appended at once again
    assert audit.verify().intact


def test_deferred_rows_are_dropped_when_the_block_raises():
    with transaction.atomic():
        with pytest.raises(ValueError), audit.deferred():
            audit.record(actor="user:1", action="test.lost", object_type="t", object_id=1)
            raise ValueError("the change failed")
        audit.record(actor="user:1", action="test.kept", object_type="t", object_id=2)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.kept"]


@pytest.mark.django_db(transaction=True)
def test_deferred_outside_a_transaction_is_refused():
    with pytest.raises(audit.AuditError), audit.deferred():
        pass
