"""What a shop owner meets on the dashboard's plugin page and a storefront developer on day one, inside a
real Saleor (issue 17): ``checkoutAttribute`` with the checkout id storefronts hold, secrets shown by
their own last characters, the program recording who saved the form (and no new version for an
activation toggle), units in labels, choices read as typed and refused with the allowed values."""

from __future__ import annotations

import pytest
from graphql_relay import from_global_id, to_global_id
from saleor.graphql.tests.utils import get_graphql_content
from saleor.tests.e2e.checkout.utils import (
    checkout_complete,
    checkout_create,
    checkout_delivery_method_update,
)
from saleor.tests.e2e.transactions.utils import create_transaction
from saleor.tests.e2e.utils import assign_permissions

from saleor_wechat_distribution.models import (
    ChannelProgram,
    CheckoutReferral,
    CustomerBinding,
    OrderAttribution,
)
from saleor_wechat_distribution.saleor_adapter.plugin import WeChatDistributionPlugin

from .saleor_fixtures import post_ours
from .test_in_saleor import one_level_program, plugin_update, shop, staff_distributor  # noqa: F401 - shop: a fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]

ATTRIBUTE = """mutation ($id: ID!, $code: String!) {
  checkoutAttribute(checkoutId: $id, code: $code) { checkoutId channel errors { field code } } }"""
PLUGIN = """query ($id: ID!) { plugin(id: $id) {
  channelConfigurations { channel { slug } configuration { name value label helpText } } } }"""


def _attribute(client, slug, checkout_id, code):
    body = {"query": ATTRIBUTE, "variables": {"id": checkout_id, "code": code}}
    response = post_ours(client, slug, "graphql/", body)
    assert response.status_code == 200, response.content
    return response.json()["data"]["checkoutAttribute"]


def test_checkout_attribute_takes_saleors_checkout_global_id_or_its_token(
    shop,  # noqa: F811
    e2e_staff_api_client,
    e2e_app_api_client,
    e2e_not_logged_api_client,
):
    channel = shop["channel"]
    slug = channel["slug"]
    one_level_program(e2e_staff_api_client, channel["id"])
    distributor = staff_distributor(e2e_staff_api_client)
    checkout = checkout_create(
        e2e_not_logged_api_client, [{"variantId": shop["variant_id"], "quantity": 1}], slug,
        email="buyer@example.com",
    )  # fmt: skip
    global_id = checkout["id"]  # what checkoutCreate answers and storefronts keep: Q2hlY2tvdXQ6…
    assert global_id.startswith("Q2hlY2tvdXQ6")
    token = from_global_id(global_id)[1]

    answer = _attribute(e2e_not_logged_api_client, slug, global_id, distributor.referral_code)
    assert answer == {"checkoutId": global_id, "channel": slug, "errors": []}
    assert CheckoutReferral.objects.get().checkout_id == token  # kept under what the order carries
    assert _attribute(e2e_not_logged_api_client, slug, token, distributor.referral_code)["errors"] == []
    assert CheckoutReferral.objects.count() == 1
    for unknown in (to_global_id("Checkout", "00000000-0000-0000-0000-000000000000"),
                    to_global_id("Order", token), "Q2hlY2tvdXQ6bm90LWEtdXVpZA==", "not-an-id"):  # fmt: skip
        assert _attribute(e2e_not_logged_api_client, slug, unknown, distributor.referral_code)["errors"] == [
            {"field": "checkoutId", "code": "NOT_FOUND"}
        ], unknown

    checkout = checkout_delivery_method_update(
        e2e_not_logged_api_client, global_id, shop["shipping_method"]["id"]
    )
    total = checkout["totalPrice"]["gross"]["amount"]
    create_transaction(e2e_app_api_client, global_id, amount_charged=total)
    order = checkout_complete(e2e_not_logged_api_client, global_id)
    attribution = OrderAttribution.objects.get(order_id=order["id"])
    assert (attribution.distributor_id, attribution.source) == (distributor.pk, "link")


def test_checkout_attribute_binds_a_signed_in_customer_through_their_own_or_a_guests_checkout(
    shop,  # noqa: F811
    e2e_staff_api_client,
    e2e_logged_api_client,
    e2e_not_logged_api_client,
):
    """Plugin mode's side of App mode's rule (``services/referrals.checkout_attribute``, the checkout's
    customer from ``Checkout.user``): nobody is bound by an anonymous call or through another customer's
    checkout (here the distributor itself on the customer's cart: no self-referral either)."""
    channel = shop["channel"]
    slug = channel["slug"]
    one_level_program(e2e_staff_api_client, channel["id"])
    distributor = staff_distributor(e2e_staff_api_client)
    lines = [{"variantId": shop["variant_id"], "quantity": 1}]
    customer = e2e_logged_api_client.user
    own = checkout_create(e2e_logged_api_client, lines, slug)["id"]
    guest = checkout_create(e2e_not_logged_api_client, lines, slug, email="guest@example.com")["id"]
    code = distributor.referral_code
    for client in (e2e_not_logged_api_client, e2e_staff_api_client):
        assert _attribute(client, slug, own, code)["errors"] == []
    assert not CustomerBinding.objects.exists()
    assert _attribute(e2e_logged_api_client, slug, guest, code)["errors"] == []
    assert _attribute(e2e_logged_api_client, slug, own, code)["errors"] == []
    assert list(CustomerBinding.objects.values_list("customer_key", "distributor_id")) == [
        (f"user:{customer.pk}", distributor.pk)
    ]


def _shown(plugin_answer, slug):
    (configuration,) = [
        c["configuration"] for c in plugin_answer["channelConfigurations"] if c["channel"]["slug"] == slug
    ]
    return {item["name"]: item for item in configuration}


def test_the_dashboard_shows_each_secrets_own_last_characters_and_units(
    shop,  # noqa: F811
    e2e_staff_api_client,
    settings,
):
    settings.WECHAT_DISTRIBUTION_SECRET_KEY = "a passphrase for the saleor tier"
    channel = shop["channel"]
    slug = channel["slug"]
    saved = plugin_update(
        e2e_staff_api_client, channel["id"], oa_app_id="wx1111111111111111",
        oa_app_secret="oa-secret-0123456789abcdef", oa_token="abc",
    )  # fmt: skip
    assert saved["errors"] == []
    shown = _shown(saved["plugin"], slug)
    assert (shown["oa_app_secret"]["value"], shown["oa_token"]["value"]) == ("cdef", "c")
    assert (
        shown["oa_encoding_aes_key"]["value"] is None and shown["oa_app_id"]["value"] == "wx1111111111111111"
    )
    queried = get_graphql_content(
        e2e_staff_api_client.post_graphql(PLUGIN, {"id": WeChatDistributionPlugin.PLUGIN_ID})
    )["data"]["plugin"]
    shown = _shown(queried, slug)
    assert shown["oa_app_secret"]["value"] == "cdef"
    # every number's label says its unit; money in the channel's currency
    assert shown["withdrawal_minimum"]["label"] == "Minimum withdrawal (USD)"
    assert shown["freeze_days"]["label"] == "Freeze window (days)"
    assert shown["commission_rate_level_1"]["label"] == "Level 1 commission rate (%)"
    assert "first_click, first_order, first_payment, registration" in shown["binding_trigger"]["helpText"]


def test_choices_and_numbers_typed_in_the_form(shop, e2e_staff_api_client):  # noqa: F811
    channel = shop["channel"]
    refused = plugin_update(
        e2e_staff_api_client, channel["id"], binding_trigger="whenever", freeze_days="two weeks",
        withdrawal_minimum="1.005",
    )  # fmt: skip
    messages = {e["field"]: (e["code"], e["message"]) for e in refused["errors"]}
    assert messages == {
        "bindingTrigger": (
            "INVALID",
            "Choose one of: first_click, first_order, first_payment, registration.",
        ),
        "freezeDays": ("INVALID", "Enter a number of days from 0 to 3650."),
        "withdrawalMinimum": ("INVALID", "Enter an amount in USD of zero or more, with at most 2 decimals."),
    }
    assert plugin_update(e2e_staff_api_client, channel["id"], binding_trigger="First order")["errors"] == []
    assert ChannelProgram.objects.get(channel=channel["slug"]).binding_trigger == "first_order"


def test_the_program_records_who_saved_it_and_toggling_the_plugin_makes_no_version(
    shop,  # noqa: F811
    e2e_staff_api_client,
    e2e_app_api_client,
    permission_manage_plugins,
):
    channel = shop["channel"]
    slug = channel["slug"]
    staff = e2e_staff_api_client.user
    assert plugin_update(e2e_staff_api_client, channel["id"], commission_rate_level_1="12")["errors"] == []
    program = ChannelProgram.objects.get(channel=slug)
    assert program.updated_by == f"staff:{staff.pk}"
    version = program.version
    for active in (False, True, False, True):
        assert plugin_update(e2e_staff_api_client, channel["id"], active=active)["errors"] == []
    assert ChannelProgram.objects.get(channel=slug).version == version
    # an app with MANAGE_PLUGINS changing a rate: recorded as the app, a new version
    assign_permissions(e2e_app_api_client, [permission_manage_plugins])
    assert plugin_update(e2e_app_api_client, channel["id"], commission_rate_level_1="11")["errors"] == []
    program = ChannelProgram.objects.get(channel=slug)
    assert (program.version, program.updated_by) == (version + 1, f"app:{e2e_app_api_client.app.pk}")
