"""App mode's host lookups (``app/catalog.py``, ``checkouts.py``, ``customers.py``, ``customer_sessions.py``,
``auth.py``'s recheck) run through Saleor's own GraphQL schema (its test clients, no server) and answer
what the plugin's ORM adapter answers for the same Saleor: the same products, checkouts and customers."""

from __future__ import annotations

import json
from decimal import Decimal

import jwt
import pytest
from django.core.cache import cache
from graphql_relay import to_global_id
from saleor.core.jwt import create_access_token
from saleor.core.jwt_manager import get_jwt_manager
from saleor.product.models import ProductChannelListing
from saleor.product.search import update_products_search_vector

from saleor_wechat_distribution import host
from saleor_wechat_distribution.app import saleor_api
from saleor_wechat_distribution.app.auth import principal_from_token
from saleor_wechat_distribution.app.catalog import SaleorApiProductCatalog
from saleor_wechat_distribution.app.checkouts import checkout_lookup
from saleor_wechat_distribution.app.customer_sessions import SaleorApiCustomerSessions, wechat_email
from saleor_wechat_distribution.app.customers import SaleorApiCustomerDirectory
from saleor_wechat_distribution.app.host_wiring import app_host
from saleor_wechat_distribution.app.orders import order_fetch, order_snapshot
from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY
from saleor_wechat_distribution.graphql.views import AuthenticationFailed
from saleor_wechat_distribution.ports import CustomerRequest, HostUnavailable
from saleor_wechat_distribution.saleor_adapter.catalog import SaleorProductCatalog
from saleor_wechat_distribution.saleor_adapter.customer_sessions import SaleorCustomerSessions
from saleor_wechat_distribution.saleor_adapter.customers import SaleorCustomerDirectory
from saleor_wechat_distribution.saleor_adapter.wiring import checkout_channel
from saleor_wechat_distribution.services.app_installations import app_installation_register

from .test_in_saleor import shop  # noqa: F401 - the shared fixture
from .test_refunds_and_disputes import referred_order  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]


def _issuer(customer_user) -> str:
    return jwt.decode(create_access_token(customer_user), options={"verify_signature": False})["iss"]


@pytest.fixture
def app_mode(customer_user, e2e_app_api_client, api_client, permission_manage_users, permission_manage_orders,
             monkeypatch, settings):  # fmt: skip
    """App mode installed in this Saleor (the API URL its tokens name); the App's requests reach Saleor's
    schema through its test clients: with the App's token as the App (MANAGE_USERS, MANAGE_ORDERS, as the
    manifest asks), without one anonymously."""
    e2e_app_api_client.app.permissions.add(permission_manage_users, permission_manage_orders)
    api_url = _issuer(customer_user)
    installation = app_installation_register(
        saleor_api_url=api_url, domain="saleor.test", app_id=to_global_id("App", e2e_app_api_client.app.pk),
        auth_token="the-apps-token", jwks=json.dumps(get_jwt_manager().get_jwks()),
        schema="public",  # Saleor's database: our tables there (a moved program's instance)
    )  # fmt: skip
    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = [api_url]

    def post(self, body: bytes):
        request = json.loads(body)
        client = e2e_app_api_client if self._token else api_client
        answer = client.post_graphql(request["query"], request["variables"])
        return json.loads(answer.content, parse_float=Decimal)

    monkeypatch.setattr(saleor_api.SaleorClient, "_post", post)
    cache.clear()
    with host.overridden(**app_host()):
        yield installation
    cache.clear()


def test_the_catalog_is_the_plugins(app_mode, product, channel_USD, e2e_app_api_client):
    update_products_search_vector([product.pk])
    slug, product_id = channel_USD.slug, to_global_id("Product", product.pk)
    app, plugin = SaleorApiProductCatalog(), SaleorProductCatalog()
    ours = app.products_get(channel=slug, product_ids=[product_id, "garbage"])
    theirs = plugin.products_get(channel=slug, product_ids=[product_id])
    assert set(ours) == set(theirs) == {product_id}
    got, expected = ours[product_id], theirs[product_id]
    assert (got.title, got.price, got.currency) == (expected.title, expected.price, expected.currency)
    (found,) = app.products_search(channel=slug, query="test", first=5).items
    assert found == got
    ProductChannelListing.objects.update(visible_in_listings=False)
    assert app.products_get(channel=slug, product_ids=[product_id]) == {}
    assert plugin.products_get(channel=slug, product_ids=[product_id]) == {}
    ProductChannelListing.objects.update(visible_in_listings=True, is_published=False)
    assert app.products_search(channel=slug, query="", first=5).items == ()
    # why the catalog is read without the App's token: with MANAGE_ORDERS Saleor shows the unpublished one
    as_app = e2e_app_api_client.post_graphql(
        "query($c: String!) { products(channel: $c, first: 5) { edges { node { id } } } }", {"c": slug}
    )
    assert [e["node"]["id"] for e in json.loads(as_app.content)["data"]["products"]["edges"]] == [product_id]


def test_checkouts_are_found_as_the_plugin_finds_them(app_mode, checkout, user_checkout, customer_user):
    """With its customer: Saleor shows ``Checkout.user`` to the App's MANAGE_USERS (no checkout permission),
    so ``checkoutAttribute`` can tell the caller's own checkout from another customer's."""
    for the_checkout, owner in ((checkout, None), (user_checkout, customer_user.pk)):
        global_id = to_global_id("Checkout", the_checkout.token)
        for given in (global_id, str(the_checkout.token)):
            assert checkout_lookup(given) == checkout_channel(given)
            assert checkout_lookup(given).checkout_id == str(the_checkout.token)
            assert checkout_lookup(given).customer_user_id == owner
    unknown = to_global_id("Checkout", "00000000-0000-4000-8000-000000000000")
    assert checkout_lookup(unknown) is None and checkout_channel(unknown) is None


def test_saleors_refusals_of_the_checkout_read(
    app_mode, user_checkout, e2e_app_api_client, permission_manage_users
):
    """Where Saleor puts its refusals (``app/checkouts.py`` tells them apart by the error's path): a checkout
    of an inactive channel is refused as a whole to an App without MANAGE_CHECKOUTS (no such checkout); the
    customer field refused (MANAGE_USERS taken from the App) is not "no such checkout" but an error."""
    global_id = to_global_id("Checkout", user_checkout.token)
    e2e_app_api_client.app.permissions.remove(permission_manage_users)
    with pytest.raises(HostUnavailable):
        checkout_lookup(global_id)
    e2e_app_api_client.app.permissions.add(permission_manage_users)
    assert checkout_lookup(global_id) is not None
    user_checkout.channel.is_active = False
    user_checkout.channel.save(update_fields=["is_active"])
    assert checkout_lookup(global_id) is None


def test_saleor_copies_the_checkouts_referral_code_onto_the_order_the_app_reads(
    app_mode,
    referred_order,  # noqa: F811 - the fixture imported above
):
    from saleor_wechat_distribution.app.host_client import app_client

    order = referred_order["order"]
    snapshot = order_snapshot(order_fetch(app_client(), referred_order["order_id"]))
    assert snapshot.metadata[REF_METADATA_KEY] == order.metadata[REF_METADATA_KEY]
    assert snapshot.checkout_id == str(order.checkout_token)


def test_customers_are_matched_and_created_as_the_plugin_does(app_mode, customer_user):
    people = [
        CustomerRequest(customer_user.email.upper(), "", "x"),
        CustomerRequest("", "+48713988102", "by phone"),  # the address of customer_user
        CustomerRequest("nobody@example.com", "", "new"),
        CustomerRequest("", "+8613900000000", "unknown phone"),
    ]
    ours = SaleorApiCustomerDirectory(lambda: True).find_or_create_customers(people, create=False)
    theirs = SaleorCustomerDirectory(lambda: True).find_or_create_customers(people, create=False)
    assert ours == theirs
    (created,) = SaleorApiCustomerDirectory(lambda: True).find_or_create_customers(people[2:3], create=True)
    from saleor.account.models import User

    user = User.objects.get(pk=created.user_id)
    assert created.created and user.email == "nobody@example.com" and user.is_active
    # customerCreate stores no password at all (an empty one, which no password matches, not Django's
    # "unusable" marker as the plugin sets): nobody can sign in with one until a reset sets it
    assert user.password == "" and not user.check_password("") and not user.check_password("new")


def test_wechat_sign_in_finds_the_plugins_account_and_the_token_is_rechecked(
    app_mode, customer_user, settings
):
    ours = SaleorApiCustomerSessions()
    pk = ours.customer_for_wechat(app_id="wxa", openid="o-1", unionid="", nickname="小明")
    assert (
        SaleorCustomerSessions().customer_for_wechat(app_id="wxa", openid="o-1", unionid="", nickname="")
        == pk
    )
    token = ours.issue_token(user_id=pk).token
    principal = principal_from_token(token)
    assert (principal.user_id, principal.email, principal.is_staff) == (
        pk,
        wechat_email(app_id="wxa", openid="o-1", unionid=""),
        False,
    )
    # Saleor's own token: verified with Saleor (tokenVerify) and refused once revoked
    saleors = create_access_token(customer_user)
    assert principal_from_token(saleors).user_id == customer_user.pk
    customer_user.jwt_token_key = "changed"  # "log out everywhere"
    customer_user.save(update_fields=["jwt_token_key"])
    cache.clear()  # the recheck window passed
    with pytest.raises(AuthenticationFailed, match="revoked"):
        principal_from_token(saleors)


def test_the_channel_picker_lists_saleors_channels(app_mode, channel_USD, channel_PLN):
    from saleor_wechat_distribution.app.channels import saleor_api_channels
    from saleor_wechat_distribution.saleor_adapter.channels import saleor_channels

    assert saleor_api_channels() == saleor_channels() != []
