"""The GraphQL documents the staff console's pages send, read from the UI's sources (``ui/console``) so
the benchmark and the statement-count test time exactly what the pages ask.

The money pages (withdrawals, the order widget) are built in parallel on another branch: until they land,
``WITHDRAWALS_PAGE`` and ``ORDER_WIDGET`` are main's existing queries those pages read (``withdrawals``
filtered by status; ``commissions`` and ``disputes`` filtered by order).
"""

from __future__ import annotations

import re
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "ui" / "console" / "src" / "pages"


def ui_document(relative: str, constant: str) -> str:
    """The template literal ``const <constant> = `...``` of a page's ``api.ts`` (no interpolation)."""
    source = (UI / relative).read_text(encoding="utf-8")
    found = re.search(rf"const {constant} = `((?:[^`$]|\$(?!\{{))*)`", source)
    if found is None:
        raise LookupError(f"{constant} not found in {relative}")
    return found.group(1)


QUEUE_PAGE = ui_document("distributors/api.ts", "APPLICANTS")
LIST_PAGE = ui_document("distributors/areaApi.ts", "LIST")
NETWORK_LEVEL_PAGE = ui_document("distributors/areaApi.ts", "NETWORK")
DISTRIBUTOR_PAGE = ui_document("distributors/areaApi.ts", "DISTRIBUTOR")
DISTRIBUTOR_MONEY = ui_document("distributors/areaApi.ts", "DISTRIBUTOR_MONEY")
CUSTOMER_WIDGET = ui_document("customer/api.ts", "CUSTOMER")

WITHDRAWALS_PAGE = """query ConsoleWithdrawals($first: Int!, $after: String, $status: WithdrawalStatus) {
  withdrawals(first: $first, after: $after, filter: {status: $status}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id amount { amount currency } status payoutMethod outBillNo failReason requestedAt
      distributor { id displayName referralCode } } }
  }
}"""

ORDER_WIDGET = """query ConsoleOrderWidget($orderId: ID!) {
  commissions(first: 20, filter: {orderId: $orderId}) {
    totalCount
    edges { node { id level status amount { amount currency } reversedAmount { amount currency } holdReason
      distributor { id displayName referralCode } } }
  }
  disputes(first: 5, filter: {orderId: $orderId}) { edges { node { id status } } }
}"""
