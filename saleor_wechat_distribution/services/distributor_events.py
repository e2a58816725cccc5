from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.utils import timezone

from ..models import Distributor, DistributorEvent
from ..ports import Principal


def distributor_event_record(
    *, distributor: Distributor, type: str, actor: Principal, data: dict[str, Any] | None = None
) -> DistributorEvent:
    return DistributorEvent.objects.create(
        distributor=distributor,
        type=type,
        actor=actor.actor_label,
        actor_user_id=actor.user_id,
        data=data or {},
    )


def distributor_events_record(
    *, distributor: Distributor, types: list[str], actor: Principal, data: dict[str, Any] | None = None
) -> None:
    """Several entries at once (one statement): e.g. applied + auto-approved. Plain SQL on PostgreSQL,
    as this is on every application's path; the ORM elsewhere."""
    rows = [(type_, (data or {}) if i == 0 else {}) for i, type_ in enumerate(types)]
    if connection.vendor != "postgresql":
        DistributorEvent.objects.bulk_create(
            [
                DistributorEvent(
                    distributor=distributor, type=type_, actor=actor.actor_label,
                    actor_user_id=actor.user_id, data=payload,
                )
                for type_, payload in rows
            ]
        )  # fmt: skip
        return
    table = connection.ops.quote_name(DistributorEvent._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s::jsonb, %s)"] * len(rows))
    params: list[Any] = []
    now = timezone.now()
    for type_, payload in rows:
        params += [distributor.pk, type_, actor.actor_label, actor.user_id, json.dumps(payload), now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (distributor_id, type, actor, actor_user_id, data, created_at) "  # noqa: S608
            f"VALUES {values}",
            params,
        )
