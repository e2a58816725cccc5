"""Indexes of the staff console: a distributor's commissions and ledger newest first, and the search of
distributors by part of their name or their e-mail.

The name search (``display_name__icontains``: ``UPPER(display_name) LIKE UPPER('%term%')``) is a trigram
index on PostgreSQL when the ``pg_trgm`` extension is there or may be created (Saleor's database always
has it: Saleor's product migrations create it). Elsewhere (SQLite, a PostgreSQL role that may not create
extensions) the search still works, scanning the table.
"""

from django.db import migrations, models, transaction

NAME_INDEX = "wd_distributor_name_trgm"
EMAIL_INDEX = "wd_distributor_email_upper"
TABLE = "wechat_distribution_distributor"


def create_name_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        # ``email__iexact``: without it the search's OR (name, code, e-mail) scans the table whatever else
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {EMAIL_INDEX} ON {TABLE} (UPPER(email::text))")
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:
            return
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME_INDEX} ON {TABLE} "
            "USING gin ((UPPER(display_name::text)) gin_trgm_ops)"
        )


def drop_name_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {EMAIL_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("wechat_distribution", "0015_program_auto_approve"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="commission",
            index=models.Index(fields=["distributor", "-id"], name="wd_commission_dist_id"),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["distributor", "-id"], name="wd_ledger_dist_id"),
        ),
        migrations.RunPython(create_name_index, drop_name_index),
    ]
