"""Inserts of the order hot path, each in one statement whose text is built once per model.

On PostgreSQL ``INSERT … ON CONFLICT DO NOTHING RETURNING`` both inserts and tells whether it did, with
no savepoint around it (a savepoint is two more round trips on the order hot path), and no time goes
into the ORM's query compiler. Elsewhere (SQLite, the sandbox) the ORM, a savepoint and the
IntegrityError do the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.db.models import Field, JSONField, Model

_SQL: dict[tuple, str] = {}


def _fields(model: type[Model], *, without: str = "") -> list[Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name != without]


def _columns(fields: Sequence[Field]) -> str:
    return ", ".join(connection.ops.quote_name(f.column) for f in fields)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _one_row_insert(model: type[Model], conflict: Sequence[str] | None) -> str:
    """``INSERT`` of one row of every concrete column but the primary key, returning the key; with
    ``conflict`` (a list, empty: any unique constraint), ``ON CONFLICT … DO NOTHING`` first."""
    key = ("one", model, None if conflict is None else tuple(conflict))
    sql = _SQL.get(key)
    if sql is None:
        fields = _fields(model)
        sql = f"INSERT INTO {_table(model)} ({_columns(fields)}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        if conflict is not None:
            target = _columns([model._meta.get_field(name) for name in conflict])
            sql += f" ON CONFLICT {f'({target}) ' if target else ''}DO NOTHING"
        sql += f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
        _SQL[key] = sql
    return sql


def _values(instance: Model, fields: Sequence[Field]) -> list:
    for field in fields:  # auto_now / auto_now_add, as save() would
        field.pre_save(instance, add=True)
    return [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields]


def _saved(instance: Model, pk: object) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


def insert_row(instance: Model) -> None:
    """``instance.save(force_insert=True)`` for a plain model (no inheritance, no signals relied on)."""
    if connection.vendor != "postgresql":
        instance.save(force_insert=True)
        return
    with connection.cursor() as cursor:
        cursor.execute(_one_row_insert(type(instance), None), _values(instance, _fields(type(instance))))
        _saved(instance, cursor.fetchone()[0])


def insert_unless_exists(
    instance: Model, *, conflict_fields: Sequence[str], then: Model | None = None, link: str = ""
) -> bool:
    """Save ``instance`` (a new row) unless a row with the same ``conflict_fields`` exists (no fields:
    unless it conflicts with any unique constraint).

    ``then``: a row to insert only when ``instance`` was, its foreign key ``link`` pointing at it (on
    PostgreSQL in the same statement). Returns whether ``instance`` was inserted; when it was,
    ``instance.pk`` is set (``then``'s is not).
    """
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic():
                instance.save(force_insert=True)
        except IntegrityError:
            return False
        if then is not None:
            setattr(then, link, instance)
            then.save(force_insert=True)
        return True
    model = type(instance)
    sql = _one_row_insert(model, conflict_fields)
    params = _values(instance, _fields(model))
    if then is not None:
        key = ("then", model, tuple(conflict_fields), type(then), link)
        combined = _SQL.get(key)
        if combined is None:
            fk = type(then)._meta.get_field(link)
            rest = _fields(type(then), without=link)
            pk = connection.ops.quote_name(model._meta.pk.column)
            combined = _SQL[key] = (
                f"WITH parent AS ({sql}), child AS (INSERT INTO {_table(type(then))}"  # noqa: S608
                f" ({_columns([fk, *rest])}) SELECT parent.{pk},"
                f" {', '.join(['%s'] * len(rest))} FROM parent) SELECT * FROM parent"
            )
        sql = combined
        params += _values(then, _fields(type(then), without=link))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    _saved(instance, row[0])
    return True


def _json_scalar(value: object) -> str:
    if isinstance(value, Decimal | datetime | date | UUID):
        return str(value)  # exact: PostgreSQL parses the text as the column's type
    raise TypeError(f"{type(value).__name__} is not a plain column value")


def insert_rows_unless_exist(instances: Sequence[Model]) -> None:
    """``bulk_create(instances, ignore_conflicts=True)`` in one statement and without the ORM.

    On PostgreSQL the rows travel as one JSON parameter that ``json_populate_recordset`` turns into rows
    of the table's own type: one short statement text whatever the row count (psycopg caches its
    parsing), no per-value adaptation in Python. For models of plain columns (no JSON fields). Primary
    keys are not set (a skipped row has none).
    """
    if not instances:
        return
    model = type(instances[0])
    fields = _fields(model)
    if connection.vendor != "postgresql" or any(isinstance(f, JSONField) for f in fields):
        model._default_manager.bulk_create(instances, ignore_conflicts=True)
        return
    rows = []
    for instance in instances:
        for field in fields:  # auto_now / auto_now_add, as save() would
            field.pre_save(instance, add=True)
        rows.append({f.column: getattr(instance, f.attname) for f in fields})
    key = ("rows", model)
    sql = _SQL.get(key)
    if sql is None:
        table, columns = _table(model), _columns(fields)
        sql = _SQL[key] = (
            f"INSERT INTO {table} ({columns}) SELECT {columns}"  # noqa: S608
            f" FROM json_populate_recordset(NULL::{table}, %s) ON CONFLICT DO NOTHING"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows, default=_json_scalar)])
