"""QR codes per distributor (temporary by default, permanent on request, cached) and their funnel. The
``storefrontQrCodeCreate`` mutation prepares a code (the WeChat call); ``Storefront.qrCode`` only reads."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from graphql_relay import to_global_id

from saleor_wechat_distribution.models import QrCode
from saleor_wechat_distribution.services.commissions import order_placed
from saleor_wechat_distribution.testing import orders
from saleor_wechat_distribution.testing.factories import customer, make_distributor
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .conftest import SHOP_APP
from .messages import callback, event_xml

QR = """
query($slug: String!, $permanent: Boolean) {
  storefront(slug: $slug) {
    qrCode(permanent: $permanent) {
      appId scene permanent url imageUrl expiresAt funnel { scans follows bindings orders }
    }
  }
}"""


CREATE = """
mutation($id: ID, $permanent: Boolean) {
  storefrontQrCodeCreate(id: $id, permanent: $permanent) {
    qrCode { appId scene permanent url imageUrl expiresAt }
    storefront { slug }
    errors { field code message }
  }
}"""


def read(gql, principal, permanent=False, slug="xiaowang"):  # noqa: F811
    return gql(QR, {"slug": slug, "permanent": permanent}, principal)


def create(gql, principal, permanent=False, storefront=None):  # noqa: F811
    variables = {"permanent": permanent, "id": storefront}
    return gql(CREATE, variables, principal)["data"]["storefrontQrCodeCreate"]


def qr(gql, principal, permanent=False, slug="xiaowang"):  # noqa: F811
    """Prepare (the mutation), then read (the query), as a client does."""
    made = create(gql, principal, permanent=permanent, storefront=_global_id(slug))
    answer = read(gql, principal, permanent=permanent, slug=slug)
    if made["errors"]:
        errors = [{"extensions": {"exception": {"code": e["code"]}}} for e in made["errors"]]
        return {"data": answer.get("data"), "errors": errors}
    assert answer["data"]["storefront"]["qrCode"]["url"] == made["qrCode"]["url"]
    return answer


def _global_id(slug):
    from saleor_wechat_distribution.models import Storefront

    return to_global_id("Storefront", Storefront.objects.get(slug=slug).pk)


def test_temporary_by_default_cached_and_regenerated_when_about_to_expire(gql, shop, mp):  # noqa: F811
    first = qr(gql, shop.owner)["data"]["storefront"]["qrCode"]
    assert first["appId"] == SHOP_APP and first["scene"] == shop.distributor.referral_code
    assert not first["permanent"] and first["url"].startswith("http://weixin.qq.com/q/")
    assert first["imageUrl"].startswith("https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQ")
    stored = QrCode.objects.get()
    assert timedelta(days=29) < stored.expires_at - timezone.now() <= timedelta(days=30)
    assert qr(gql, shop.owner)["data"]["storefront"]["qrCode"]["url"] == first["url"]
    assert mp.calls["qrcode.create"] == 1
    QrCode.objects.update(expires_at=timezone.now() + timedelta(hours=12))
    again = qr(gql, shop.owner)["data"]["storefront"]["qrCode"]
    assert again["url"] != first["url"] and mp.calls["qrcode.create"] == 2
    assert QrCode.objects.count() == 1
    permanent = qr(gql, shop.staff, permanent=True)["data"]["storefront"]["qrCode"]
    assert permanent["permanent"] and permanent["expiresAt"] is None
    assert mp.accounts[SHOP_APP].permanent_qr == 1
    qr(gql, shop.owner, permanent=True)
    assert mp.accounts[SHOP_APP].permanent_qr == 1  # cached: the limited ones are never wasted


def test_through_the_brands_account_when_the_storefront_has_none(gql, shop, mp):  # noqa: F811
    shop.account.delete()
    answer = qr(gql, shop.owner)["data"]["storefront"]["qrCode"]
    assert answer["appId"] == shop.brand_account.app_id


def test_the_query_is_a_pure_read(gql, shop, mp):  # noqa: F811
    """Nothing prepared: null, and WeChat is not asked, nothing is written; an expired code reads as null."""
    assert read(gql, shop.owner)["data"]["storefront"] == {"qrCode": None}
    assert read(gql, shop.staff, permanent=True)["data"]["storefront"] == {"qrCode": None}
    assert mp.calls["qrcode.create"] == 0 and mp.calls["token"] == 0 and not QrCode.objects.exists()
    made = create(gql, shop.owner)
    assert made["errors"] == [] and made["storefront"] == {"slug": "xiaowang"}
    assert read(gql, shop.owner)["data"]["storefront"]["qrCode"]["url"] == made["qrCode"]["url"]
    assert read(gql, shop.owner, permanent=True)["data"]["storefront"] == {"qrCode": None}
    QrCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert read(gql, shop.owner)["data"]["storefront"] == {"qrCode": None}
    assert mp.calls["qrcode.create"] == 1


def test_only_owner_and_staff_see_and_prepare_codes(gql, shop):  # noqa: F811
    for principal in (None, customer()):
        answer = read(gql, principal)
        assert answer["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
        assert answer["data"]["storefront"] == {"qrCode": None}
    answer = gql(CREATE, {"id": _global_id("xiaowang")}, None)
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    made = create(gql, customer(), storefront=_global_id("xiaowang"))
    assert [e["code"] for e in made["errors"]] == ["NOT_FOUND"] and made["qrCode"] is None
    assert [e["code"] for e in create(gql, customer())["errors"]] == ["NOT_A_DISTRIBUTOR"]
    assert [e["code"] for e in create(gql, shop.owner, storefront="bm90OmFuaWQ=")["errors"]] == ["INVALID"]
    assert not QrCode.objects.exists()


def test_an_inactive_distributor_gets_no_code(gql, shop):  # noqa: F811
    shop.distributor.status = "suspended"
    shop.distributor.save()
    assert [e["code"] for e in create(gql, shop.staff, storefront=_global_id("xiaowang"))["errors"]] == [
        "INACTIVE"
    ]
    assert not QrCode.objects.exists()


def test_no_account_anywhere_is_a_coded_error(gql, shop):  # noqa: F811
    shop.account.delete()
    shop.brand_account.delete()
    answer = qr(gql, shop.owner)
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "ACCOUNT_NOT_BOUND"


def test_wechat_refusing_is_a_coded_error(gql, shop, mp):  # noqa: F811
    mp.refuse_every_token.add(SHOP_APP)
    answer = qr(gql, shop.owner)
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "WECHAT_ERROR"
    assert not QrCode.objects.exists()


def test_funnel_scans_follows_bindings_orders(client, gql, shop):  # noqa: F811
    code = qr(gql, shop.owner)["data"]["storefront"]["qrCode"]
    ticket = QrCode.objects.get().ticket
    scene = shop.distributor.referral_code

    def send(openid, event, key):
        query, body = callback(shop.fake, event_xml(openid, event, event_key=key, Ticket=ticket))
        assert client.post(f"/wechat/{SHOP_APP}/?{query}", body, content_type="text/xml").status_code == 200

    send("o-1", "subscribe", f"qrscene_{scene}")  # scan, follow, binding
    send("o-2", "subscribe", f"qrscene_{scene}")  # scan, follow, binding
    send("o-1", "SCAN", scene)  # scan
    rival = make_distributor(name="rival")
    # o-3 already belongs to a rival (bound through the rival's code): a scan and a follow, no binding
    query, body = callback(shop.fake, event_xml("o-3", "SCAN", event_key=rival.referral_code))
    client.post(f"/wechat/{SHOP_APP}/?{query}", body, content_type="text/xml")
    send("o-3", "subscribe", f"qrscene_{scene}")
    order_placed(order=orders.order(identities=((SHOP_APP, "o-1"),)))
    order_placed(order=orders.order(identities=((SHOP_APP, "o-3"),)))  # the rival's
    order_placed(order=orders.order(ref=scene))  # a link order: not the code's
    funnel = qr(gql, shop.owner)["data"]["storefront"]["qrCode"]["funnel"]
    assert funnel == {"scans": 4, "follows": 3, "bindings": 2, "orders": 1}
    assert code["scene"] == scene
