"""The distributor center's home sums in one plain statement (PostgreSQL and SQLite alike): read on every
home page, where building five ORM subqueries cost more Python than the query costs the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from ..domain.distributors import MEMBER_STATUSES
from ..models import Commission, Distributor, LedgerEntry, Withdrawal
from .rows import placeholders

ZERO = Decimal(0)
#: the levels the center counts (``domain.center.TEAM_LEVELS``)
TEAM_LEVELS = (1, 2)
_MEMBERS = [s.value for s in MEMBER_STATUSES]
_EARNING = [
    Commission.Status.PENDING.value,
    Commission.Status.FROZEN.value,
    Commission.Status.AVAILABLE.value,
]
_OPEN_WITHDRAWALS = [
    Withdrawal.Status.REQUESTED.value,
    Withdrawal.Status.APPROVED.value,
    Withdrawal.Status.PROCESSING.value,
    Withdrawal.Status.WAIT_USER_CONFIRM.value,
]


@dataclass(frozen=True)
class HomeSummary:
    available: Decimal
    withdrawing: Decimal
    month_earnings: Decimal
    team_counts: dict[int, int]


def _decimal(value: Any) -> Decimal:
    """A sum as Decimal (SQLite answers floats: rounded to the money columns' 4 places, as Django does)."""
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(Decimal("0.0001"))


def home_summary(*, distributor: Distributor, currency: str, since: datetime) -> HomeSummary:
    """The home page's sums in one statement: the balance (an index-only sum of the ledger,
    ``wd_ledger_balance``), money held for unfinished withdrawals, commissions earned since ``since`` less
    refunds, and approved members at levels 1 and 2 (``(depth, path)`` index ranges: a descendant's path is
    its ancestor's plus steps of [0-9A-Z], so it sorts between the ancestor's path and that path + "~")."""
    connection = connections[DEFAULT_DB_ALIAS]
    table = {m: connection.ops.quote_name(m._meta.db_table) for m in (LedgerEntry, Withdrawal, Commission)}
    dist = connection.ops.quote_name(Distributor._meta.db_table)
    own = [distributor.pk, currency]
    earning = _EARNING
    open_ = _OPEN_WITHDRAWALS
    levels = [
        [distributor.depth + level, distributor.path, distributor.path + "~", *_MEMBERS]
        for level in TEAM_LEVELS
    ]
    count_level = (
        f"(SELECT COUNT(*) FROM {dist} WHERE depth = %s AND path > %s AND path < %s AND status IN (%s, %s))"  # noqa: S608 - names and placeholders only
    )
    sql = (
        f"SELECT (SELECT SUM(amount) FROM {table[LedgerEntry]} WHERE distributor_id = %s AND currency = %s),"  # noqa: S608 - names and placeholders only
        f" (SELECT SUM(amount) FROM {table[Withdrawal]} WHERE distributor_id = %s AND currency = %s"
        f" AND status IN ({placeholders(open_)})),"
        f" (SELECT SUM(amount - reversed_amount) FROM {table[Commission]} WHERE distributor_id = %s"
        f" AND currency = %s AND status IN ({placeholders(earning)}) AND created_at >= %s), "
        + ", ".join([count_level] * len(TEAM_LEVELS))
    )
    params = [*own, *own, *open_, *own, *earning, connection.ops.adapt_datetimefield_value(since)]
    for level_params in levels:
        params += level_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        available, withdrawing, earned, *counts = cursor.fetchone()
    return HomeSummary(
        available=_decimal(available),
        withdrawing=_decimal(withdrawing),
        month_earnings=_decimal(earned),
        team_counts={level: int(n or 0) for level, n in zip(TEAM_LEVELS, counts, strict=True)},
    )


@dataclass(frozen=True)
class CommissionGroup:
    """Open money of one status freeing on one local day (``on`` None: not delivered yet)."""

    status: str
    on: date | None
    total: Decimal


_OPEN = [Commission.Status.FROZEN.value, Commission.Status.PENDING.value]


def commission_groups(*, distributor: Distributor, currency: str) -> list[CommissionGroup]:
    """Frozen and pending money grouped by status and by the local day it frees, in one plain statement
    (the ORM's TruncDate + values + annotate cost more Python than the database spends on the
    distributor's few open rows; read on every home page)."""
    connection = connections[DEFAULT_DB_ALIAS]
    table = connection.ops.quote_name(Commission._meta.db_table)
    day_sql, day_params = connection.ops.datetime_cast_date_sql(
        "settle_after", (), timezone.get_current_timezone_name()
    )
    sql = (
        f"SELECT status, {day_sql}, SUM(amount - reversed_amount) FROM {table}"  # noqa: S608 - names and placeholders only
        f" WHERE distributor_id = %s AND currency = %s AND status IN ({placeholders(_OPEN)})"
        f" GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*day_params, distributor.pk, currency, *_OPEN])
        rows = cursor.fetchall()
    return [
        CommissionGroup(status=status, on=date.fromisoformat(on) if isinstance(on, str) else on,
                        total=_decimal(total))
        for status, on, total in rows
    ]  # fmt: skip
