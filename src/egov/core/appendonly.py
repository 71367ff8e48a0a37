"""A migration operation that makes a table append-only on PostgreSQL.

    from egov.core.appendonly import AppendOnly

    operations = [..., AppendOnly("ballot")]

Triggers refuse UPDATE and DELETE of any row and TRUNCATE of the table, for every role: the
chains (egov.core.chain) and their anchors use it. On other databases it does nothing (SQLite is
for development; the chain's verify still finds what was changed).

Only a superuser gets past it, with ``session_replication_role = replica`` (triggers do not
fire then), which is how the tamper tests and the test suite's flush work; the role that serves
requests must not be a superuser (docs/configuration.md). The table's owner could also drop the
triggers: the chain's anchors, kept outside the database, are what finds that out.
"""

from __future__ import annotations

from django.db import router
from django.db.migrations.operations.base import Operation

# No percent placeholders in the SQL: a migration's SQL passes through the driver's formatter.
_FUNCTION = """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""
_ROWS = (
    "CREATE TRIGGER {rows} BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION {function}()"
)
_TRUNCATE = (
    "CREATE TRIGGER {truncate} BEFORE TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
)
_DROP = (
    "DROP TRIGGER IF EXISTS {rows} ON {table}",
    "DROP TRIGGER IF EXISTS {truncate} ON {table}",
    "DROP FUNCTION IF EXISTS {function}()",
)


class AppendOnly(Operation):
    """Refuse UPDATE, DELETE and TRUNCATE on the model's table (PostgreSQL); reversible."""

    reversible = True
    reduces_to_sql = True
    elidable = False

    def __init__(self, model_name: str):
        self.model_name = model_name

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model_name], {})

    def state_forwards(self, app_label, state):
        pass  # triggers are not part of Django's model state

    def _names(self, schema_editor, table: str) -> dict[str, str]:
        q = schema_editor.quote_name
        # One function per table, so reversing one table's operation leaves the others alone.
        return {
            "table": q(table),
            "function": q(f"{table}_append_only"),
            "rows": q(f"{table}_append_only"),
            "truncate": q(f"{table}_no_truncate"),
        }

    def _table(self, app_label, schema_editor, state) -> str | None:
        if schema_editor.connection.vendor != "postgresql":
            return None
        model = state.apps.get_model(app_label, self.model_name)
        if not router.allow_migrate_model(schema_editor.connection.alias, model):
            return None
        return model._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table = self._table(app_label, schema_editor, to_state)
        if table is None:
            return
        names = self._names(schema_editor, table)
        for sql in (*_DROP[:2], _FUNCTION, _ROWS, _TRUNCATE):
            schema_editor.execute(sql.format(**names), params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table = self._table(app_label, schema_editor, from_state)
        if table is None:
            return
        names = self._names(schema_editor, table)
        for sql in _DROP:
            schema_editor.execute(sql.format(**names), params=None)

    def describe(self) -> str:
        return f"Make {self.model_name} append-only (PostgreSQL triggers)"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_append_only"
