"""One Open Platform component (第三方平台) serving two Saleor instances on one App server: WeChat pushes its
verify ticket to one URL and every authorizer's notices and messages to one URL (template), without any
``/i/<key>/`` prefix. The ticket serves both instances (one component token, shared); each instance binds
its own Official Account by authorization; notices and messages reach the instance holding the account
(``app/wechat_routes.py``); an authorizer no instance holds is logged and answered ``success``. wechatpy's
real clients against the fake WeChat over HTTP."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from saleor_wechat_distribution import host, instance_scope
from saleor_wechat_distribution.app.host_wiring import app_host
from saleor_wechat_distribution.domain.errors import DistributionError, StorefrontErrorCode
from saleor_wechat_distribution.models import (
    ChannelProgram,
    ComponentTicket,
    InboundEvent,
    OfficialAccount,
    OfficialAccountRoute,
    Storefront,
    WeChatIdentity,
)
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.sealing import unseal
from saleor_wechat_distribution.services.official_accounts import official_account_authorization_complete
from saleor_wechat_distribution.testing.factories import make_distributor
from saleor_wechat_distribution.wechat.mp import Component, component_settings
from tests.storefronts.conftest import mp  # noqa: F401 - fixture
from tests.storefronts.messages import event_xml
from tests.storefronts.test_component import encrypted, notice

from .conftest import CHANNEL, install

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]
OA_A, OA_B, STRANGER = "wxbrandaoa0000001", "wxbrandboa0000002", "wxstranger0000003"


def post_notice(client, mp, fields: dict[str, str]):  # noqa: F811
    query, body = notice(mp, fields)
    return client.post(f"/wechat/component/?{query}", body, content_type="text/xml")


def push_ticket(client, mp) -> None:  # noqa: F811
    ticket = mp.push_verify_ticket()
    answer = post_notice(client, mp, {"InfoType": "component_verify_ticket", "ComponentVerifyTicket": ticket})
    assert (answer.status_code, answer.content) == (200, b"success")


def bind_by_authorization(schema: str, app_id: str, owner: Principal, mp):  # noqa: F811
    with instance_scope.scoped(schema):
        code = mp.authorize(app_id)
        storefront = Storefront.objects.get(distributor__user_id=owner.user_id)
        return official_account_authorization_complete(
            principal=owner, storefront_id=storefront.pk, authorization_code=code
        )


def rows(schema: str) -> dict:
    with instance_scope.scoped(schema):
        return {
            "accounts": {a.app_id: (a.status, a.refresh_token_sealed) for a in OfficialAccount.objects.all()},
            "events": InboundEvent.objects.count(),
            "identities": sorted(WeChatIdentity.objects.values_list("app_id", "openid")),
        }


@pytest.fixture
def brands(db, client, saleor, other_saleor, mp, settings):  # noqa: F811
    """A and B installed on one server, both using the server's component (no entry of their own), each
    with a distributor owning a storefront; the fake WeChat knows both brands' Official Accounts."""
    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = [saleor.api_url, other_saleor.api_url]
    settings.WECHAT_DISTRIBUTION_INSTANCES = {}
    a, b = install(client, saleor), install(client, other_saleor)
    assert a.schema != b.schema
    owners = {}
    for installation, user_id in ((a, 7001), (b, 7002)):
        with instance_scope.scoped(installation.schema):
            ChannelProgram.objects.create(channel=CHANNEL, storefront_base_url="https://shop.example.com")
            owner = Principal(user_id=user_id)
            distributor = make_distributor(principal=owner, name=f"店 {user_id}")
            Storefront.objects.create(
                distributor=distributor, slug=f"shop-{user_id}", title=f"精选 {user_id}", channel=CHANNEL
            )
            owners[installation.schema] = owner
    mp.add_account(OA_A, name="品牌甲")
    mp.add_account(OA_B, name="品牌乙")
    with host.overridden(**app_host()):
        yield (a, owners[a.schema]), (b, owners[b.schema])


def test_one_ticket_push_serves_both_instances_and_each_binds_its_own_account(brands, client, mp):  # noqa: F811
    (a, owner_a), (b, owner_b) = brands
    push_ticket(client, mp)
    # kept once, in the registry, where both instances read it
    assert ComponentTicket.objects.get().ticket == mp.verify_ticket
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{b.schema}".wechat_distribution_componentticket'])
        assert cursor.fetchone()[0] is None  # no copy of its own in B's schema to shadow it
    tokens = set()
    for installation in (a, b):
        with instance_scope.scoped(installation.schema):
            component = Component(component_settings())
            assert component.component_verify_ticket == mp.verify_ticket
            tokens.add(component.access_token)
    assert len(tokens) == 1 and None not in tokens
    bound_a = bind_by_authorization(a.schema, OA_A, owner_a, mp)
    bound_b = bind_by_authorization(b.schema, OA_B, owner_b, mp)
    assert (bound_a.app_id, bound_a.name, bound_b.app_id, bound_b.name) == (OA_A, "品牌甲", OA_B, "品牌乙")
    assert mp.token_fetches[f"component:{mp.component_app_id}"] == 1  # one component token, shared
    assert set(rows(a.schema)["accounts"]) == {OA_A} and set(rows(b.schema)["accounts"]) == {OA_B}
    routes = dict(OfficialAccountRoute.objects.values_list("app_id", "schema"))
    assert routes == {OA_A: a.schema, OA_B: b.schema}
    # B may not take A's account while A holds it
    with pytest.raises(DistributionError) as refused:
        bind_by_authorization(b.schema, OA_A, owner_b, mp)
    assert refused.value.code == StorefrontErrorCode.APP_ID_TAKEN
    assert set(rows(b.schema)["accounts"]) == {OA_B}
    assert OfficialAccountRoute.objects.get(app_id=OA_A).schema == a.schema


@pytest.fixture
def bound(brands, client, mp):  # noqa: F811
    (a, owner_a), (b, owner_b) = brands
    push_ticket(client, mp)
    bind_by_authorization(a.schema, OA_A, owner_a, mp)
    bind_by_authorization(b.schema, OA_B, owner_b, mp)
    return a, b


def test_an_unauthorized_notice_reaches_the_instance_holding_the_account_only(bound, client, mp):  # noqa: F811
    a, b = bound
    before_a = rows(a.schema)
    answer = post_notice(client, mp, {"InfoType": "unauthorized", "AuthorizerAppid": OA_B})
    assert (answer.status_code, answer.content) == (200, b"success")
    after_b = rows(b.schema)
    assert after_b["accounts"] == {OA_B: ("unauthorized", "")} and after_b["events"] == 1
    assert rows(a.schema) == before_a  # A's rows untouched
    status, sealed = before_a["accounts"][OA_A]
    assert status == "active" and unseal(sealed) == mp.refresh_tokens[OA_A]
    # the route stays: a new authorization of B's account is B's business
    assert OfficialAccountRoute.objects.get(app_id=OA_B).schema == b.schema


def test_a_follow_at_the_unprefixed_url_lands_in_the_instance_holding_the_account(bound, client, mp):  # noqa: F811
    a, b = bound
    query, body = encrypted(mp, event_xml("o-follower-a", "subscribe", to="gh_brand_a"))
    answer = client.post(f"/wechat/{OA_A}/?{query}", body, content_type="text/xml")
    assert answer.status_code == 200, answer.content
    assert rows(a.schema)["identities"] == [(OA_A, "o-follower-a")]
    assert rows(b.schema)["identities"] == [] and rows(b.schema)["events"] == 0
    with instance_scope.scoped(a.schema):
        assert WeChatIdentity.objects.get().subscribed is True
    # signed with another token than the component's: refused in A's scope, as a prefixed URL would
    query, body = encrypted(mp, event_xml("o-forger", "subscribe"), token="not-the-component-token")
    answer = client.post(f"/wechat/{OA_A}/?{query}", body, content_type="text/xml")
    assert answer.status_code == 403
    assert rows(a.schema)["identities"] == [(OA_A, "o-follower-a")]


def test_an_unknown_authorizer_is_logged_and_answered_success_with_no_rows_anywhere(
    bound,
    client,
    mp,  # noqa: F811
    caplog,
):
    a, b = bound
    before = {schema: rows(schema) for schema in (a.schema, b.schema)}
    caplog.set_level(logging.WARNING, logger="saleor_wechat_distribution.app.wechat_routes")
    for info_type in ("authorized", "updateauthorized", "unauthorized"):
        fields = {"InfoType": info_type, "AuthorizerAppid": STRANGER, "AuthorizationCode": "queryauthcode@@"}
        answer = post_notice(client, mp, fields)
        assert (answer.status_code, answer.content) == (200, b"success")
    query, body = encrypted(mp, event_xml("o-someone", "subscribe"))
    answer = client.post(f"/wechat/{STRANGER}/?{query}", body, content_type="text/xml")
    assert (answer.status_code, answer.content) == (200, b"success")
    assert sum(STRANGER in record.getMessage() for record in caplog.records) == 4
    assert {schema: rows(schema) for schema in (a.schema, b.schema)} == before
    assert not OfficialAccountRoute.objects.filter(app_id=STRANGER).exists()
    # unsigned, it is refused (not WeChat's)
    query, body = encrypted(mp, event_xml("o-someone", "subscribe"), token="forged")
    answer = client.post(f"/wechat/{STRANGER}/?{query}", body, content_type="text/xml")
    assert answer.status_code == 404
    # a notice not signed by any component of the server is refused
    query, body = notice(mp, {"InfoType": "unauthorized", "AuthorizerAppid": OA_A}, token="forged")
    answer = client.post(f"/wechat/component/?{query}", body, content_type="text/xml")
    assert answer.status_code == 403
    assert rows(a.schema)["accounts"][OA_A][0] == "active"


def test_migration_0022_moves_an_instance_schemas_ticket_to_public_and_routes_its_accounts(brands):
    """A database of App mode before: B's schema has its own ticket table (newer ticket than public's) and
    an account bound; migrating B again merges the ticket into public, drops B's table, routes the account."""
    from datetime import timedelta

    from django.utils import timezone

    from saleor_wechat_distribution.app.schemas import migrate_instance_schemas

    (_a, _), (b, _) = brands
    ComponentTicket.objects.create(
        component_app_id="wxcomp", ticket="old", received_at=timezone.now() - timedelta(hours=1)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE "{b.schema}".wechat_distribution_componentticket '
            "(LIKE public.wechat_distribution_componentticket INCLUDING ALL)"
        )
        cursor.execute(
            f'INSERT INTO "{b.schema}".wechat_distribution_componentticket (component_app_id, ticket, '
            "received_at) VALUES ('wxcomp', 'newer', now())"
        )
    with instance_scope.scoped(b.schema):
        OfficialAccount.objects.create(app_id="wxlegacyaccount01", mode="component")
        OfficialAccount.objects.create(app_id="wxlegacydetached", mode="component", status="detached")
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{b.schema}".django_migrations WHERE name = %s', ["0022_shared_component"]
        )
    assert migrate_instance_schemas() == [b.schema]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{b.schema}".wechat_distribution_componentticket'])
        assert cursor.fetchone()[0] is None
    assert ComponentTicket.objects.get(component_app_id="wxcomp").ticket == "newer"
    routes = dict(OfficialAccountRoute.objects.values_list("app_id", "schema"))
    assert routes == {"wxlegacyaccount01": b.schema}
