"""Rows of the auditors' CSV exports: the relationship graph and the ledger, streamed."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import Distributor, LedgerEntry

NETWORK_COLUMNS = [
    "distributor_id", "referral_code", "display_name", "kind", "status", "level", "parent_id",
    "parent_referral_code", "inviter_id", "team_size", "created_at", "approved_at",
]  # fmt: skip
LEDGER_COLUMNS = [
    "entry_id", "created_at", "distributor_id", "referral_code", "kind", "amount", "currency", "order_id",
    "commission_id", "withdrawal_out_bill_no", "idempotency_key",
]  # fmt: skip


def network_rows(*, chunk_size: int = 2000) -> Iterator[list[object]]:
    """Every distributor in tree order, with its parent (the paths' prefixes resolve it)."""
    codes_by_path: dict[str, tuple[int, str]] = {}
    rows = Distributor.objects.order_by("path").values_list(
        "pk", "path", "referral_code", "display_name", "kind", "status", "depth", "inviter_id", "team_size",
        "created_at", "approved_at",
    )  # fmt: skip
    for pk, path, code, name, kind, status, depth, inviter_id, team_size, created, approved in rows.iterator(
        chunk_size=chunk_size
    ):
        parent = codes_by_path.get(path[: -Distributor.steplen]) if depth > 1 else None
        # tree order visits parents first; keep only the current branch's ancestors
        codes_by_path = {p: v for p, v in codes_by_path.items() if path.startswith(p)}
        codes_by_path[path] = (pk, code)
        yield [
            pk, code, name, kind, status, depth, parent[0] if parent else "", parent[1] if parent else "",
            inviter_id or "", team_size, created.isoformat(), approved.isoformat() if approved else "",
        ]  # fmt: skip


def ledger_rows(*, chunk_size: int = 5000) -> Iterator[list[object]]:
    entries = LedgerEntry.objects.order_by("pk").values_list(
        "pk", "created_at", "distributor_id", "distributor__referral_code", "kind", "amount", "currency",
        "order_id", "commission_id", "withdrawal__out_bill_no", "idempotency_key",
    )  # fmt: skip
    for row in entries.iterator(chunk_size=chunk_size):
        pk, created, *rest = row
        yield [pk, created.isoformat(), *("" if v is None else v for v in rest)]
