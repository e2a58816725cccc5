"""Model instances from one plain SQL statement, for the paid-order hot path.

Building a query through the ORM (``filter`` → ``Q`` → compiler) costs a few hundred microseconds of
Python per query, several times what PostgreSQL spends running a unique-index lookup; a paid order makes
a handful of them inside the host's payment hook. Here the SELECT list, the column converters (JSON,
and SQLite's text dates and decimals) and the instance construction are what Django does, computed once
per model and database vendor; only the WHERE clause is written by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]
_SHAPES: dict[tuple[type[Model], str], tuple[str, list[str], list[tuple[int, list[Converter], Any]]]] = {}


def _shape(
    model: type[Model], connection: BaseDatabaseWrapper
) -> tuple[str, list[str], list[tuple[int, list[Converter], Any]]]:
    key = (model, connection.vendor)
    shape = _SHAPES.get(key)
    if shape is None:
        meta = model._meta
        quote = connection.ops.quote_name
        fields = list(meta.concrete_fields)
        select = ", ".join(f"{quote(meta.db_table)}.{quote(f.column)}" for f in fields)
        converters = []
        for index, field in enumerate(fields):
            col = field.get_col(meta.db_table)
            found = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if found:
                converters.append((index, found, col))
        shape = _SHAPES[key] = (select, [f.attname for f in fields], converters)
    return shape


def fetch(model: type[M], where: str, params: Sequence[Any], *, tail: str = "") -> list[M]:
    """``SELECT <every concrete column> FROM <model's table> WHERE <where> <tail>`` as instances.

    ``where`` and ``tail`` are SQL written by the caller with ``%s`` placeholders for ``params``; the
    table may be referred to by its name (``model._meta.db_table``).
    """
    connection = connections[DEFAULT_DB_ALIAS]  # resolved once: the proxy costs a lookup per attribute
    select, names, converters = _shape(model, connection)
    sql = f"SELECT {select} FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {where} {tail}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        if converters:
            values = list(row)
            for index, funcs, col in converters:
                for func in funcs:
                    values[index] = func(values[index], col, connection)
            row = values
        found.append(model.from_db(DEFAULT_DB_ALIAS, names, row))
    return found


def fetch_one(model: type[M], where: str, params: Sequence[Any], *, tail: str = "") -> M | None:
    found = fetch(model, where, params, tail=tail)
    return found[0] if found else None


def placeholders(values: Sequence[Any]) -> str:
    """``%s, %s, …`` for an ``IN (…)`` list (never empty: callers check)."""
    return ", ".join(["%s"] * len(values))


_NULLS: dict[tuple[type[Model], str], list[str]] = {}


def _typed_nulls(model: type[Model], connection: BaseDatabaseWrapper) -> list[str]:
    """``NULL::<column type>`` for each concrete column (a UNION's untyped NULLs would resolve as text)."""
    key = (model, connection.vendor)
    nulls = _NULLS.get(key)
    if nulls is None:
        nulls = _NULLS[key] = [
            f"NULL::{field.cast_db_type(connection)}" for field in model._meta.concrete_fields
        ]
    return nulls


def fetch_first_of_each(
    queries: Sequence[tuple[type[Model], str, Sequence[Any]]],
) -> list[Model | None]:
    """The first row of each ``(model, where, params)`` (as ``fetch`` reads it; None when there is
    none), in one statement: one round trip instead of one per model, for unique-key lookups of
    unrelated tables on the hot path. Each ``where`` sees only its own model's table.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":  # no LATERAL in SQLite (the sandbox): one query each
        return [fetch_one(model, where, query_params) for model, where, query_params in queries]
    # One UNION ALL branch per lookup (planned on its own: a join of the lookups would make the planner
    # search join orders), each row tagged with its lookup's index; every model's columns have their own
    # slot, NULL in the other models' branches.
    slots: dict[type[Model], int] = {}
    width = 1
    for model, _, _ in queries:
        if model not in slots:
            slots[model] = width
            width += len(_shape(model, connection)[1])
    branches, params = [], []
    for index, (model, where, query_params) in enumerate(queries):
        select, names, _ = _shape(model, connection)
        start = slots[model]
        columns = [null for other in slots for null in _typed_nulls(other, connection)]
        columns[start - 1 : start - 1 + len(names)] = [select]
        table = connection.ops.quote_name(model._meta.db_table)
        branches.append(f"(SELECT {index}, {', '.join(columns)} FROM {table} WHERE {where} LIMIT 1)")  # noqa: S608
        params += query_params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        rows = {row[0]: row for row in cursor.fetchall()}
    found: list[Model | None] = []
    for index, (model, _, _) in enumerate(queries):
        row = rows.get(index)
        if row is None:
            found.append(None)
            continue
        _, names, converters = _shape(model, connection)
        start = slots[model]
        values = list(row[start : start + len(names)])
        for position, funcs, col in converters:
            for func in funcs:
                values[position] = func(values[position], col, connection)
        found.append(model.from_db(DEFAULT_DB_ALIAS, names, values))
    return found
