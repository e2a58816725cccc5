"""The sandbox's customer directory for network imports (Saleor's adapter registers one over its users).

The sandbox has no user table: a person is an existing account when a distributor already carries their
e-mail or phone (the demo network's users included); anyone else gets a deterministic user id derived
from the e-mail (else the phone), so importing the same file twice yields the same ids, and a dry run
can say "would be created" without writing anything.
"""

from __future__ import annotations

import hashlib

from ..models import Distributor
from ..ports import CustomerMatch, CustomerRequest

#: created ids live above every id the demo data and the tests hand out
CREATED_ID_BASE = 10**12
_CREATED_ID_SPACE = 10**15
_CHUNK = 5000


def sandbox_user_id(request: CustomerRequest) -> int:
    key = f"e:{request.email}" if request.email else f"p:{request.phone}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    return CREATED_ID_BASE + int(digest[:16], 16) % _CREATED_ID_SPACE


class SandboxCustomerDirectory:
    def find_or_create_customers(
        self, requests: list[CustomerRequest], *, create: bool
    ) -> list[CustomerMatch]:
        by_email: dict[str, int] = {}
        by_phone: dict[str, int] = {}
        for start in range(0, len(requests), _CHUNK):
            chunk = requests[start : start + _CHUNK]
            emails = [r.email for r in chunk if r.email]
            phones = [r.phone for r in chunk if r.phone]
            if emails:
                rows = Distributor.objects.filter(email__in=emails).values_list("email", "user_id")
                by_email.update(rows)
            if phones:
                by_phone.update(Distributor.objects.filter(phone__in=phones).values_list("phone", "user_id"))
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
