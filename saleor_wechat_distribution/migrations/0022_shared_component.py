"""One Open Platform component shared by several Saleor instances (App mode): its verify ticket and the
table saying which instance holds an Official Account (``OfficialAccountRoute``) are registry tables, in
``public`` only (``app/schemas.py``'s router), where every instance's ``search_path`` finds them.

``forward`` moves what App mode kept per instance until now, on PostgreSQL (the sandbox's SQLite has one
shop and one schema: nothing moves):

- in ``public`` (and outside App mode): the ticket table is made if it is missing (App mode's ``public``
  had no table of the program before);
- in an instance's schema: its copy of the ticket table goes, its ticket joining ``public``'s when it is
  newer (the instances of one component then read one ticket);
- wherever Official Accounts live: each account not detached is routed to the schema holding it (kept
  when another schema already holds a route for it). Idempotent: run again, it changes nothing.
"""

from django.db import migrations, models, router

PUBLIC = "public"
TICKETS = "wechat_distribution_componentticket"
ACCOUNTS = "wechat_distribution_officialaccount"
ROUTES = "wechat_distribution_officialaccountroute"


def _exists(cursor, schema: str, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{schema}".{table}'])
    return bool(cursor.fetchone()[0])


def forward(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    ticket = apps.get_model("wechat_distribution", "ComponentTicket")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        here = cursor.fetchone()[0]
        if router.allow_migrate_model(connection.alias, ticket):
            if not _exists(cursor, here, TICKETS):
                schema_editor.create_model(ticket)
        elif here != PUBLIC and _exists(cursor, here, TICKETS):
            cursor.execute(
                f'INSERT INTO {PUBLIC}.{TICKETS} (component_app_id, ticket, received_at) '
                f'SELECT component_app_id, ticket, received_at FROM "{here}".{TICKETS} '
                f"ON CONFLICT (component_app_id) DO UPDATE SET ticket = EXCLUDED.ticket, "
                f"received_at = EXCLUDED.received_at WHERE {TICKETS}.received_at < EXCLUDED.received_at"
            )
            cursor.execute(f'DROP TABLE "{here}".{TICKETS}')
        if _exists(cursor, here, ACCOUNTS) and _exists(cursor, PUBLIC, ROUTES):
            cursor.execute(
                f'INSERT INTO {PUBLIC}.{ROUTES} (app_id, schema, updated_at) '
                f"SELECT app_id, %s, now() FROM \"{here}\".{ACCOUNTS} WHERE status <> 'detached' "
                "ON CONFLICT (app_id) DO NOTHING",
                [here],
            )


class Migration(migrations.Migration):
    dependencies = [("wechat_distribution", "0021_inbound_event_retention")]

    operations = [
        migrations.CreateModel(
            name="OfficialAccountRoute",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("app_id", models.CharField(max_length=32, unique=True)),
                ("schema", models.CharField(max_length=63)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
