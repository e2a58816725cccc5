"""The network (or one subtree) as rows of the import's own columns, plus read-only facts.

The first columns are exactly what ``services/network_import/`` reads, so a file exported here
re-imports to the same network (a no-op); the rest (level, counts, balances) are for people and are
ignored by the import. Rows stream in tree order, a chunk at a time, with balances summed per chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import F, Q, Sum

from ..domain.money import quantize
from ..domain.network_import import IMPORT_COLUMNS
from ..models import Commission, Distributor, LedgerEntry

EXPORT_COLUMNS = [
    *IMPORT_COLUMNS,
    "level", "team_size", "direct_children", "available_balance", "frozen_balance", "pending_balance",
    "created_at",
]  # fmt: skip
_FIELDS = (
    "pk", "path", "depth", "numchild", "team_size", "external_id", "referral_code", "kind", "display_name",
    "email", "phone", "status", "storefront__slug", "created_at", "inviter__external_id",
    "inviter__referral_code",
)  # fmt: skip


def _key(external_id: str | None, referral_code: str) -> str:
    return external_id if external_id is not None else referral_code


def _money(sums: dict[str, Decimal]) -> str:
    """ "12.30 CNY" (several currencies joined by "; "); empty when there is nothing."""
    return "; ".join(f"{quantize(v, c)} {c}" for c, v in sorted(sums.items()) if v)


def _balances(pks: list[int]) -> dict[int, tuple[dict, dict, dict]]:
    out: dict[int, tuple[dict, dict, dict]] = {pk: ({}, {}, {}) for pk in pks}
    ledger = (
        LedgerEntry.objects.filter(distributor_id__in=pks)
        .values("distributor_id", "currency")
        .annotate(s=Sum("amount"))
    )
    for row in ledger:
        out[row["distributor_id"]][0][row["currency"]] = row["s"]
    net = F("amount") - F("reversed_amount")
    open_ = (
        Commission.objects.filter(distributor_id__in=pks, status__in=["frozen", "pending"])
        .values("distributor_id", "currency")
        .annotate(frozen=Sum(net, filter=Q(status="frozen")), pending=Sum(net, filter=Q(status="pending")))
    )
    for row in open_:
        sums = out[row["distributor_id"]]
        sums[1][row["currency"]] = row["frozen"] or Decimal(0)
        sums[2][row["currency"]] = row["pending"] or Decimal(0)
    return out


def network_export_rows(
    *, under: Distributor | None = None, chunk_size: int = 2000
) -> Iterator[list[object]]:
    """Every distributor (or ``under`` and its whole team) in tree order, parents before children."""
    keys: dict[str, str] = {}  # path -> key of the ancestors on the current branch
    if under is not None and under.depth > 1:
        parent = Distributor.objects.filter(path=under.parent_path).values_list(
            "external_id", "referral_code"
        )
        for external_id, code in parent:
            keys[under.parent_path] = _key(external_id, code)
    base = (
        Distributor.objects.filter(path__startswith=under.path) if under is not None else Distributor.objects
    )
    last = ""
    while True:
        chunk = list(base.filter(path__gt=last).order_by("path").values_list(*_FIELDS)[:chunk_size])
        if not chunk:
            return
        last = chunk[-1][1]
        balances = _balances([r[0] for r in chunk])
        for (
            pk,
            path,
            depth,
            numchild,
            team_size,
            external_id,
            code,
            kind,
            name,
            email,
            phone,
            status,
            slug,
            created,
            inviter_external_id,
            inviter_code,
        ) in chunk:
            parent_path = path[: -Distributor.steplen]
            parent_key = keys.get(parent_path, "") if depth > 1 else ""
            key = _key(external_id, code)
            keys = {p: k for p, k in keys.items() if path.startswith(p)} if depth > 1 else {}
            keys[path] = key
            available, frozen, pending = balances[pk]
            inviter = _key(inviter_external_id, inviter_code) if inviter_code is not None else ""
            yield [
                key, parent_key, kind, name, email, phone, code, status, slug or "", inviter,
                depth, team_size, numchild, _money(available), _money(frozen), _money(pending),
                created.isoformat(),
            ]  # fmt: skip
