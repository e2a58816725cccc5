"""The console's pages cost a fixed number of SQL statements whatever the page size (dataloaders, no
N+1): each page's GraphQL document, read from the UI's sources (bench/console_documents.py, the same ones
bench/console.py times), runs at a small and a large page size over enough rows to fill both."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql_relay import to_global_id

from bench import console_documents as documents
from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import ChannelProgram, CustomerBinding, LedgerEntry, Storefront
from saleor_wechat_distribution.testing.factories import make_distributor, staff

from .conftest import auth_headers, gid

pytestmark = pytest.mark.django_db

STAFF = staff(Permission.MANAGE_USERS, Permission.MANAGE_ORDERS)
SMALL, LARGE = 2, 12


def statements(client, query: str, variables: dict) -> int:
    body = json.dumps({"query": query, "variables": variables})
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/graphql/", body, content_type="application/json", **auth_headers(STAFF))
    answer = response.json()
    assert response.status_code == 200 and "errors" not in answer, answer
    return len(captured.captured_queries)


@pytest.fixture
def world():
    """A root with LARGE + 1 members (each with a child and a storefront), LARGE + 1 pending applicants,
    and a member with LARGE + 1 ledger entries and bindings."""
    ChannelProgram.objects.create(channel="default-channel", currency="CNY")
    root = make_distributor(name="Root")
    members = []
    for n in range(LARGE + 1):
        member = make_distributor(root, name=f"Member {n}")
        make_distributor(member, name=f"Child {n}")
        make_distributor(member, name=f"Applicant {n}", status=DistributorStatus.PENDING)
        Storefront.objects.create(distributor=member, slug=f"m{n}", title=f"M{n}", channel="default-channel")
        members.append(member)
    busy = members[0]
    now = timezone.now()
    for n in range(LARGE + 1):
        LedgerEntry.objects.create(
            distributor=busy, currency="CNY", amount=Decimal("1.00"), kind="commission",
            idempotency_key=f"k{n}", order_id=f"o{n}",
        )  # fmt: skip
        CustomerBinding.objects.create(
            channel=f"c{n}", customer_key="user:555", distributor=members[n], source="link",
            bound_at=now - timedelta(days=n), protected_until=now,
        )  # fmt: skip
    return {"root": root, "busy": busy}


def test_statements_per_page_do_not_grow_with_the_page_size(client, world):
    pages = {
        "queue": (documents.QUEUE_PAGE, lambda size: {"first": size, "after": None, "search": None}),
        "list": (documents.LIST_PAGE, lambda size: {"first": size, "after": None, "filter": {}}),
        "network_brand": (documents.NETWORK_LEVEL_PAGE, lambda size: {"parent": None, "first": size}),
        "network_level": (
            documents.NETWORK_LEVEL_PAGE,
            lambda size: {"parent": gid(world["root"]), "first": size},
        ),
        "distributor_money": (
            documents.DISTRIBUTOR_MONEY,
            lambda size: {"id": gid(world["busy"]), "first": size},
        ),
        "withdrawals": (documents.WITHDRAWALS_PAGE, lambda size: {"first": size, "status": None}),
    }
    counts = {
        name: (statements(client, query, make(SMALL)), statements(client, query, make(LARGE)))
        for name, (query, make) in pages.items()
    }
    grew = {name: pair for name, pair in counts.items() if pair[0] != pair[1]}
    assert grew == {}, counts


def test_a_distributor_page_and_the_widget_cost_the_same_for_a_big_team(client, world):
    """The distributor page with a team of one and of LARGE + 1; the widget with one binding and many."""
    lone = make_distributor(name="Lone")
    make_distributor(lone, name="Only child")
    small = statements(client, documents.DISTRIBUTOR_PAGE, {"id": gid(lone)})
    large = statements(client, documents.DISTRIBUTOR_PAGE, {"id": gid(world["root"])})
    assert small == large

    one = make_distributor(name="One binding")
    CustomerBinding.objects.create(
        channel="x", customer_key="user:556", distributor=one, source="link", bound_at=timezone.now(),
        protected_until=timezone.now(),
    )  # fmt: skip
    widget_small = statements(client, documents.CUSTOMER_WIDGET, {"customerId": to_global_id("User", 556)})
    widget_large = statements(client, documents.CUSTOMER_WIDGET, {"customerId": to_global_id("User", 555)})
    assert widget_small == widget_large
