"""The search index of egov.catalog.search (owned by the portal/search work, issue 4b).

It lives in the portal app's migrations so that it never competes with the catalogue's own
migration graph; it only needs the catalogue's tables to exist.

Plain tables, not models: catalog_search_entry (ranking fields; on PostgreSQL also the words as a
tsvector with a GIN index), catalog_search_term (vocabulary for typo correction) and, on SQLite,
the FTS5 table catalog_search_fts. egov.catalog.search.index_procedures() keeps them in step.
"""

from django.db import migrations

COMMON = [
    "CREATE TABLE catalog_search_term (term varchar(64) PRIMARY KEY, len integer NOT NULL,"
    " df integer NOT NULL)",
    "CREATE INDEX catalog_search_term_len ON catalog_search_term (len)",
]

SQLITE = [
    "CREATE TABLE catalog_search_entry (procedure_id integer PRIMARY KEY, code varchar(32) NOT NULL,"
    " name_key text NOT NULL, name_len integer NOT NULL, detailed smallint NOT NULL)",
    "CREATE VIRTUAL TABLE catalog_search_fts USING fts5(doc, tokenize='unicode61',"
    " detail='none')",
]

POSTGRESQL = [
    "CREATE TABLE catalog_search_entry (procedure_id bigint PRIMARY KEY, code varchar(32) NOT NULL,"
    " name_key text NOT NULL, name_len integer NOT NULL, detailed smallint NOT NULL,"
    " doc tsvector NOT NULL)",
    "CREATE INDEX catalog_search_entry_doc ON catalog_search_entry USING gin (doc)",
]

DROP = [
    "DROP TABLE IF EXISTS catalog_search_fts",
    "DROP TABLE IF EXISTS catalog_search_entry",
    "DROP TABLE IF EXISTS catalog_search_term",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = COMMON + (POSTGRESQL if vendor == "postgresql" else SQLITE)
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    initial = True

    operations = [migrations.RunPython(create, drop)]
