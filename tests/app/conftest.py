from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client

from saleor_wechat_distribution import host
from saleor_wechat_distribution.app import saleor_api
from saleor_wechat_distribution.app.host_wiring import app_host
from saleor_wechat_distribution.domain.distributors import DistributorKind
from saleor_wechat_distribution.models import (
    ChannelProgram,
    CommissionRule,
    Distributor,
    SaleorAppInstallation,
)
from saleor_wechat_distribution.testing.factories import make_distributor
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

from .fake_saleor import APP_TOKEN, FakeSaleor

CHANNEL = "default-channel"


def last_migration() -> str:
    """The program's newest migration (the tests that undo it and migrate again need no edit per
    migration)."""
    from django.db.migrations.loader import MigrationLoader

    (leaf,) = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("wechat_distribution")
    return leaf[1]


@pytest.fixture
def saleor() -> Iterator[FakeSaleor]:
    with FakeSaleor() as fake:
        yield fake


@pytest.fixture
def world() -> Iterator[FakeWeChatPay]:
    """WeChat Pay (商家券 and the rest) over HTTP; the App server's merchant for every channel
    (``WECHAT_DISTRIBUTION_COUPONS``, ``test_server.app_processes``)."""
    with FakeWeChatPay() as fake:
        yield fake
    assert fake.errors == []


@pytest.fixture
def other_world() -> Iterator[FakeWeChatPay]:
    """A second WeChat Pay merchant: the second instance's own (``WECHAT_DISTRIBUTION_INSTANCES``,
    ``test_server.app_processes``)."""
    with FakeWeChatPay(mchid="1900000209") as fake:
        yield fake
    assert fake.errors == []


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch) -> None:
    monkeypatch.setattr(saleor_api, "BACKOFF_S", 0.001)


def install(client: Client, saleor: FakeSaleor) -> SaleorAppInstallation:
    """The App installed in ``saleor`` through ``api/register`` (token checked, JWKS fetched, the instance's
    schema made: the test database's public holds the program's tables, so the first instance gets public,
    the next ones schemas of their own)."""
    answer = client.post(
        "/api/register",
        json.dumps({"auth_token": APP_TOKEN}),
        content_type="application/json",
        headers={"Saleor-Api-Url": saleor.api_url},
    )
    assert answer.status_code == 200, answer.content
    return SaleorAppInstallation.objects.get(saleor_api_url=saleor.api_url)


@pytest.fixture
def installed(db, saleor, client: Client) -> SaleorAppInstallation:
    return install(client, saleor)


@pytest.fixture
def other_saleor() -> Iterator[FakeSaleor]:
    """A second Saleor instance (its own URL, key and orders) installing the same App server."""
    with FakeSaleor() as fake:
        yield fake


@pytest.fixture
def app_mode(installed, saleor, settings) -> Iterator[SaleorAppInstallation]:
    """App mode's host lookups (``app/host_wiring.py``) over the fake Saleor, the one allowed instance."""
    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = [saleor.api_url]
    with host.overridden(**app_host()):
        yield installed


def webhook_post(client: Client, saleor: FakeSaleor, event: str, body: bytes, capture) -> None:
    """Deliver one signed Saleor webhook (``body`` as Saleor sent it) to App mode's ``/api/webhooks/``;
    ``capture`` (``django_capture_on_commit_callbacks``) runs the tasks it queues on commit."""
    headers = saleor.webhook_headers(event, body)
    with capture(execute=True):
        answer = client.post("/api/webhooks/", body, content_type="application/json", headers=headers)
    assert answer.status_code == 200, answer.content


def gql(client: Client, query: str, variables: dict | None = None, token: str | None = None):
    """POST to App mode's ``/graphql/`` (the test needs ``pytest.mark.urls`` of ``app.urls``)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        "/graphql/", {"query": query, "variables": variables or {}}, content_type="application/json",
        headers=headers,
    )  # fmt: skip


def make_program() -> ChannelProgram:
    program = ChannelProgram.objects.create(
        channel=CHANNEL, currency="CNY", commission_depth=2, freeze_days=7
    )
    CommissionRule.objects.create(channel=CHANNEL, level=1, rate=Decimal("10"))
    CommissionRule.objects.create(channel=CHANNEL, level=2, rate=Decimal("3"))
    return program


def make_chain(referral_code: str | None = None):
    """brand > enterprise E > individual A > individual B (B sells; A is B's upline); B's code given."""
    e = make_distributor(kind=DistributorKind.ENTERPRISE, name="E")
    a = make_distributor(e, name="A")
    b = make_distributor(a, name="B")
    if referral_code:
        Distributor.objects.filter(pk=b.pk).update(referral_code=referral_code)
        b.refresh_from_db()
    return e, a, b


@pytest.fixture
def program(db) -> ChannelProgram:
    return make_program()


@pytest.fixture
def chain(db):
    return make_chain()
