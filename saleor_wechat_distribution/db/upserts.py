"""Inserts of the order hot path, each in one statement whose text is built once per model.

On PostgreSQL ``INSERT … ON CONFLICT DO NOTHING RETURNING`` both inserts and tells whether it did, with
no savepoint around it (a savepoint is two more round trips on the order hot path), and no time goes
into the ORM's query compiler. Elsewhere (SQLite, the sandbox) the ORM, a savepoint and the
IntegrityError do the same.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import DateField, DateTimeField, Field, JSONField, Model
from django.utils import timezone

_SQL: dict[tuple, str] = {}


_FIELDS: dict[tuple[type[Model], str], tuple[Field, ...]] = {}
_PRE_SAVED: dict[tuple[Field, ...], tuple[Field, ...]] = {}


def _fields(model: type[Model], *, without: str = "") -> tuple[Field, ...]:
    key = (model, without)
    fields = _FIELDS.get(key)
    if fields is None:
        fields = _FIELDS[key] = tuple(
            f for f in model._meta.concrete_fields if not f.primary_key and f.name != without
        )
    return fields


def _reads_attribute_only(field: Field) -> bool:
    pre_save = type(field).pre_save
    if isinstance(field, DateField):  # DateTimeField too: plain unless auto_now / auto_now_add
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        return not auto and pre_save in (DateField.pre_save, DateTimeField.pre_save)
    return pre_save is Field.pre_save


def _pre_saved(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    """The fields whose ``pre_save`` does more than read the attribute (auto_now / auto_now_add, or a
    field class of its own): only those need the call ``save()`` makes."""
    found = _PRE_SAVED.get(fields)
    if found is None:
        found = _PRE_SAVED[fields] = tuple(f for f in fields if not _reads_attribute_only(f))
    return found


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


def _values(instance: Model, fields: tuple[Field, ...]) -> list:
    for field in _pre_saved(fields):  # auto_now / auto_now_add, as save() would
        field.pre_save(instance, add=True)
    conn = connections[DEFAULT_DB_ALIAS]  # the proxy costs a thread-local lookup per attribute
    values = instance.__dict__
    return [f.get_db_prep_save(values[f.attname], conn) for f in fields]


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


def _is_auto_time(field: Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def insert_rows_unless_exist(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """``bulk_create([model(**row) for row in rows], ignore_conflicts=True)`` in one statement and
    without the ORM.

    ``rows`` are keyed by attribute name (``distributor_id``); what a row leaves out gets the field's
    default, and auto_now / auto_now_add fields the current time, as a new instance's ``save()`` would.
    On PostgreSQL the rows travel as one JSON parameter that ``json_populate_recordset`` turns into rows
    of the table's own type: one short statement text whatever the row count (psycopg caches its
    parsing), no model instance and no per-value adaptation in Python. For models of plain columns (no
    JSON fields, no field with a ``pre_save`` of its own).
    """
    if not rows:
        return
    fields = _fields(model)
    if (
        connection.vendor != "postgresql"
        or any(isinstance(f, JSONField) for f in fields)
        or any(not _is_auto_time(f) for f in _pre_saved(fields))
    ):
        model._default_manager.bulk_create([model(**row) for row in rows], ignore_conflicts=True)
        return
    now = timezone.now()
    plan = [(f.column, f.attname, f, _is_auto_time(f)) for f in fields]
    prepared = []
    for row in rows:
        values = {}
        for column, attname, field, auto_time in plan:
            if auto_time:
                values[column] = now
            elif attname in row:
                values[column] = row[attname]
            else:
                values[column] = field.get_default()
        prepared.append(values)
    key = ("rows", model)
    sql = _SQL.get(key)
    if sql is None:
        table, columns = _table(model), _columns(fields)
        sql = _SQL[key] = (
            f"INSERT INTO {table} ({columns}) SELECT {columns}"  # noqa: S608
            f" FROM json_populate_recordset(NULL::{table}, %s) ON CONFLICT DO NOTHING"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(prepared, default=_json_scalar)])
