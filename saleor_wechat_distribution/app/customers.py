"""``CustomerDirectory`` over Saleor's GraphQL API (App mode's ``saleor_adapter/customers.py``): network
imports match people to Saleor customers, and create the missing ones where allowed.

Matching is the plugin's: by e-mail (lower-cased, as Saleor stores it), else by phone, i.e. a user one of
whose saved addresses has it (both as E.164, national numbers read as Chinese), the oldest account when
several have it. With the App's token (MANAGE_USERS):

- e-mails: ``user(email:)``, ``EMAIL_BATCH`` of them per request (aliases; every Saleor 3.20+);
- phones: ``customers(where: {addresses: {phoneNumber: {oneOf: …}}})``, Saleor 3.22+ (older Saleors
  refuse the argument: an import with phone-only rows then fails with a clear error instead of matching
  less than the plugin would).

Creation: ``WECHAT_DISTRIBUTION_IMPORT_CREATES_CUSTOMERS`` (App mode has no per-channel plugin settings)
allows it; as in the plugin a person without an e-mail is never created. ``customerCreate``,
``CREATE_BATCH`` per request (aliases): active, no password (Saleor stores an empty one, which no
password matches), no ``redirectUrl`` (so Saleor e-mails nobody: the person sets a password through
Saleor's password reset). Unlike the plugin, the accounts cannot be created inside the import's
transaction (they live in Saleor's database): an import that fails after creating some leaves those
accounts, which the next run finds by e-mail instead of creating them again. An e-mail Saleor refuses is
that row's refusal (``CustomerMatch(None)``: the import reports the row); one created meanwhile by
someone else (Saleor: ``UNIQUE``) is found and used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..domain.network_import import normalize_phone
from ..ports import CustomerMatch, CustomerRequest, HostUnavailable
from ..services.network_import.customer_matching import customer_plan, lookup_keys
from .host_client import app_client, asking
from .orders import database_pk
from .saleor_api import SaleorApiError, SaleorClient

EMAIL_BATCH = 50
PAGE = 100
UNIQUE = "UNIQUE"

PHONE_QUERY = """
query WeChatDistributionCustomersByPhone($phones: [String!]!, $after: String) {
  customers(first: 100, after: $after, where: {addresses: {phoneNumber: {oneOf: $phones}}},
            sortBy: {field: CREATED_AT, direction: ASC}) {
    pageInfo { hasNextPage endCursor }
    edges { node { id addresses { phone } } }
  }
}
"""
#: customers created per request (aliases; Saleor allows 100 per request by default)
CREATE_BATCH = 25


def e164(phone: str) -> str:
    """The phone as Saleor stores it (E.164; mainland mobiles +86…), or "" when it is not a phone."""
    return normalize_phone(phone or "") or ""


def _pk(global_id: Any) -> int | None:
    pk = database_pk(global_id) if isinstance(global_id, str) else None
    return int(pk) if pk and pk.isdigit() else None


def emails_query(count: int) -> str:
    variables = ", ".join(f"$e{i}: String!" for i in range(count))
    fields = " ".join(f"u{i}: user(email: $e{i}) {{ id email }}" for i in range(count))
    return f"query WeChatDistributionUsersByEmail({variables}) {{ {fields} }}"


def users_by_email(client: SaleorClient, emails: list[str]) -> dict[str, int]:
    """e-mail (lower-cased) -> user pk, for those Saleor has."""
    found: dict[str, int] = {}
    for start in range(0, len(emails), EMAIL_BATCH):
        batch = emails[start : start + EMAIL_BATCH]
        data = client.query(emails_query(len(batch)), {f"e{i}": email for i, email in enumerate(batch)})
        for i, email in enumerate(batch):
            user = data.get(f"u{i}")
            pk = _pk(user.get("id")) if isinstance(user, dict) else None
            if pk is not None:
                found[email] = pk
    return found


def users_by_phone(client: SaleorClient, phones: list[str]) -> dict[str, int]:
    """E.164 phone -> the oldest user with an address of that phone (Saleor answers oldest first)."""
    wanted = set(phones)
    found: dict[str, int] = {}
    for start in range(0, len(phones), PAGE):
        after = None
        while True:
            data = client.query(PHONE_QUERY, {"phones": phones[start : start + PAGE], "after": after})
            connection = data.get("customers") or {}
            for edge in connection.get("edges") or ():
                node = edge.get("node") or {}
                pk = _pk(node.get("id"))
                if pk is None:
                    continue
                for address in node.get("addresses") or ():
                    phone = e164(str(address.get("phone") or ""))
                    if phone in wanted:
                        found.setdefault(phone, pk)
            page_info = connection.get("pageInfo") or {}
            if not page_info.get("hasNextPage"):
                break
            after = page_info.get("endCursor")
    return found


def create_mutation(count: int) -> str:
    variables = ", ".join(f"$i{i}: UserCreateInput!" for i in range(count))
    fields = " ".join(
        f"c{i}: customerCreate(input: $i{i}) {{ user {{ id }} errors {{ field code message }} }}"
        for i in range(count)
    )
    return f"mutation WeChatDistributionCustomersCreate({variables}) {{ {fields} }}"


def customers_create(
    client: SaleorClient, people: list[tuple[str, str, str]], **extra: Any
) -> dict[str, int | None]:
    """New active customers without a password, ``CREATE_BATCH`` per request: (e-mail, first name, last
    name) -> e-mail -> the new pk, the pk of the account someone created meanwhile with that e-mail (or an
    earlier attempt of ours that lost its answer), or None when Saleor refuses the e-mail."""
    created: dict[str, int | None] = {}
    taken: list[str] = []
    for start in range(0, len(people), CREATE_BATCH):
        batch = people[start : start + CREATE_BATCH]
        inputs = {
            f"i{i}": {
                "email": email,
                "firstName": first[:256],
                "lastName": last[:256],
                "isActive": True,
                **extra,
            }
            for i, (email, first, last) in enumerate(batch)
        }
        data = client.query(create_mutation(len(batch)), inputs)
        for i, (email, _first, _last) in enumerate(batch):
            answer = data.get(f"c{i}") or {}
            pk = _pk((answer.get("user") or {}).get("id"))
            if pk is None and any(e.get("code") == UNIQUE for e in answer.get("errors") or ()):
                taken.append(email)
            else:
                created[email] = pk
    if taken:
        found = users_by_email(client, taken)
        created.update((email, found.get(email)) for email in taken)
    return created


def customer_create(client: SaleorClient, email: str, first: str, last: str = "", **extra: Any) -> int | None:
    """One customer (``customers_create``)."""
    return customers_create(client, [(email, first, last)], **extra)[email]


def creation_allowed_by_settings() -> bool:
    return bool(getattr(settings, "WECHAT_DISTRIBUTION_IMPORT_CREATES_CUSTOMERS", False))


class SaleorApiCustomerDirectory:
    def __init__(self, creation_allowed: Callable[[], bool] = creation_allowed_by_settings) -> None:
        self._creation_allowed = creation_allowed

    def find_or_create_customers(
        self, requests: list[CustomerRequest], *, create: bool
    ) -> list[CustomerMatch]:
        emails, phones = lookup_keys(requests, e164)
        client = app_client()
        with asking("customers by e-mail"):
            by_email = users_by_email(client, emails) if emails else {}
        by_phone: dict[str, int] = {}
        if phones:
            with asking("customers by phone"):
                try:
                    by_phone = users_by_phone(client, phones)
                except SaleorApiError as error:  # the e-mails' query passed: Saleor lacks ``where``
                    raise HostUnavailable(
                        _("Matching customers by phone needs Saleor 3.22 or newer (Saleor: %(why)s).")
                        % {"why": error}
                    ) from error
        plan = customer_plan(
            requests, by_email, by_phone, phone_key=e164, may_create=self._creation_allowed(), create=create
        )
        created: dict[str, int | None] = {}
        if plan.to_create:
            with asking("customers create"):
                created = customers_create(
                    client, [(email, *names) for email, names in plan.to_create.items()]
                )
        return plan.resolved(created)
