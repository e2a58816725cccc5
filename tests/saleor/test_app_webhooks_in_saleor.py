"""App mode against a real Saleor, without servers: Saleor validates the App's manifest (its webhooks'
subscription queries included) as ``appInstall`` does, builds a webhook's payload with its own subscription
engine and signs it with its own key (``jws_encode``), and the App's webhook view verifies it against
Saleor's own JWKS; the App's task then reads the order through Saleor's GraphQL schema with an App token."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from saleor.app.manifest_validations import clean_manifest_data
from saleor.core.jwt_manager import get_jwt_manager
from saleor.graphql.tests.utils import get_graphql_content
from saleor.graphql.webhook.subscription_payload import generate_payload_from_subscription, initialize_request

from saleor_wechat_distribution.app import saleor_api
from saleor_wechat_distribution.app import urls as app_urls
from saleor_wechat_distribution.app.subscriptions import BY_EVENT
from saleor_wechat_distribution.app.webhooks import webhook_view
from saleor_wechat_distribution.models import Commission, InboundEvent, SaleorAppInstallation
from saleor_wechat_distribution.services.app_installations import app_installation_register

from .test_in_saleor import shop  # noqa: F401 - the shared fixture
from .test_refunds_and_disputes import referred_order  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]
API_URL = "http://saleor.test/graphql/"


def test_saleor_accepts_the_app_manifest_with_its_webhook_queries(settings):
    settings.ALLOWED_HOSTS = ["*"]
    manifest = json.loads(app_urls.manifest_view(RequestFactory().get("/api/manifest")).content)
    clean_manifest_data(manifest)  # raises ValidationError for a query Saleor cannot subscribe with
    events = {event for webhook in manifest["webhooks"] for event in webhook["events"]}
    assert {"order_paid", "order_refunded", "customer_deleted", "voucher_deleted", "voucher_created",
            "voucher_updated", "voucher_metadata_updated", "voucher_codes_created",
            "voucher_codes_deleted"} <= events  # fmt: skip


@pytest.fixture
def installed_app(e2e_app_api_client, monkeypatch) -> SaleorAppInstallation:
    """Our installation row for this Saleor; Saleor's API reached through its test client (no server)."""
    installation = app_installation_register(
        saleor_api_url=API_URL, domain="saleor.test", app_id="QXBwOjE=", auth_token="t",
        jwks=json.dumps(get_jwt_manager().get_jwks()), schema="public",  # Saleor's database: our tables there
    )  # fmt: skip

    def post(self, body: bytes):
        request = json.loads(body)
        return json.loads(e2e_app_api_client.post_graphql(request["query"], request["variables"]).content)

    monkeypatch.setattr(saleor_api.SaleorClient, "_post", post)
    return installation


def _deliver(event: str, obj, app) -> int:
    query = BY_EVENT[event].query
    payload = generate_payload_from_subscription(event.lower(), obj, query, initialize_request(app=app))
    assert payload is not None
    body = json.dumps(payload).encode()
    request = RequestFactory().post(
        "/api/webhooks/", body, content_type="application/json",
        headers={"Saleor-Event": event.lower(), "Saleor-Api-Url": API_URL,
                 "Saleor-Signature": get_jwt_manager().jws_encode(body, is_payload_detached=True)},
    )  # fmt: skip
    return webhook_view(request).status_code


def test_a_payload_built_and_signed_by_saleor_is_verified_and_counted_once(
    referred_order,  # noqa: F811 - the fixture imported above
    installed_app,
    e2e_app_api_client,
):
    data = referred_order  # the plugin has already counted it: the App's delivery must change nothing
    before = sorted(
        Commission.objects.filter(order_id=data["order_id"]).values_list("line_id", "level", "amount")
    )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert _deliver("ORDER_PAID", data["order"], e2e_app_api_client.app) == 200
    event = InboundEvent.objects.get(source="saleor:ORDER_PAID")
    assert json.loads(event.body)["order"]["id"] == data["order_id"]
    assert event.processed_at is not None and event.error == ""
    after = sorted(
        Commission.objects.filter(order_id=data["order_id"]).values_list("line_id", "level", "amount")
    )
    assert after == before and len(after) == 2


def test_saleor_signature_for_another_body_is_refused(referred_order, installed_app):  # noqa: F811
    body = b'{"order": {"id": "x"}}'
    signature = get_jwt_manager().jws_encode(b'{"order": {"id": "y"}}', is_payload_detached=True)
    request = RequestFactory().post(
        "/api/webhooks/", body, content_type="application/json",
        headers={"Saleor-Event": "order_paid", "Saleor-Api-Url": API_URL, "Saleor-Signature": signature},
    )  # fmt: skip
    assert webhook_view(request).status_code == 401
    assert not InboundEvent.objects.filter(source="saleor:ORDER_PAID").exists()


def test_the_app_token_reads_what_the_order_query_asks(referred_order, e2e_app_api_client):  # noqa: F811
    from saleor_wechat_distribution.app.orders import ORDER_QUERY

    answer = get_graphql_content(
        e2e_app_api_client.post_graphql(ORDER_QUERY, {"id": referred_order["order_id"]})
    )
    assert answer["data"]["order"]["id"] == referred_order["order_id"]


def test_the_app_token_reads_a_voucher_and_deletes_a_code_redeemed_in_wechat(
    shop,  # noqa: F811 - the fixture imported above
    installed_app,
    e2e_staff_api_client,
    e2e_app_api_client,
    permission_manage_discounts,
):
    """The App's voucher queries and ``voucherCodeBulkDelete`` through Saleor's schema, with the
    permission the manifest asks for (MANAGE_DISCOUNTS)."""
    from decimal import Decimal

    from saleor.discount.models import Voucher, VoucherCode
    from saleor.tests.e2e.utils import assign_permissions
    from saleor.tests.e2e.vouchers.utils.prepare_voucher import prepare_voucher

    from saleor_wechat_distribution.app.saleor_api import SaleorClient
    from saleor_wechat_distribution.app.vouchers import SaleorApiVoucherSource, memo_clear

    assign_permissions(e2e_app_api_client, [permission_manage_discounts])
    prepare_voucher(e2e_staff_api_client, shop["channel"]["id"], "APP-10", "FIXED", 10, "ENTIRE_ORDER")
    voucher_id = str(Voucher.objects.get(codes__code="APP-10").pk)
    source = SaleorApiVoucherSource(lambda: SaleorClient.of(installed_app), coupon_channel=lambda slug: True)
    memo_clear()
    snapshot = source.voucher_get(voucher_id)
    assert snapshot is not None and snapshot.channel == shop["channel"]["slug"]
    assert (snapshot.value, snapshot.code_count, list(snapshot.codes)) == (Decimal(10), 1, ["APP-10"])
    [summary] = source.voucher_list(search="APP-10", after=None, limit=10)
    assert summary.voucher_id == voucher_id and source.voucher_count(search="APP-10") == 1
    assert source.voucher_code_mark_used(voucher_id=voucher_id, code="APP-10", reference="wx:test:1")
    assert not VoucherCode.objects.filter(code="APP-10").exists()  # no checkout can apply it any more


def test_both_adapters_answer_whether_a_code_is_usable_again_as_saleor_does(
    shop,  # noqa: F811 - the fixture imported above
    installed_app,
    e2e_staff_api_client,
    e2e_app_api_client,
    permission_manage_discounts,
):
    """``voucher_code_usable``: the plugin's one ORM statement and the App's ``voucher(id:)`` query through
    Saleor's schema give the same answer, and it is Saleor's (``get_voucher_code_instance``) after uses
    counted by Saleor's own ``increase_voucher_usage`` (which an order's cancellation does not undo)."""
    from saleor.core.utils.promo_code import InvalidPromoCode
    from saleor.discount.models import Voucher, VoucherCode
    from saleor.discount.utils.voucher import get_voucher_code_instance, increase_voucher_usage
    from saleor.tests.e2e.utils import assign_permissions
    from saleor.tests.e2e.vouchers.utils.prepare_voucher import prepare_voucher

    from saleor_wechat_distribution.app.saleor_api import SaleorClient
    from saleor_wechat_distribution.app.vouchers import SaleorApiVoucherSource
    from saleor_wechat_distribution.saleor_adapter.voucher_source import SaleorVoucherSource

    assign_permissions(e2e_app_api_client, [permission_manage_discounts])
    prepare_voucher(e2e_staff_api_client, shop["channel"]["id"], "ONCE-0", "FIXED", 10, "ENTIRE_ORDER")
    voucher = Voucher.objects.get(codes__code="ONCE-0")
    Voucher.objects.filter(pk=voucher.pk).update(usage_limit=None, single_use=False)  # unlimited first
    VoucherCode.objects.bulk_create([VoucherCode(voucher=voucher, code=f"ONCE-{i}") for i in range(1, 151)])
    plugin = SaleorVoucherSource()
    app = SaleorApiVoucherSource(lambda: SaleorClient.of(installed_app), coupon_channel=lambda slug: True)
    slug = shop["channel"]["slug"]

    def answers(code: str) -> tuple:
        mine = plugin.voucher_code_usable(voucher_id=str(voucher.pk), code=code)
        assert app.voucher_code_usable(voucher_id=str(voucher.pk), code=code) == mine
        try:
            get_voucher_code_instance(code, slug)
            saleors = True
        except InvalidPromoCode:
            saleors = False
        assert mine.usable is saleors, (code, mine)
        return mine.usable, mine.reason

    def use(code: str) -> None:
        voucher.refresh_from_db()
        increase_voucher_usage(voucher, VoucherCode.objects.get(code=code), "buyer@example.com")

    use("ONCE-0")  # no limit, not single use: Saleor counts nothing
    assert answers("ONCE-0") == (True, "")  # the oldest code: past Saleor's first page of 100 codes
    Voucher.objects.filter(pk=voucher.pk).update(usage_limit=2)
    use("ONCE-0")
    assert answers("ONCE-0") == (True, "")
    use("ONCE-7")  # the limit counts every code's uses
    assert answers("ONCE-0") == (False, "the voucher's usage limit 2 is reached (2 uses)")
    Voucher.objects.filter(pk=voucher.pk).update(usage_limit=None, single_use=True)
    use("ONCE-3")
    assert answers("ONCE-3") == (False, "the code is inactive in Saleor (a single-use code once used)")
    assert answers("ONCE-4") == (True, "")
    assert answers("NOT-A-CODE") == (False, "the code no longer exists in Saleor")
