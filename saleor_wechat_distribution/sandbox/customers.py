"""The sandbox's customer directory for network imports (Saleor's adapter registers one over its users).

The sandbox has no user table: a person is an existing account when a distributor already carries their
e-mail or phone (the demo network's users included); anyone else gets a deterministic user id derived
from the e-mail (else the phone), so importing the same file twice yields the same ids, and a dry run
can say "would be created" without writing anything.
"""

from __future__ import annotations

import hashlib

from ..db.distributors import distributor_rows_where_in as rows_where_in
from ..ports import CustomerMatch, CustomerRequest

#: created ids live above every id the demo data and the tests hand out
CREATED_ID_BASE = 10**12
_CREATED_ID_SPACE = 10**15


def sandbox_user_id(request: CustomerRequest) -> int:
    key = f"e:{request.email}" if request.email else f"p:{request.phone}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    return CREATED_ID_BASE + int(digest[:16], 16) % _CREATED_ID_SPACE


class SandboxCustomerDirectory:
    def find_or_create_customers(
        self, requests: list[CustomerRequest], *, create: bool
    ) -> list[CustomerMatch]:
        by_email = dict(
            rows_where_in("email", sorted({r.email for r in requests if r.email}), ("email", "user_id"))
        )
        by_phone = dict(
            rows_where_in("phone", sorted({r.phone for r in requests if r.phone}), ("phone", "user_id"))
        )
        matches = []
        for request in requests:
            found = by_email.get(request.email) if request.email else None
            if found is None and request.phone:
                found = by_phone.get(request.phone)
            if found is not None:
                matches.append(CustomerMatch(found))
            elif not (request.email or request.phone):
                matches.append(CustomerMatch(None))
            else:
                matches.append(CustomerMatch(sandbox_user_id(request) if create else None, created=True))
        return matches
