"""Checkout referrals in App mode: a code the storefront puts in the checkout's metadata, or gives with
``checkoutAttribute`` (the checkout looked up through Saleor's API: ``app/checkouts.py``), attributes the
order Saleor creates from the checkout (ORDER_CREATED, read back through the API). ``checkoutAttribute``
called with a customer's token binds that customer at once when the checkout is theirs (``Checkout.user``,
read with the App's MANAGE_USERS) or a guest's; never anybody through another customer's checkout or an
anonymous call (issue 16)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY
from saleor_wechat_distribution.models import (
    ChannelProgram,
    CheckoutReferral,
    Commission,
    CustomerBinding,
    OrderAttribution,
)
from saleor_wechat_distribution.testing.factories import make_distributor

from .conftest import gql
from .fake_saleor import gid

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


def attribute(client, checkout: str, code: str, token: str | None = None) -> dict:
    answer = gql(client, ATTRIBUTE, {"c": checkout, "code": code}, token)
    assert answer.status_code == 200, answer.content
    return answer.json()


def attribute_errors(client, checkout: str, code: str, token: str | None = None) -> list:
    return attribute(client, checkout, code, token)["data"]["checkoutAttribute"]["errors"]


def bindings() -> dict[str, int]:
    return dict(CustomerBinding.objects.values_list("customer_key", "distributor_id"))


def test_a_signed_in_customer_is_bound_at_once_through_their_own_checkout(
    app_mode, saleor, client, program, chain, django_capture_on_commit_callbacks
):
    """No order, no webhook: the binding exists when the mutation answers, for the channel's period."""
    _e, a, b = chain
    ChannelProgram.objects.filter(pk=program.pk).update(binding_validity_days=90)
    checkout = saleor.add_checkout(user_pk=78)
    assert attribute_errors(client, checkout, b.referral_code, saleor.token(78)) == []
    binding = CustomerBinding.objects.get()
    assert (binding.customer_key, binding.distributor_id, binding.source, binding.code) == (
        "user:78", b.pk, "link", b.referral_code
    )  # fmt: skip
    assert binding.expires_at - binding.bound_at == timedelta(days=90)
    assert saleor.operation_counts["WeChatDistributionCheckout"] == 1
    # the customer abandons this checkout; a later one without any code is still the distributor's
    later = saleor.add_checkout(user_pk=78)
    order = saleor.complete_checkout(later, "c-9", ("l-1", 1, "100.00"))
    order_created(client, saleor, order, django_capture_on_commit_callbacks)
    attribution = OrderAttribution.objects.get(order_id=order["id"])
    assert (attribution.distributor_id, attribution.customer_user_id) == (b.pk, 78)
    assert [u["distributor_id"] for u in attribution.upline] == [b.pk, a.pk]


def test_a_guests_checkout_binds_the_signed_in_caller(app_mode, saleor, client, program, chain):
    """A cart made before signing in (Saleor attaches the customer later): the caller holds its id."""
    checkout = saleor.add_checkout(user_pk=None)
    assert attribute_errors(client, checkout, chain[2].referral_code, saleor.token(78)) == []
    assert bindings() == {"user:78": chain[2].pk}


def test_an_anonymous_call_or_another_customers_checkout_binds_nobody(
    app_mode, saleor, client, program, chain
):
    b = chain[2]
    checkout = saleor.add_checkout(user_pk=78)
    assert attribute_errors(client, checkout, b.referral_code) == []
    assert attribute_errors(client, checkout, b.referral_code, saleor.token(79)) == []
    assert CheckoutReferral.objects.get().distributor_id == b.pk  # the code is kept, as before
    assert bindings() == {}  # neither the owner (78) nor the caller (79)


def test_another_customers_checkout_is_not_a_self_referral(app_mode, saleor, client, program, chain):
    """A distributor putting their own code on a customer's cart refers the customer, not themself."""
    ChannelProgram.objects.filter(pk=program.pk).update(self_purchase_earns=False)
    b = chain[2]
    own, customers = saleor.add_checkout(user_pk=b.user_id), saleor.add_checkout(user_pk=78)
    token = saleor.token(b.user_id)
    assert attribute_errors(client, own, b.referral_code, token) == [
        {"field": "code", "code": "SELF_REFERRAL"}
    ]
    assert attribute_errors(client, customers, b.referral_code, token) == []
    assert CheckoutReferral.objects.count() == 1 and bindings() == {}


def test_an_existing_binding_is_not_stolen(app_mode, saleor, client, program, chain):
    b = chain[2]
    other = make_distributor(chain[0], name="C")
    token = saleor.token(78)
    assert attribute_errors(client, saleor.add_checkout(user_pk=78), b.referral_code, token) == []
    assert attribute_errors(client, saleor.add_checkout(user_pk=78), other.referral_code, token) == []
    assert bindings() == {"user:78": b.pk}
    assert CheckoutReferral.objects.filter(distributor=other).count() == 1  # that cart's code is kept


def test_saleor_down_or_refusing_the_customer_field_writes_nothing(app_mode, saleor, client, program, chain):
    """The token was checked a moment ago (reused for the recheck window); then Saleor stops answering, or
    no longer lets the App read ``Checkout.user``: a coded error, no code kept, nobody bound."""
    b = chain[2]
    token = saleor.token(78)
    checkout = saleor.add_checkout(user_pk=78)
    unknown = gid("Checkout", uuid.uuid4())
    assert attribute_errors(client, unknown, b.referral_code, token) == [
        {"field": "checkoutId", "code": "NOT_FOUND"}
    ]  # the token is checked now
    saleor.down = True
    down = attribute(client, checkout, b.referral_code, token)
    assert down["errors"][0]["extensions"]["exception"]["code"] == "HOST_UNAVAILABLE"
    saleor.down = False
    saleor.app_permissions.discard("MANAGE_USERS")
    refused = attribute(client, checkout, b.referral_code, token)
    assert refused["errors"][0]["extensions"]["exception"]["code"] == "HOST_UNAVAILABLE"
    assert saleor.operation_counts["WeChatDistributionTokenVerify"] == 1
    assert not CheckoutReferral.objects.exists() and bindings() == {}
