"""Distributor rows by key in one query, and their audit entries in one statement: on every application's
and every paid order's path, so plain SQL on PostgreSQL (no ORM query compilation), the ORM elsewhere."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from ..models import Distributor, DistributorEvent
from .rows import fetch


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def distributors_of_user_or_code(*, user_id: int, code: str) -> list[Distributor]:
    """The rows of ``user_id`` and of the referral code ``code`` (empty: none), in one query."""
    if connection.vendor == "postgresql":
        return list(
            Distributor.objects.raw(
                f"SELECT * FROM {_table(Distributor)} WHERE user_id = %s OR referral_code = %s",  # noqa: S608
                [user_id, code or None],
            )
        )
    return list(
        Distributor.objects.filter(Q(user_id=user_id) | (Q(referral_code=code) if code else Q(pk__in=[])))
    )


def distributors_of_link_and_buyer(*, code: str, status: str, user_id: int | None) -> list[Distributor]:
    """In one query: the distributor of the referral ``code`` when its status is ``status``, the parent of
    the code's distributor (whatever its status), and ``user_id``'s own row. Empty code / no user: those
    parts are left out (both: no query)."""
    conditions: list[str] = []
    params: list[Any] = []
    if code:
        table = Distributor._meta.db_table
        parent = f"SELECT substr(path, 1, length(path) - %s) FROM {table} WHERE referral_code = %s"  # noqa: S608
        conditions.append(f"(referral_code = %s AND status = %s) OR path = ({parent})")
        params += [code, status, Distributor.steplen, code]
    if user_id is not None:
        conditions.append("user_id = %s")
        params.append(user_id)
    if not conditions:
        return []
    return fetch(Distributor, " OR ".join(conditions), params)


def distributor_rows_where_in(column: str, values: list[Any], columns: tuple[str, ...]) -> list[tuple]:
    """Rows whose ``column`` is one of ``values``: one array parameter on PostgreSQL (a 100,000-item IN
    list costs seconds to build and parse), chunks of IN elsewhere."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        selected = ", ".join("id" if c == "pk" else c for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {selected} FROM {Distributor._meta.db_table} WHERE {column} = ANY(%s)",  # noqa: S608
                [values],
            )
            return cursor.fetchall()
    rows: list[tuple] = []
    for chunk in (values[i : i + 500] for i in range(0, len(values), 500)):
        rows += Distributor.objects.filter(**{f"{column}__in": chunk}).values_list(*columns)
    return rows


def distributor_events_insert(
    *, distributor: Distributor, rows: list[tuple[str, dict[str, Any]]], actor: str, actor_user_id: int | None
) -> None:
    """``(type, data)`` audit entries of ``distributor`` in one statement."""
    if connection.vendor != "postgresql":
        DistributorEvent.objects.bulk_create(
            [
                DistributorEvent(
                    distributor=distributor,
                    type=type_,
                    actor=actor,
                    actor_user_id=actor_user_id,
                    data=payload,
                )
                for type_, payload in rows
            ]
        )
        return
    values = ", ".join(["(%s, %s, %s, %s, %s::jsonb, %s)"] * len(rows))
    params: list[Any] = []
    now = timezone.now()
    for type_, payload in rows:
        params += [distributor.pk, type_, actor, actor_user_id, json.dumps(payload), now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(DistributorEvent)} (distributor_id, type, actor, actor_user_id, data,"  # noqa: S608
            f" created_at) VALUES {values}",
            params,
        )
