"""Checkout referrals in App mode: a code the storefront puts in the checkout's metadata, or gives with
``checkoutAttribute`` (the checkout looked up through Saleor's API: ``app/checkouts.py``), attributes the
order Saleor creates from the checkout (ORDER_CREATED, read back through the API)."""

from __future__ import annotations

import json

import pytest

from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY
from saleor_wechat_distribution.models import CheckoutReferral, Commission, OrderAttribution

from .conftest import gql

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]

ATTRIBUTE = """mutation($c: ID!, $code: String!) { checkoutAttribute(checkoutId: $c, code: $code) {
  checkoutId channel errors { field code } } }"""


def order_created(client, saleor, order: dict, capture) -> None:
    body = json.dumps({"__typename": "OrderCreated", "order": {"id": order["id"]}}).encode()
    with capture(execute=True):
        answer = client.post(
            "/api/webhooks/", body, content_type="application/json",
            headers=saleor.webhook_headers("ORDER_CREATED", body),
        )  # fmt: skip
    assert answer.status_code == 200


def test_a_code_in_the_checkouts_metadata_attributes_the_order(
    app_mode, saleor, client, program, chain, django_capture_on_commit_callbacks
):
    _e, a, b = chain
    checkout = saleor.add_checkout(metadata={REF_METADATA_KEY: b.referral_code.lower()}, user_pk=77)
    order = saleor.complete_checkout(checkout, "c-1", ("l-1", 1, "100.00"))
    order_created(client, saleor, order, django_capture_on_commit_callbacks)
    attribution = OrderAttribution.objects.get(order_id=order["id"])
    assert (attribution.distributor_id, attribution.source, attribution.code) == (
        b.pk,
        "link",
        b.referral_code,
    )
    assert attribution.customer_user_id == 77
    assert [u["distributor_id"] for u in attribution.upline] == [b.pk, a.pk]


def test_checkout_attribute_finds_the_checkout_in_saleor_and_its_order_is_attributed(
    app_mode, saleor, client, program, chain, django_capture_on_commit_callbacks
):
    _e, _a, b = chain
    checkout = saleor.add_checkout(user_pk=78)
    answer = gql(client, ATTRIBUTE, {"c": checkout, "code": b.referral_code}, saleor.token(78)).json()
    assert answer["data"]["checkoutAttribute"] == {
        "checkoutId": checkout, "channel": "default-channel", "errors": []
    }  # fmt: skip
    token = next(iter(saleor.checkouts))
    assert CheckoutReferral.objects.get().checkout_id == token  # the key the order carries
    order = saleor.complete_checkout(checkout, "c-2", ("l-1", 1, "100.00"))
    order_created(client, saleor, order, django_capture_on_commit_callbacks)
    attribution = OrderAttribution.objects.get(order_id=order["id"])
    assert attribution.distributor_id == b.pk and attribution.code == b.referral_code


def test_a_bare_token_works_and_unknown_or_inactive_checkouts_are_not_found(app_mode, saleor, client, chain):
    b = chain[2]
    checkout = saleor.add_checkout()
    token = next(iter(saleor.checkouts))
    bare = gql(client, ATTRIBUTE, {"c": token, "code": b.referral_code}).json()["data"]["checkoutAttribute"]
    assert bare["errors"] == [] and bare["channel"] == "default-channel"
    saleor.inactive_channels.add("default-channel")
    for checkout_id in (checkout, "Q2hlY2tvdXQ6bm9wZQ==", "not-an-id"):
        refused = gql(client, ATTRIBUTE, {"c": checkout_id, "code": b.referral_code}).json()
        assert refused["data"]["checkoutAttribute"]["errors"] == [
            {"field": "checkoutId", "code": "NOT_FOUND"}
        ]


def test_saleor_down_is_a_coded_error(app_mode, saleor, client, chain):
    checkout = saleor.add_checkout()
    saleor.down = True
    answer = gql(client, ATTRIBUTE, {"c": checkout, "code": chain[2].referral_code})
    assert answer.status_code == 200
    assert answer.json()["errors"][0]["extensions"]["exception"]["code"] == "HOST_UNAVAILABLE"
    assert not CheckoutReferral.objects.exists() and not Commission.objects.exists()
