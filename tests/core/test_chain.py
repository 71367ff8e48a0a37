# ruff: noqa: S608 - table names are the test's own constants.
"""The hash chain built once (egov.core.chain): its two users, its anchors, and the AppendOnly
migration operation (egov.core.appendonly)."""

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.state import ProjectState

from egov.core import chain
from egov.core.appendonly import AppendOnly
from egov.core.models import AuditEntry, ChainAnchor, ChainedRow
from egov.core.services import audit
from egov.exchange.models import Evidence
from egov.exchange.services import evidence

pytestmark = pytest.mark.django_db


def write_audit(n):
    with transaction.atomic():
        audit.record_many(
            [{"actor": "system", "action": "test.act", "object_id": i} for i in range(n)]
        )


def write_evidence(n):
    with transaction.atomic():
        evidence.append_many(
            [evidence.Entry("status", f"doc-{i % 2}", "000.00.00.H26", b"<s/>") for i in range(n)]
        )


# Both users, walked by the same code: (chain, writer, table, command).
USERS = [
    pytest.param(audit.CHAIN, write_audit, "core_auditentry", "audit", id="audit"),
    pytest.param(evidence.CHAIN, write_evidence, "exchange_evidence", "exchange", id="evidence"),
]


def raw(sql):
    """Tamper as an attacker with database access would (past PostgreSQL's triggers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        elif sql.startswith("TRUNCATE"):
            sql = sql.replace("TRUNCATE", "DELETE FROM")
        cursor.execute(sql)


def test_the_audit_log_and_the_evidence_are_chains_of_core():
    assert isinstance(audit.CHAIN, chain.Chain) and isinstance(evidence.CHAIN, chain.Chain)
    assert issubclass(AuditEntry, ChainedRow) and issubclass(Evidence, ChainedRow)
    assert audit.verify().chain == "audit"
    assert evidence.verify().chain == "exchange.evidence"


@pytest.mark.parametrize(("log", "write", "table", "command"), USERS)
def test_verify_records_the_head_as_an_anchor_and_prints_it(log, write, table, command, capsys):
    write(3)
    call_command(command, "verify")
    last = log.model.objects.order_by("seq").last()
    anchor = ChainAnchor.objects.get(chain=log.name)
    assert (anchor.length, anchor.head) == (3, last.hash)
    assert f"Anchor: 3:{last.hash}" in capsys.readouterr().out
    # Nothing new: no new anchor. Two more rows: the chain extends the anchor, a new one is kept.
    log.verify()
    assert ChainAnchor.objects.filter(chain=log.name).count() == 1
    write(2)
    verdict = log.verify()
    assert verdict.intact and verdict.length == 5
    assert [a.length for a in verdict.checked] == [3]
    recorded = ChainAnchor.objects.filter(chain=log.name).order_by("id")
    assert list(recorded.values_list("length", flat=True)) == [3, 5]


@pytest.mark.parametrize(("log", "write", "table", "command"), USERS)
def test_deleting_the_last_rows_is_found_against_the_recorded_anchor(log, write, table, command):
    write(5)
    log.verify()
    raw(f"DELETE FROM {table} WHERE seq > 3")
    verdict = log.verify()
    assert verdict.length == 3 and verdict.problem is not None
    assert "has 3 rows but the anchor recorded at" in verdict.problem.reason
    assert "removed from its end" in verdict.problem.reason
    with pytest.raises(CommandError, match="says it had 5: rows were removed from its end"):
        call_command(command, "verify")
    # A broken chain records no anchor.
    assert ChainAnchor.objects.filter(chain=log.name).count() == 1


@pytest.mark.parametrize(("log", "write", "table", "command"), USERS)
def test_an_emptied_table_is_found_against_the_recorded_anchor(log, write, table, command):
    write(4)
    log.verify()
    raw(f"TRUNCATE {table}")
    with pytest.raises(CommandError, match="has 0 rows but .* had 4: .*or it was emptied"):
        call_command(command, "verify")


@pytest.mark.parametrize(("log", "write", "table", "command"), USERS)
def test_a_shortened_chain_is_found_against_the_anchor_the_operator_kept(
    log, write, table, command, capsys
):
    write(5)
    call_command(command, "verify")
    kept = capsys.readouterr().out.split("Anchor: ")[1].split()[0]
    # Whoever cut the chain also emptied the anchors table: only the kept anchor knows.
    raw(f"DELETE FROM {table} WHERE seq > 2")
    raw("DELETE FROM core_chainanchor")
    assert log.verify().intact
    verdict = log.verify(chain.Anchor.parse(kept))
    assert "the anchor given says it had 5" in str(verdict.problem)
    with pytest.raises(CommandError, match="2 rows but the anchor given says it had 5"):
        call_command(command, "verify", "--anchor", kept)


@pytest.mark.parametrize(("log", "write", "table", "command"), USERS)
def test_a_rewritten_chain_does_not_extend_the_anchor(log, write, table, command):
    write(3)
    kept = str(log.verify().head)
    # Emptied and written again, longer, every row consistent with the one before it.
    raw(f"TRUNCATE {table}")
    write(4)
    verdict = log.verify(chain.Anchor.parse(kept))
    assert verdict.problem is not None and verdict.problem.seq == 3
    assert "the chain was rewritten" in verdict.problem.reason
    with pytest.raises(CommandError, match="seq=3 .*not the one the anchor recorded at"):
        call_command(command, "verify")
    # Rewritten to the same length, the anchors emptied: a new anchor of the same length is
    # recorded, and the kept one still finds it.
    raw(f"TRUNCATE {table}")
    raw("DELETE FROM core_chainanchor")
    write(3)
    assert log.verify().intact
    with pytest.raises(CommandError, match="seq=3 .*not the one the anchor given gives"):
        call_command(command, "verify", "--anchor", kept)


def test_an_anchor_that_is_not_one_is_refused_with_a_sentence():
    with pytest.raises(CommandError, match="--anchor: '5:abc' is not an anchor"):
        call_command("audit", "verify", "--anchor", "5:abc")
    with pytest.raises(ValueError, match="empty chain"):
        chain.Anchor.parse("0:" + "a" * 64)
    assert chain.Anchor.parse(f"0:{chain.GENESIS}").length == 0


def test_a_batch_is_one_lock_one_read_of_the_end_and_one_insert(django_assert_num_queries):
    lock = 1 if connection.vendor == "postgresql" else 0
    rows = [{"actor": "system", "action": "test.act", "object_id": i} for i in range(20)]
    with transaction.atomic():
        with django_assert_num_queries(lock + 2):
            audit.record_many(rows)
        entries = [evidence.Entry("status", f"doc-{i % 3}", "X", b"<s/>") for i in range(20)]
        with django_assert_num_queries(lock + 2):
            evidence.append_many(entries)
    assert audit.verify().intact and evidence.verify().intact


@pytest.mark.django_db(transaction=True)
def test_the_test_flush_gets_past_the_truncate_trigger():
    # The flush after this test TRUNCATEs every table, the chains' too (tests/conftest.py).
    write_audit(2)
    write_evidence(2)
    assert audit.verify().intact and evidence.verify().intact
    assert ChainAnchor.objects.count() == 2


@pytest.mark.parametrize("table", ["core_auditentry", "exchange_evidence", "core_chainanchor"])
def test_postgres_refuses_truncate_update_and_delete(table):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only triggers are a PostgreSQL feature")
    write_audit(2)
    write_evidence(2)
    audit.verify()
    for sql in (f"TRUNCATE {table}", f"DELETE FROM {table}", f"UPDATE {table} SET id = id"):
        with (
            pytest.raises(DatabaseError, match=f"{table} is append-only: .* refused"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert audit.verify().length == 2 and evidence.verify().length == 2


def _triggers(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal"
            " ORDER BY tgname",
            [table],
        )
        return [name for (name,) in cursor.fetchall()]


def test_the_operation_installs_the_triggers_and_its_reverse_removes_them():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only triggers are a PostgreSQL feature")
    write_audit(3)
    state = ProjectState.from_apps(apps)
    operation = AppendOnly("auditentry")
    # The old trigger (core 0002) is gone: the operation's two are there.
    assert _triggers("core_auditentry") == [
        "core_auditentry_append_only",
        "core_auditentry_no_truncate",
    ]
    with connection.schema_editor() as editor:
        operation.database_backwards("core", editor, state, state)
    assert _triggers("core_auditentry") == []
    assert _triggers("exchange_evidence") != []  # one table's reverse leaves the others alone
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = 3")
    with connection.schema_editor() as editor:
        operation.database_forwards("core", editor, state, state)
    with (
        pytest.raises(DatabaseError, match="append-only: DELETE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditentry")
    assert AuditEntry.objects.count() == 2


def test_the_operation_is_a_migration_operation_an_app_can_declare():
    operation = AppendOnly("ballot")
    assert operation.deconstruct() == ("AppendOnly", ["ballot"], {})
    assert operation.migration_name_fragment == "ballot_append_only"
    assert operation.reversible and not operation.elidable
    state = ProjectState()
    operation.state_forwards("cabinet", state)  # no change to the models' state
    assert state.models == {}


def test_a_chain_cannot_take_another_chains_name_or_lock():
    # Names kept for this test: the e-Cabinet's real ballots chain must not find them taken.
    with pytest.raises(TypeError, match="AuditChain has lock_key"):

        class Refused(chain.Chain):
            name = "tests.refused"
            lock_key = audit.CHAIN.lock_key

    with pytest.raises(TypeError, match="EvidenceChain has name 'exchange.evidence'"):

        class AlsoRefused(chain.Chain):
            name = "exchange.evidence"
            lock_key = 0x54455354

    # Refused, they took nothing: another chain can still have that name and that lock.
    class Accepted(chain.Chain):
        name = "tests.refused"
        lock_key = 0x54455354

    assert chain.Chain._taken[("name", "tests.refused")] is Accepted
