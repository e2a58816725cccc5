"""``CustomerDirectory`` over Saleor's users (network imports, issue 7).

A person is matched by e-mail (case-insensitively; Saleor stores e-mails lower-cased) and else by phone:
Saleor users have no phone of their own, so a phone matches the user one of whose saved addresses has
it (both compared as E.164; national numbers are read as Chinese, +86). When more than one user has
the phone, the oldest account wins.

Creating missing accounts is a plugin setting (``import_creates_customers``). Saleor's users are not
per channel while its plugin configuration is, so creation is allowed when the setting is on in any
channel where the plugin is active. Saleor needs an e-mail for an account: a person known by phone only
is never created. Accounts are created active, with no usable password (the person sets one through
Saleor's password reset), in the import's transaction, so a failed import leaves none behind.
"""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers
from saleor.account.models import User
from saleor.account.search import generate_user_search_vector_value
from saleor.core.db.connection import allow_writer
from saleor.core.postgres import FlatConcatSearchVector

from ..ports import CustomerMatch, CustomerRequest

DEFAULT_REGION = "CN"


def e164(phone: str) -> str:
    """The phone as E.164, or "" when it is not a possible number."""
    try:
        parsed = phonenumbers.parse(phone, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _names(name: str) -> tuple[str, str]:
    """Saleor's first / last name from one display name (a Chinese name stays whole in first_name)."""
    first, _, last = name.strip().partition(" ")
    return first[:256], last.strip()[:256]


class SaleorCustomerDirectory:
    def __init__(self, creation_allowed: Callable[[], bool]) -> None:
        self._creation_allowed = creation_allowed

    def find_or_create_customers(
        self, requests: list[CustomerRequest], *, create: bool
    ) -> list[CustomerMatch]:
        emails = sorted({r.email.strip().lower() for r in requests if r.email.strip()})
        phones = sorted({p for p in (e164(r.phone) for r in requests if r.phone) if p})
        with allow_writer():
            by_email = (
                dict(User.objects.filter(email__in=emails).values_list("email", "pk")) if emails else {}
            )
            by_phone: dict[str, int] = {}
            if phones:
                for phone, pk in (
                    User.objects.filter(addresses__phone__in=phones)
                    .order_by("date_joined", "pk")
                    .values_list("addresses__phone", "pk")
                ):
                    by_phone.setdefault(str(phone), pk)
        may_create = self._creation_allowed()
        matches: list[CustomerMatch | None] = []
        to_create: dict[str, User] = {}
        for request in requests:
            email = request.email.strip().lower()
            found = by_email.get(email) if email else None
            if found is None and request.phone:
                found = by_phone.get(e164(request.phone))
            if found is not None:
                matches.append(CustomerMatch(found))
            elif not email or not may_create:
                matches.append(CustomerMatch(None))
            elif not create:
                matches.append(CustomerMatch(None, created=True))
            else:
                if email not in to_create:
                    first, last = _names(request.name)
                    user = User(email=email, first_name=first, last_name=last, is_active=True)
                    user.set_unusable_password()
                    user.search_vector = FlatConcatSearchVector(
                        *generate_user_search_vector_value(user, attach_addresses_data=False)
                    )
                    to_create[email] = user
                matches.append(None)
        if to_create:
            with allow_writer():
                User.objects.bulk_create(list(to_create.values()))
                created = dict(User.objects.filter(email__in=list(to_create)).values_list("email", "pk"))
            matches = [
                m if m is not None else CustomerMatch(created[r.email.strip().lower()], created=True)
                for m, r in zip(matches, requests, strict=True)
            ]
        return [m for m in matches if m is not None]
