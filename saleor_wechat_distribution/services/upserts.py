"""Insert a row unless its unique key exists, in one statement where the database allows it.

On PostgreSQL ``INSERT … ON CONFLICT DO NOTHING RETURNING`` both inserts and tells whether it did, with
no savepoint around it (a savepoint is two more round trips on the order hot path). Elsewhere (SQLite,
the sandbox) a savepoint and the IntegrityError do the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.db.models import Model


def insert_unless_exists(instance: Model, *, conflict_fields: Sequence[str]) -> bool:
    """Save ``instance`` (a new row) unless a row with the same ``conflict_fields`` exists (no fields:
    unless it conflicts with any unique constraint).

    Returns whether it was inserted; when it was, ``instance.pk`` is set.
    """
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic():
                instance.save(force_insert=True)
        except IntegrityError:
            return False
        return True
    meta = instance._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    for field in fields:  # auto_now / auto_now_add, as save() would
        field.pre_save(instance, add=True)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    target = ", ".join(quote(meta.get_field(name).column) for name in conflict_fields)
    conflict = f"({target}) " if target else ""
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "  # noqa: S608
        f"ON CONFLICT {conflict}DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    params = [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    return True
