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
from ..services.network_import.customer_matching import customer_plan, lookup_keys

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


class SaleorCustomerDirectory:
    def __init__(self, creation_allowed: Callable[[], bool]) -> None:
        self._creation_allowed = creation_allowed

    def find_or_create_customers(
        self, requests: list[CustomerRequest], *, create: bool
    ) -> list[CustomerMatch]:
        emails, phones = lookup_keys(requests, e164)
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
        plan = customer_plan(
            requests, by_email, by_phone, phone_key=e164, may_create=self._creation_allowed(), create=create
        )
        created: dict[str, int] = {}
        if plan.to_create:
            users = [_new_user(email, first, last) for email, (first, last) in plan.to_create.items()]
            with allow_writer():
                User.objects.bulk_create(users)
                created = dict(User.objects.filter(email__in=list(plan.to_create)).values_list("email", "pk"))
        return plan.resolved(created)


def _new_user(email: str, first: str, last: str) -> User:
    """An active account with no usable password, its search vector filled so that Saleor's customer
    search finds it."""
    user = User(email=email, first_name=first, last_name=last, is_active=True)
    user.set_unusable_password()
    user.search_vector = FlatConcatSearchVector(
        *generate_user_search_vector_value(user, attach_addresses_data=False)
    )
    return user
