from __future__ import annotations

from typing import Any

from ..db.distributors import distributor_events_insert
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
    """Several entries at once (one statement, ``db.distributors``): e.g. applied + auto-approved."""
    rows = [(type_, (data or {}) if i == 0 else {}) for i, type_ in enumerate(types)]
    distributor_events_insert(
        distributor=distributor, rows=rows, actor=actor.actor_label, actor_user_id=actor.user_id
    )
