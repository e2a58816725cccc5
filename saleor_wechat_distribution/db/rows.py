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
