"""App mode's card-pack coupon sync: vouchers read through the fake Saleor's GraphQL API, synced into the
fake WeChat Pay's 商家券 stocks (wechatpayv3's real client over HTTP), driven by signed webhooks; codes
redeemed on WeChat's side deleted in Saleor (``voucherCodeBulkDelete``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.app import vouchers as app_vouchers
from saleor_wechat_distribution.app.saleor_api import SaleorClient
from saleor_wechat_distribution.app.vouchers import SaleorApiVoucherSource
from saleor_wechat_distribution.models import CouponStock, InboundEvent, IssuedCoupon
from saleor_wechat_distribution.ports import CouponReceived
from saleor_wechat_distribution.services.coupons.card_pack import coupon_received
from saleor_wechat_distribution.services.coupons.reconcile import coupon_reconcile
from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons, WeChatPayCouponSettings
from saleor_wechat_distribution.wechat.payouts_v3 import WeChatPayV3Settings

from .conftest import webhook_post

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]


@pytest.fixture
def source(installed) -> SaleorApiVoucherSource:
    return SaleorApiVoucherSource(lambda: SaleorClient.of(installed))


@pytest.fixture
def coupons(world, source) -> Iterator[WeChatPayCoupons]:
    """The brand's 商家券 merchant for every channel, Saleor's vouchers read through its API."""
    gateway = WeChatPayCoupons(
        WeChatPayCouponSettings(
            v3=WeChatPayV3Settings(**world.v3_settings()), api_key_v2=world.merchant.api_key_v2
        )
    )
    app_vouchers.memo_clear()
    with host.overridden(voucher_source=source, coupon_gateways=lambda channel, distributor_id: [gateway]):
        yield gateway


@pytest.fixture
def send(client, saleor, django_capture_on_commit_callbacks) -> Callable[[str, dict], None]:
    """Deliver a signed Saleor webhook to the App; the tasks it queues on commit run."""

    def send(event: str, payload: dict) -> None:
        webhook_post(client, saleor, event, json.dumps(payload).encode(), django_capture_on_commit_callbacks)

    return send


@pytest.fixture
def voucher_created(send) -> Callable[[dict], None]:
    """Saleor's ``VOUCHER_CREATED`` for one of the fake Saleor's vouchers."""
    return lambda voucher: send("VOUCHER_CREATED", {"voucher": {"id": voucher["id"]}})


@pytest.fixture
def coupon_held(saleor, world, voucher_created) -> Callable[..., tuple[dict, CouponStock, object]]:
    """A voucher created in Saleor and synced into a stock, one of whose coupons ``openid`` received
    (WeChat's coupon-received callback delivered): (the voucher, the stock, WeChat's coupon)."""

    def coupon_held(
        pk: int, voucher_codes: list[str], openid: str, notification_id: str
    ) -> tuple[dict, CouponStock, object]:
        voucher = saleor.add_voucher(pk, voucher_codes)
        voucher_created(voucher)
        stock, _fake = the_stock(world)
        held = world.busifavor.user_receives(stock.stock_id, openid)
        coupon_received(
            mchid=world.merchant.mchid,
            received=CouponReceived(
                notification_id=notification_id, stock_id=stock.stock_id, code=held.code, openid=openid
            ),
        )
        return voucher, stock, held

    return coupon_held


@pytest.fixture
def saleor_voucher_held(saleor, world, voucher_created) -> Callable[..., object]:
    """``coupon_held`` for a voucher with Saleor's usage options (``usage_limit``, ``single_use``); the
    coupon held is of the voucher's first code, the oldest: on the last page of Saleor's codes."""

    def held(
        pk: int, voucher_codes: list[str], openid: str, notification_id: str, **limits: object
    ) -> object:
        voucher = saleor.add_voucher(pk, voucher_codes, **limits)
        voucher_created(voucher)
        stock, _fake = the_stock(world)
        coupon = world.busifavor.user_receives(stock.stock_id, openid, code=voucher_codes[0])
        coupon_received(
            mchid=world.merchant.mchid,
            received=CouponReceived(
                notification_id=notification_id, stock_id=stock.stock_id, code=coupon.code, openid=openid
            ),
        )
        return coupon

    return held


def codes(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:05d}" for i in range(n)]


def the_stock(world) -> tuple[CouponStock, object]:
    stock = CouponStock.objects.get()
    assert stock.stock_id, (stock.status, stock.error_code, stock.error_message)
    return stock, world.busifavor.stocks[stock.stock_id]


def test_a_voucher_created_in_saleor_becomes_a_stock_with_the_same_codes(
    installed, saleor, coupons, world, voucher_created
):
    voucher = saleor.add_voucher(21, codes("APPA", 250), value="15.00", min_spent="120.00")
    voucher_created(voucher)
    stock, fake = the_stock(world)
    assert (stock.voucher_id, stock.channel, stock.status) == ("21", "default-channel", "synced")
    assert (stock.codes_uploaded, stock.codes_total) == (250, 250)
    assert fake.codes == set(codes("APPA", 250))
    assert fake.body["coupon_use_rule"]["fixed_normal_coupon"] == {
        "discount_amount": 1500,
        "transaction_minimum": 12000,
    }
    # Saleor's 100-a-page connection read once for the whole sync (3 pages), however often the core asks
    assert saleor.operations.count("WeChatDistributionVoucher") == 3
    assert InboundEvent.objects.get().processed_at is not None


def test_codes_added_in_saleor_are_uploaded(installed, saleor, coupons, world, send, voucher_created):
    voucher = saleor.add_voucher(22, codes("APPB", 30))
    voucher_created(voucher)
    new = saleor.add_codes(voucher, codes("APPC", 5))  # newest first in Saleor: before every older code
    send("VOUCHER_CODES_CREATED", {"voucherCodes": new})
    stock, fake = the_stock(world)
    assert fake.codes == set(codes("APPB", 30) + codes("APPC", 5))
    assert stock.status == "synced" and stock.codes_uploaded == 35
    assert world.calls["busifavor.stocks.create"] == 1


def test_codes_of_no_voucher_change_nothing(installed, saleor, coupons, send):
    saleor.add_voucher(23, codes("APPD", 3))
    payload = {"voucherCodes": [{"id": "x", "code": "NOBODY-HAS-IT"}]}
    send("VOUCHER_CODES_CREATED", payload)
    assert not CouponStock.objects.exists() and InboundEvent.objects.get().processed_at is not None


def test_duplicate_deliveries_are_applied_once(installed, saleor, coupons, world, send):
    voucher = saleor.add_voucher(24, codes("APPE", 10))
    payload = {"voucher": {"id": voucher["id"]}}
    for _ in range(3):
        send("VOUCHER_UPDATED", payload)
    assert InboundEvent.objects.count() == 1
    assert world.calls["busifavor.stocks.create"] == 1 and world.calls["busifavor.couponcodes.upload"] == 1
    assert saleor.operations.count("WeChatDistributionVoucher") == 1  # the duplicates queued nothing
    # a different event about the same voucher syncs again: nothing new to create or upload
    send("VOUCHER_CREATED", payload)
    assert world.calls["busifavor.stocks.create"] == 1 and world.calls["busifavor.couponcodes.upload"] == 1
    assert CouponStock.objects.get().status == "synced"


def test_a_saleor_5xx_is_retried_and_an_outage_writes_nothing(
    installed, saleor, coupons, world, voucher_created
):
    from saleor_wechat_distribution.tasks import coupon_sync_task

    voucher = saleor.add_voucher(25, codes("APPF", 150))
    saleor.fail_next = 2  # within the client's attempts: retried with backoff, then read
    voucher_created(voucher)
    stock, fake = the_stock(world)
    assert stock.status == "synced" and len(fake.codes) == 150

    saleor.add_voucher(26, codes("APPG", 150))
    saleor.fail_next = 1000  # Saleor down for longer than the attempts: the coupon task fails, to retry
    with pytest.raises(Exception, match="SALEOR_UNAVAILABLE"):
        coupon_sync_task.apply(args=["26"], throw=True)
    assert not CouponStock.objects.filter(voucher_id="26").exists()  # nothing half-written
    assert world.calls["busifavor.stocks.create"] == 1
    saleor.fail_next = 0
    app_vouchers.memo_clear()
    coupon_sync_task.apply(args=["26"], throw=True)
    assert CouponStock.objects.get(voucher_id="26").status == "synced"


def test_a_voucher_without_the_apps_discount_permission_is_not_taken_for_deleted(
    installed, saleor, coupons, voucher_created
):
    from saleor_wechat_distribution.domain.coupons import CouponTemporaryError
    from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher

    voucher = saleor.add_voucher(27, codes("APPH", 5))
    voucher_created(voucher)
    saleor.app_permissions.discard("MANAGE_DISCOUNTS")
    app_vouchers.memo_clear()
    with pytest.raises(CouponTemporaryError, match="MANAGE_DISCOUNTS"):
        coupon_sync_voucher(voucher_id="27")
    assert CouponStock.objects.get().status == "synced"  # not deactivated: the voucher was not deleted


def test_a_coupon_redeemed_in_a_store_deletes_the_code_in_saleor_once(
    installed, saleor, coupons, send, world, coupon_held
):
    voucher, stock, held = coupon_held(28, codes("APPI", 4), "o-store", "n1")
    world.busifavor.store_redeems(held, use_request_no="POS-1")
    app_vouchers.memo_clear()
    assert coupon_reconcile() == 1
    assert saleor.deleted_codes == {held.code: voucher["id"]}
    assert saleor.code_of(held.code) is None  # no checkout can apply it any more
    assert IssuedCoupon.objects.get(code=held.code).state == "used"
    assert coupon_reconcile() == 0
    # reported again (a retried reconcile): the reference is known, Saleor is not asked again
    deletes = saleor.operations.count("WeChatDistributionVoucherCodeDelete")
    assert host.current().voucher_source.voucher_code_mark_used(
        voucher_id="28", code=held.code, reference=f"wx:{stock.stock_id}:{held.code}:POS-1"
    )
    assert saleor.operations.count("WeChatDistributionVoucherCodeDelete") == deletes == 1
    # Saleor tells us the code was deleted: the used coupon stays used
    payload = {"voucherCodes": [{"id": "gone", "code": held.code}]}
    send("VOUCHER_CODES_DELETED", payload)
    assert IssuedCoupon.objects.get(code=held.code).state == "used"


def test_a_store_redemption_while_saleor_is_down_is_kept_for_the_next_run(
    installed, saleor, coupons, world, coupon_held
):
    from saleor_wechat_distribution.domain.coupons import CouponTemporaryError

    *_, held = coupon_held(29, codes("APPJ", 2), "o-down", "n2")
    world.busifavor.store_redeems(held, use_request_no="POS-2")
    saleor.fail_next = 1000
    app_vouchers.memo_clear()
    with pytest.raises(CouponTemporaryError):
        coupon_reconcile()
    assert IssuedCoupon.objects.get(code=held.code).state == "issued" and not saleor.deleted_codes
    saleor.fail_next = 0
    assert coupon_reconcile() == 1
    assert list(saleor.deleted_codes) == [held.code]


def test_codes_deleted_in_saleor_make_their_coupons_invalid(installed, coupons, send, coupon_held):
    *_, held = coupon_held(30, codes("APPK", 3), "o-del", "n3")
    payload = {"voucherCodes": [{"id": "any", "code": held.code}, {"id": "other", "code": "NOT-OURS"}]}
    send("VOUCHER_CODES_DELETED", payload)
    assert held.state == "DEACTIVATED"
    assert IssuedCoupon.objects.get(code=held.code).state == "deactivated"


def test_a_code_used_in_a_saleor_order_consumes_the_wechat_coupon(
    installed, saleor, coupons, program, send, coupon_held
):
    *_, held = coupon_held(31, codes("APPL", 2), "o-order", "n4")
    order = saleor.add_order("vo-1", ("l-1", 1, "150.00"))
    order["voucherCode"] = held.code
    event = {"__typename": "OrderCreated", "order": {"id": order["id"]}}
    send("ORDER_CREATED", event)
    assert held.state == "USED"
    coupon = IssuedCoupon.objects.get(code=held.code)
    assert (coupon.state, coupon.order_id) == ("used", order["id"])
    event = {"__typename": "OrderCancelled", "order": {"id": order["id"]}}
    send("ORDER_CANCELLED", event)
    assert held.state == "SENDED"  # given back to the card pack


def _order_with(saleor, send, code: str, order_pk: str) -> dict:
    """A Saleor order placed with ``code`` (Saleor counting the use as its voucher says), announced."""
    order = saleor.add_order(order_pk, ("l-1", 1, "150.00"))
    order["voucherCode"] = code
    saleor.use_code(code)
    send("ORDER_CREATED", {"__typename": "OrderCreated", "order": {"id": order["id"]}})
    return order


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        ({"single_use": True}, "the code is inactive in Saleor (a single-use code once used)"),
        ({"usage_limit": 1}, "the voucher's usage limit 1 is reached (1 uses)"),
    ],
)
def test_a_cancelled_order_whose_code_saleor_keeps_used_keeps_the_coupon_used(
    installed, saleor, coupons, program, send, saleor_voucher_held, limits, reason
):
    """Saleor's ``orderCancel`` gives no use back: the coupon is not returned (退券) and says why."""
    held = saleor_voucher_held(32, codes("APPS", 150), "o-once", "n5", **limits)  # two pages of codes
    order = _order_with(saleor, send, held.code, "vo-2")
    assert held.state == "USED"
    states = saleor.operations.count("WeChatDistributionVoucherCodeState")
    send("ORDER_CANCELLED", {"__typename": "OrderCancelled", "order": {"id": order["id"]}})
    assert held.state == "USED" and world_returns(held) == 0
    coupon = IssuedCoupon.objects.get(code=held.code)
    assert (coupon.state, coupon.order_id) == ("used", order["id"])
    assert coupon.note == f"CODE_USED_IN_SALEOR: order {order['id']} was cancelled; {reason}"
    assert saleor.operations.count("WeChatDistributionVoucherCodeState") - states in (1, 2)  # to its page


def test_a_cancelled_order_of_a_limited_voucher_with_uses_left_gives_the_coupon_back(
    installed, saleor, coupons, program, send, saleor_voucher_held
):
    held = saleor_voucher_held(33, codes("APPT", 3), "o-twice", "n6", usage_limit=2)
    order = _order_with(saleor, send, held.code, "vo-3")
    send("ORDER_CANCELLED", {"__typename": "OrderCancelled", "order": {"id": order["id"]}})
    assert held.state == "SENDED" and IssuedCoupon.objects.get(code=held.code).state == "issued"


def test_a_cancellation_while_saleor_is_down_writes_nothing(
    installed, saleor, coupons, program, send, coupon_held
):
    from saleor_wechat_distribution.domain.coupons import CouponTemporaryError
    from saleor_wechat_distribution.services.coupons.redemption import coupon_order_cancelled

    *_, held = coupon_held(34, codes("APPU", 2), "o-wait", "n7")
    order = _order_with(saleor, send, held.code, "vo-4")
    saleor.down = True
    with pytest.raises(CouponTemporaryError, match="SALEOR_UNAVAILABLE"):
        coupon_order_cancelled(order_id=order["id"])
    coupon = IssuedCoupon.objects.get(code=held.code)
    assert (coupon.state, coupon.note, held.state) == ("used", "", "USED")
    saleor.down = False
    assert coupon_order_cancelled(order_id=order["id"]) == 1 and held.state == "SENDED"


def world_returns(held) -> int:
    return len(held.return_request_nos)


def test_the_vouchers_list_is_newest_first_with_saleors_search(installed, saleor, coupons, source):
    for pk in (3, 11, 7):
        saleor.add_voucher(pk, codes(f"L{pk}X", pk), name=f"voucher {pk}")
    assert [v.voucher_id for v in source.voucher_list(search="", after=None, limit=2)] == ["11", "7"]
    assert [v.voucher_id for v in source.voucher_list(search="", after=7, limit=10)] == ["3"]
    [found] = source.voucher_list(search="L7X00003", after=None, limit=10)
    assert (found.voucher_id, found.code_count, found.channel, found.active) == (
        "7",
        7,
        "default-channel",
        True,
    )
    assert source.voucher_count(search="") == 3 and source.voucher_count(search="voucher 1") == 1
    # a number: the voucher of that id, and what Saleor's search finds (codes containing it: L11X00003)
    assert [v.voucher_id for v in source.voucher_list(search="3", after=None, limit=10)] == ["11", "7", "3"]
    assert [v.voucher_id for v in source.voucher_list(search="11", after=None, limit=10)] == ["11"]


def test_the_voucher_as_the_core_sees_it(installed, saleor, coupons, source, chain):
    saleor.add_voucher(40, ["ZZ2", "AA1", "MM3"], distributor=chain[2].pk, value="8.50", min_spent=None)
    saleor.vouchers[next(iter(saleor.vouchers))]["codes"][0]["isActive"] = False  # ZZ2 used up
    snapshot = source.voucher_get("40")
    assert (snapshot.value, snapshot.currency, snapshot.minimum_spend) == (Decimal("8.50"), "CNY", None)
    assert snapshot.distributor_id == chain[2].pk and snapshot.code_count == 2
    assert list(snapshot.codes) == ["AA1", "MM3"]
    assert list(source.voucher_get("40", codes_after="AA1").codes) == ["MM3"]
    assert source.voucher_get("41") is None and source.voucher_get("x") is None


def test_a_deleted_code_still_in_wechats_pool_is_withdrawn(
    installed, saleor, coupons, world, send, voucher_created, django_capture_on_commit_callbacks
):
    from saleor_wechat_distribution.models import SaleorVoucherCode

    voucher = saleor.add_voucher(32, ["POOL-1", "POOL-2"])
    voucher_created(voucher)
    stock, _fake = the_stock(world)
    assert not IssuedCoupon.objects.exists()  # nobody holds a coupon: only our read knows the codes' voucher
    gone = [c for c in voucher["codes"] if c["code"] == "POOL-1"]
    voucher["codes"].remove(gone[0])  # voucherCodeBulkDelete in the dashboard
    payload = {"voucherCodes": [{"id": gone[0]["id"], "code": "POOL-1"}]}
    send("VOUCHER_CODES_DELETED", payload)
    withdrawn = IssuedCoupon.objects.get(code="POOL-1")
    assert (withdrawn.state, withdrawn.openid) == ("deactivated", "")
    assert list(SaleorVoucherCode.objects.values_list("code", flat=True)) == ["POOL-2"]
    # WeChat still had it and hands it out: the coupon-received callback makes it invalid at once
    handed = world.busifavor.user_receives(stock.stock_id, "o-late")
    if handed.code != "POOL-1":  # the pool hands out codes in its own order: take the other one back
        handed = world.busifavor.user_receives(stock.stock_id, "o-late")
    with django_capture_on_commit_callbacks(execute=True):
        coupon_received(
            mchid=world.merchant.mchid,
            received=CouponReceived(
                notification_id="n5", stock_id=stock.stock_id, code="POOL-1", openid="o-late"
            ),
        )
    assert handed.state == "DEACTIVATED"


def test_new_codes_find_their_voucher_past_a_namesake(installed, saleor, coupons):
    from saleor_wechat_distribution.app.vouchers import voucher_of_codes

    saleor.add_voucher(50, codes("OTHER", 120), name="a PROMO-77 look-alike")  # Saleor's search finds it too
    owner = saleor.add_voucher(51, codes("OWN", 3), name="owner")
    added = saleor.add_codes(owner, ["PROMO-7", "PROMO-77"])
    client = SaleorClient.of(installed)
    assert voucher_of_codes(client, [c["code"] for c in added]) == "51"
    assert voucher_of_codes(client, ["NOWHERE"]) is None and voucher_of_codes(client, []) is None


def _staff_graphql(client, saleor, query: str, variables: dict) -> dict:
    # one token per fake Saleor: Saleor's word on it (tokenVerify, app/auth.py) is reused for a while, so
    # the requests made after the test makes Saleor fail still reach the resolvers
    token = saleor.__dict__.setdefault(
        "staff_token", saleor.token(5, is_staff=True, permissions=["MANAGE_DISCOUNTS"])
    )
    answer = client.post(
        "/graphql/",
        {"query": query, "variables": variables},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_the_console_lists_saleors_vouchers_and_says_when_saleor_cannot_be_read(
    installed, saleor, client, coupons, world, django_capture_on_commit_callbacks, settings
):
    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = [saleor.api_url]
    saleor.add_voucher(60, codes("CON", 2), name="console voucher")
    listing = """query($s: String) {
      voucherCoupons(first: 10, search: $s) { totalCount edges { node { voucherId codeCount } } } }"""
    sync = "mutation($id: ID!) { voucherCouponSync(voucherId: $id) { errors { field code message } } }"
    with host.overridden(voucher_source=SaleorApiVoucherSource()):  # the installed instance's client
        page = _staff_graphql(client, saleor, listing, {"s": "console"})["data"]["voucherCoupons"]
        assert page == {"totalCount": 1, "edges": [{"node": {"voucherId": "60", "codeCount": 2}}]}
        with django_capture_on_commit_callbacks(execute=True):
            answer = _staff_graphql(client, saleor, sync, {"id": "60"})
        assert answer["data"]["voucherCouponSync"]["errors"] == []
        assert CouponStock.objects.get(voucher_id="60").status == "synced"

        saleor.fail_next = 1000
        refused = _staff_graphql(client, saleor, listing, {"s": ""})
        [error] = refused["errors"]
        assert (
            error["extensions"]["exception"]["code"] == "HOST_UNAVAILABLE" and "try again" in error["message"]
        )
        [error] = _staff_graphql(client, saleor, sync, {"id": "60"})["data"]["voucherCouponSync"]["errors"]
        assert error["code"] == "HOST_UNAVAILABLE" and "SALEOR_UNAVAILABLE" in error["message"]


def test_assigning_a_voucher_to_a_distributor_makes_its_codes_theirs(
    installed, saleor, coupons, chain, send, voucher_created
):
    from saleor_wechat_distribution.models import DistributorVoucherCode

    voucher = saleor.add_voucher(70, ["DIST-1", "DIST-2"])
    voucher_created(voucher)
    assert not DistributorVoucherCode.objects.exists()
    voucher["private"]["wechat_distribution.distributor"] = str(chain[2].pk)  # updatePrivateMetadata
    event = {"__typename": "VoucherMetadataUpdated", "voucher": {"id": voucher["id"]}}
    send("VOUCHER_METADATA_UPDATED", event)
    assigned = DistributorVoucherCode.objects.values_list("code", "distributor_id", "voucher_id")
    assert sorted(assigned) == [("DIST-1", chain[2].pk, "70"), ("DIST-2", chain[2].pk, "70")]
