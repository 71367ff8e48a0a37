"""On PostgreSQL the exchange evidence table refuses UPDATE and DELETE for every role.

As for the audit log (core 0002): only a superuser can get round it
(session_replication_role = replica); the role that serves requests must not be a superuser.
TRUNCATE is not blocked (test flushes use it).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION exchange_evidence_append_only() RETURNS trigger AS $$
BEGIN
    -- No percent placeholders here: the migration's SQL passes through the driver's formatter.
    RAISE EXCEPTION USING
        MESSAGE = 'exchange_evidence is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS exchange_evidence_append_only ON exchange_evidence;
CREATE TRIGGER exchange_evidence_append_only
    BEFORE UPDATE OR DELETE ON exchange_evidence
    FOR EACH ROW EXECUTE FUNCTION exchange_evidence_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS exchange_evidence_append_only ON exchange_evidence;
DROP FUNCTION IF EXISTS exchange_evidence_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
