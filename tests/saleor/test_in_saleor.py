"""The plugin inside a real Saleor: discovery, activation through ``pluginUpdate``, a checkout through
Saleor's own GraphQL with a referral code in checkout metadata, paid with ``transactionCreate`` by an
app holding HANDLE_PAYMENTS, commissions, a refund, Saleor tokens on our GraphQL route.

Saleor's e2e helpers build the shop and drive its API in process (``E2eApiClient``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import TestCase
from django.utils import timezone
from graphql_relay import from_global_id, to_global_id
from saleor.core.jwt import JWT_ACCESS_TYPE, create_access_token, jwt_encode, jwt_user_payload
from saleor.discount.models import Voucher
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import Order
from saleor.tests.e2e import DEFAULT_ADDRESS
from saleor.tests.e2e.checkout.utils import (
    checkout_complete,
    checkout_create,
    checkout_delivery_method_update,
)
from saleor.tests.e2e.orders.utils import (
    draft_order_complete,
    draft_order_create,
    draft_order_update,
    mark_order_paid,
    order_lines_create,
)
from saleor.tests.e2e.product.utils.preparing_product import prepare_product
from saleor.tests.e2e.shop.utils.preparing_shop import prepare_default_shop
from saleor.tests.e2e.transactions.utils import create_transaction
from saleor.tests.e2e.vouchers.utils.prepare_voucher import prepare_voucher

from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY, user_customer_key
from saleor_wechat_distribution.models import ChannelProgram, Commission, CommissionRule, Distributor
from saleor_wechat_distribution.saleor_adapter.plugin import WeChatDistributionPlugin

from .saleor_fixtures import PLUGIN_PATH, post_ours

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]

PLUGIN_UPDATE = """
mutation ($id: ID!, $channelId: ID, $input: PluginUpdateInput!) {
  pluginUpdate(id: $id, channelId: $channelId, input: $input) {
    plugin { id channelConfigurations { active channel { slug } configuration { name value } } }
    errors { field code message }
  }
}"""
METADATA_UPDATE = """
mutation ($id: ID!, $input: [MetadataInput!]!) {
  updateMetadata(id: $id, input: $input) { errors { field code message } }
}"""
FULFILL = """
mutation ($order: ID!, $input: OrderFulfillInput!) {
  orderFulfill(order: $order, input: $input) { errors { field code message } }
}"""
EVENT_REPORT = """
mutation ($id: ID!, $amount: PositiveDecimal!) {
  transactionEventReport(id: $id, type: REFUND_SUCCESS, amount: $amount, pspReference: "refund-1") {
    errors { field code message }
  }
}"""


def plugin_update(staff_client, channel_id, *, active=True, **values):
    response = staff_client.post_graphql(
        PLUGIN_UPDATE,
        {
            "id": WeChatDistributionPlugin.PLUGIN_ID,
            "channelId": channel_id,
            "input": {
                "active": active,
                "configuration": [{"name": k, "value": str(v)} for k, v in values.items()],
            },
        },
    )
    return get_graphql_content(response)["data"]["pluginUpdate"]


def one_level_program(staff_client, channel_id) -> None:
    """The plugin active in the channel, commissions on one level at 10 %."""
    assert plugin_update(
        staff_client, channel_id, commission_depth=1, commission_rate_level_1="10", commission_rate_level_2=""
    )["errors"] == []  # fmt: skip


def staff_distributor(staff_client):
    """The staff user of ``staff_client`` as an active distributor (applied and approved in the core)."""
    from saleor_wechat_distribution.ports import SYSTEM, Principal
    from saleor_wechat_distribution.services.distributors import distributor_apply, distributor_approve

    seller = staff_client.user
    applied = distributor_apply(principal=Principal(user_id=seller.pk, email=seller.email), display_name="S")
    return distributor_approve(actor=SYSTEM, distributor_id=applied.pk)


@pytest.fixture
def shop(shop_grants, e2e_staff_api_client):
    data = prepare_default_shop(e2e_staff_api_client)
    _, variant_id, _ = prepare_product(
        e2e_staff_api_client, data["warehouse"]["id"], data["channel"]["id"], 100
    )
    data["variant_id"] = variant_id
    return data


def test_discovered_through_the_entry_point():
    assert PLUGIN_PATH in settings.EXTERNAL_PLUGINS
    assert "saleor_wechat_distribution" in settings.INSTALLED_APPS


def test_hooks_never_raise_and_hand_previous_value_on():
    plugin = WeChatDistributionPlugin(configuration=[], active=True)
    broken = object()  # no .pk, no .user_id: every hook body fails
    for hook in ("order_created", "order_paid", "order_fully_paid", "order_refunded", "order_cancelled",
                 "order_fulfilled", "order_fully_refunded", "checkout_metadata_updated", "customer_deleted",
                 "voucher_codes_created"):  # fmt: skip
        assert getattr(plugin, hook)(broken, previous_value="previous", webhooks=None) == "previous"
    assert plugin.voucher_created(broken, "CODE", previous_value="previous") == "previous"


def test_activation_configuration_and_refusals(shop, e2e_staff_api_client):
    channel = shop["channel"]
    slug = channel["slug"]
    # inactive: the per-channel route answers 404
    assert post_ours(e2e_staff_api_client, slug, "graphql/", {"query": "{ __typename }"}).status_code == 404

    refused = plugin_update(e2e_staff_api_client, channel["id"], commission_depth=3, oa_app_id="wx123")
    fields = {e["field"]: e["code"] for e in refused["errors"]}
    # Saleor answers with camel-cased field names
    assert fields == {"commissionDepth": "INVALID", "oaAppId": "INVALID", "oaAppSecret": "INVALID"}
    assert not ChannelProgram.objects.filter(channel=slug).exists()

    ok = plugin_update(
        e2e_staff_api_client, channel["id"], commission_depth=2, commission_rate_level_1="10",
        commission_rate_level_2="5", freeze_days=7, auto_approve="true",
    )  # fmt: skip
    assert ok["errors"] == []
    program = ChannelProgram.objects.get(channel=slug)
    assert (program.commission_depth, program.freeze_days, program.currency) == (2, 7, "USD")
    assert sorted((r.level, r.rate) for r in CommissionRule.objects.filter(channel=slug)) == [
        (1, Decimal("10")), (2, Decimal("5")),
    ]  # fmt: skip
    response = post_ours(e2e_staff_api_client, slug, "graphql/", {"query": "{ __typename }"})
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {"__typename": "Query"}


def _our_graphql(client, slug, query, variables=None):
    response = post_ours(client, slug, "graphql/", {"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_checkout_with_referral_code_pays_commissions_and_refund_reverses(
    shop, e2e_staff_api_client, e2e_app_api_client, e2e_logged_api_client, e2e_not_logged_api_client
):
    channel = shop["channel"]
    slug = channel["slug"]
    one_level_program(e2e_staff_api_client, channel["id"])

    # a customer applies through our GraphQL with their Saleor token; staff approve with theirs
    applied = _our_graphql(
        e2e_logged_api_client, slug,
        'mutation { distributorApply(input: {displayName: "Joe"}) { distributor { id status referralCode } '
        "errors { code } } }",
    )["distributorApply"]  # fmt: skip
    assert applied["errors"] == [] and applied["distributor"]["status"] == "PENDING"
    approved = _our_graphql(
        e2e_staff_api_client, slug,
        "mutation ($id: ID!) { distributorApprove(id: $id) { distributor { status } errors { code } } }",
        {"id": applied["distributor"]["id"]},
    )["distributorApprove"]  # fmt: skip
    assert approved == {"distributor": {"status": "ACTIVE"}, "errors": []}
    code = applied["distributor"]["referralCode"]

    # an anonymous shopper's checkout, with the code in checkout metadata
    checkout = checkout_create(
        e2e_not_logged_api_client, [{"variantId": shop["variant_id"], "quantity": 2}], slug,
        email="buyer@example.com",
    )  # fmt: skip
    checkout = checkout_delivery_method_update(
        e2e_not_logged_api_client, checkout["id"], shop["shipping_method"]["id"]
    )
    meta = e2e_not_logged_api_client.post_graphql(
        METADATA_UPDATE, {"id": checkout["id"], "input": [{"key": REF_METADATA_KEY, "value": code}]}
    )
    assert get_graphql_content(meta)["data"]["updateMetadata"]["errors"] == []
    total = checkout["totalPrice"]["gross"]["amount"]
    transaction = create_transaction(
        e2e_app_api_client, checkout["id"], amount_charged=total, available_actions=["REFUND"]
    )
    order_data = checkout_complete(e2e_not_logged_api_client, checkout["id"])

    order = Order.objects.get(pk=from_global_id(order_data["id"])[1])
    assert order.metadata[REF_METADATA_KEY] == code
    distributor = Distributor.objects.get(referral_code=code)
    commissions = list(Commission.objects.filter(distributor=distributor))
    assert len(commissions) == 1
    line = order.lines.get()
    assert commissions[0].status == "frozen"  # paid: frozen until the after-sales window closes
    assert commissions[0].amount == (line.total_price_net_amount * Decimal("0.10")).quantize(Decimal("0.01"))
    assert commissions[0].amount == Decimal("20.00")

    # a full refund reported by the payment app reverses it
    refund = e2e_app_api_client.post_graphql(EVENT_REPORT, {"id": transaction["id"], "amount": total})
    assert get_graphql_content(refund)["data"]["transactionEventReport"]["errors"] == []
    commissions[0].refresh_from_db()
    assert commissions[0].reversed_amount == commissions[0].amount
    assert commissions[0].status in ("cancelled", "reversed")


def test_saleor_tokens_on_our_route(shop, e2e_staff_api_client, e2e_logged_api_client, e2e_app_api_client):
    channel = shop["channel"]
    slug = channel["slug"]
    assert plugin_update(e2e_staff_api_client, channel["id"])["errors"] == []
    query = {"query": "{ distributors(first: 1) { totalCount } }"}

    # staff permissions come from the user's groups (MANAGE_USERS assigned through a group)
    staff = post_ours(e2e_staff_api_client, slug, "graphql/", query)
    assert staff.json()["data"]["distributors"]["totalCount"] == 0
    customer = post_ours(e2e_logged_api_client, slug, "graphql/", query)
    assert customer.json()["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    app = post_ours(e2e_app_api_client, slug, "graphql/", query)  # an app without MANAGE_USERS
    assert app.json()["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"

    user = e2e_staff_api_client.user
    expired = jwt_encode(
        {
            **jwt_user_payload(user, JWT_ACCESS_TYPE, timedelta(seconds=1)),
            "exp": timezone.now() - timedelta(minutes=1),
        }
    )
    assert post_ours(e2e_staff_api_client, slug, "graphql/", query,
                     HTTP_AUTHORIZATION_BEARER=expired).status_code == 401  # fmt: skip
    token = create_access_token(user)
    user.jwt_token_key = "rotated"  # "log out everywhere": older tokens are revoked
    user.save(update_fields=["jwt_token_key"])
    assert post_ours(e2e_staff_api_client, slug, "graphql/", query,
                     HTTP_AUTHORIZATION_BEARER=token).status_code == 401  # fmt: skip
    customer_user = e2e_logged_api_client.user
    customer_token = create_access_token(customer_user)
    customer_user.is_active = False
    customer_user.save(update_fields=["is_active"])
    assert post_ours(e2e_logged_api_client, slug, "graphql/", query,
                     HTTP_AUTHORIZATION_BEARER=customer_token).status_code == 401  # fmt: skip
    garbage = post_ours(e2e_logged_api_client, slug, "graphql/", query, HTTP_AUTHORIZATION_BEARER="x.y.z")
    assert garbage.status_code == 401


def test_order_mark_as_paid_fires_only_fully_paid_and_still_pays(
    shop, e2e_staff_api_client, e2e_logged_api_client, permission_manage_discounts
):
    """A staff-made draft order with the code in its metadata, completed and marked as paid (Saleor
    fires order_fully_paid without order_paid), then fulfilled: the commission gets its settle date."""
    channel = shop["channel"]
    assert plugin_update(e2e_staff_api_client, channel["id"], commission_rate_level_1="10")["errors"] == []
    seller = e2e_logged_api_client.user
    from saleor_wechat_distribution.ports import SYSTEM, Principal
    from saleor_wechat_distribution.services.distributors import distributor_apply, distributor_approve

    applied = distributor_apply(principal=Principal(user_id=seller.pk, email=seller.email), display_name="S")
    code = distributor_approve(actor=SYSTEM, distributor_id=applied.pk).referral_code

    draft = draft_order_create(
        e2e_staff_api_client,
        {"channelId": channel["id"], "userEmail": "buyer2@example.com", "shippingAddress": DEFAULT_ADDRESS,
         "billingAddress": DEFAULT_ADDRESS},
    )["order"]  # fmt: skip
    order_lines_create(e2e_staff_api_client, draft["id"], [{"variantId": shop["variant_id"], "quantity": 1}])
    draft_order_update(e2e_staff_api_client, draft["id"], {"shippingMethod": shop["shipping_method"]["id"]})
    meta = e2e_staff_api_client.post_graphql(
        METADATA_UPDATE, {"id": draft["id"], "input": [{"key": REF_METADATA_KEY, "value": code}]}
    )
    assert get_graphql_content(meta)["data"]["updateMetadata"]["errors"] == []
    draft_order_complete(e2e_staff_api_client, draft["id"])
    commission = Commission.objects.get(distributor__referral_code=code)
    assert commission.status == "pending"  # order created, not paid yet
    mark_order_paid(e2e_staff_api_client, draft["id"])
    commission.refresh_from_db()
    assert commission.status == "frozen" and commission.amount == Decimal("10.00")

    order = Order.objects.get(pk=from_global_id(draft["id"])[1])
    line = order.lines.get()
    fulfil = e2e_staff_api_client.post_graphql(
        FULFILL,
        {"order": draft["id"], "input": {"lines": [{"orderLineId": to_global_id("OrderLine", line.pk),
                                                     "stocks": [{"quantity": 1,
                                                                 "warehouse": shop["warehouse"]["id"]}]}]}},
    )  # fmt: skip
    assert get_graphql_content(fulfil)["data"]["orderFulfill"]["errors"] == []
    commission.refresh_from_db()
    assert commission.fulfilled_at is not None and commission.settle_after is not None


def test_a_voucher_reaches_the_coupon_sync_hand_off(shop, e2e_staff_api_client, monkeypatch):
    from saleor_wechat_distribution import host_events

    handed: list[dict] = []
    monkeypatch.setattr(host_events, "voucher_changed", lambda **change: handed.append(change))
    channel = shop["channel"]
    assert plugin_update(e2e_staff_api_client, channel["id"])["errors"] == []
    prepare_voucher(e2e_staff_api_client, channel["id"], "JOE-10", "PERCENTAGE", 10, "ENTIRE_ORDER")
    voucher_id = Voucher.objects.get(codes__code="JOE-10").pk
    # handed to the core's coupon sync once per mutation: voucherCreate, then voucherChannelListingUpdate
    # (it saves only the listing). Saleor creates the voucher's codes with bulk_create, which sends no
    # model signal, and does not call a per-channel plugin's voucher hooks: the sync reads the codes from
    # the voucher.
    assert [(c["kind"], c["voucher_id"]) for c in handed] == [
        ("created", str(voucher_id)), ("updated", str(voucher_id)),
    ]  # fmt: skip


def test_a_signed_in_customers_checkout_code_binds_and_deleting_the_customer_forgets(
    shop, e2e_staff_api_client, e2e_logged_api_client, e2e_not_logged_api_client
):
    from saleor_wechat_distribution.models import CustomerBinding
    from saleor_wechat_distribution.ports import SYSTEM, Principal
    from saleor_wechat_distribution.services.distributors import distributor_apply, distributor_approve

    channel = shop["channel"]
    assert plugin_update(e2e_staff_api_client, channel["id"], binding_trigger="first_click")["errors"] == []
    seller = e2e_staff_api_client.user
    applied = distributor_apply(principal=Principal(user_id=seller.pk, email=seller.email), display_name="S")
    code = distributor_approve(actor=SYSTEM, distributor_id=applied.pk).referral_code
    buyer = e2e_logged_api_client.user
    checkout = checkout_create(
        e2e_logged_api_client, [{"variantId": shop["variant_id"], "quantity": 1}], channel["slug"]
    )
    meta = e2e_logged_api_client.post_graphql(
        METADATA_UPDATE, {"id": checkout["id"], "input": [{"key": REF_METADATA_KEY, "value": code}]}
    )
    assert get_graphql_content(meta)["data"]["updateMetadata"]["errors"] == []
    binding = CustomerBinding.objects.get(customer_key=user_customer_key(buyer.pk))
    assert binding.distributor.referral_code == code and binding.channel == channel["slug"]

    buyer_key = user_customer_key(buyer.pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        buyer.delete()
    assert not CustomerBinding.objects.filter(customer_key=buyer_key).exists()
