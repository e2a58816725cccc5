"""How Saleor's two customer directories (the plugin's over Saleor's users, App mode's over its GraphQL
API) match import rows to customers and decide which accounts to create. Host-free: each adapter looks
the keys up its own way, writes the accounts its own way, and hands in its own phone normalisation.

A request matches the account of its e-mail (lower-cased, as Saleor stores it), else the account of its
phone. An unknown person with an e-mail gets an account where the host allows creation (with
``create=False``, a dry run, the answer says it would be created); without an e-mail, never.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ...ports import CustomerMatch, CustomerRequest

#: Saleor's first_name / last_name length
NAME_MAX = 256


def customer_names(name: str) -> tuple[str, str]:
    """Saleor's first / last name from one display name (a Chinese name stays whole in first_name)."""
    first, _, last = name.strip().partition(" ")
    return first[:NAME_MAX], last.strip()[:NAME_MAX]


def lookup_keys(
    requests: list[CustomerRequest], phone_key: Callable[[str], str]
) -> tuple[list[str], list[str]]:
    """The distinct e-mails (lower-cased) and phones (``phone_key``'s form, "" dropped) to look up."""
    emails = sorted({r.email.strip().lower() for r in requests if r.email.strip()})
    phones = sorted({p for p in (phone_key(r.phone) for r in requests if r.phone) if p})
    return emails, phones


@dataclass
class CustomerPlan:
    """Each request's answer, or (a str) the e-mail of the account to create for it; the accounts to
    create, e-mail -> (first name, last name) of the first request with that e-mail."""

    matches: list[CustomerMatch | str] = field(default_factory=list)
    to_create: dict[str, tuple[str, str]] = field(default_factory=dict)

    def resolved(self, created: Mapping[str, int | None]) -> list[CustomerMatch]:
        """The answers, given the created accounts' pks by e-mail (None: the host refused that one)."""
        return [
            m if isinstance(m, CustomerMatch) else CustomerMatch(created[m], created=created[m] is not None)
            for m in self.matches
        ]


def customer_plan(
    requests: list[CustomerRequest],
    by_email: Mapping[str, int],
    by_phone: Mapping[str, int],
    *,
    phone_key: Callable[[str], str],
    may_create: bool,
    create: bool,
) -> CustomerPlan:
    """Match every request against the accounts found (``by_email`` / ``by_phone``, keyed as
    ``lookup_keys`` gives them) and plan the accounts to create."""
    plan = CustomerPlan()
    for request in requests:
        email = request.email.strip().lower()
        found = by_email.get(email) if email else None
        if found is None and request.phone:
            found = by_phone.get(phone_key(request.phone))
        if found is not None:
            plan.matches.append(CustomerMatch(found))
        elif not email or not may_create:
            plan.matches.append(CustomerMatch(None))
        elif not create:
            plan.matches.append(CustomerMatch(None, created=True))
        else:
            plan.to_create.setdefault(email, customer_names(request.name))
            plan.matches.append(email)
    return plan
