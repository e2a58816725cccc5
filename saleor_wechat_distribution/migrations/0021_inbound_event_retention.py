"""Indexes of the inbound event retention job (``services/inbound_event_retention.py``): processed events
oldest first (``received_at``), and the few still to apply (``received_at`` where ``processed_at`` is
empty; App mode's ``app_events_resume`` reads them too).

The table this indexes is the one that grew without bound until now: millions of rows on a busy shop. A
plain ``CREATE INDEX`` would block its writes (every webhook and WeChat callback) for as long as the build
takes, so on PostgreSQL, when the migration does not run inside a transaction (``migrate`` in plugin mode,
App mode's public schema, the sandbox), the indexes are built ``CONCURRENTLY``; an invalid index left by an
interrupted concurrent build is dropped and built again. Inside a transaction (App mode migrates an
instance's schema in one) and on other databases (the sandbox's SQLite) they are built the ordinary way.
Either way ``IF NOT EXISTS``: an operator may build them beforehand, by hand, with the same names.
"""

from django.db import migrations, models

TABLE = "wechat_distribution_inboundevent"
RECEIVED = models.Index(fields=["received_at"], name="wd_inbound_received")
UNPROCESSED = models.Index(
    fields=["received_at"], condition=models.Q(processed_at__isnull=True), name="wd_inbound_unprocessed"
)
POSTGRESQL = {
    RECEIVED.name: "(received_at)",
    UNPROCESSED.name: "(received_at) WHERE processed_at IS NULL",
}


def _invalid(cursor, name: str) -> bool:
    """An index of that name on the table (the one the search path finds: App mode's instance schema)
    that an interrupted concurrent build left invalid."""
    cursor.execute(
        "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relname = %s AND i.indrelid = %s::regclass",
        [name, TABLE],
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def create_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        model = apps.get_model("wechat_distribution", "InboundEvent")
        for index in (RECEIVED, UNPROCESSED):
            schema_editor.add_index(model, index)
        return
    concurrently = "" if connection.in_atomic_block else "CONCURRENTLY "
    with connection.cursor() as cursor:
        for name, definition in POSTGRESQL.items():
            if _invalid(cursor, name):
                cursor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")
            cursor.execute(f"CREATE INDEX {concurrently}IF NOT EXISTS {name} ON {TABLE} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        model = apps.get_model("wechat_distribution", "InboundEvent")
        for index in (RECEIVED, UNPROCESSED):
            schema_editor.remove_index(model, index)
        return
    for name in POSTGRESQL:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    #: ``CREATE INDEX CONCURRENTLY`` cannot run in a transaction
    atomic = False

    dependencies = [
        ("wechat_distribution", "0020_installation_schema"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                # the hint: App mode's router runs it where the table is (public or an instance's schema)
                migrations.RunPython(create_indexes, drop_indexes, hints={"model_name": "inboundevent"}),
            ],
            state_operations=[
                migrations.AddIndex(model_name="inboundevent", index=RECEIVED),
                migrations.AddIndex(model_name="inboundevent", index=UNPROCESSED),
            ],
        ),
    ]
