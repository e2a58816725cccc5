"""The sandbox's demo world: every demo storefront bound to its own simulated Official Account, demo
vouchers synced to the simulated card pack, a QR code PNG that decodes, a scan that follows and binds,
a share poster of a demo product with its picture."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import zxingcpp
from PIL import Image

from saleor_wechat_distribution.models import (
    CouponStock,
    CustomerBinding,
    Distributor,
    OfficialAccount,
    QrCode,
    Storefront,
)
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.sandbox import simulated_wechat
from saleor_wechat_distribution.sandbox.demo_world import STOREFRONT_APPS, VOUCHERS
from saleor_wechat_distribution.sandbox.tokens import principal_from_token
from saleor_wechat_distribution.sandbox.vouchers.models import SandboxVoucherCode
from saleor_wechat_distribution.services.posters.share_posters import share_poster_create
from saleor_wechat_distribution.services.referrals import referral_link

from .sandbox_world import demo, sandbox_url  # noqa: F401 - fixtures


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read()


def decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_every_demo_storefront_has_its_own_bound_account(demo):  # noqa: F811
    assert demo.storefront_apps == STOREFRONT_APPS
    for slug, app_id in STOREFRONT_APPS.items():
        account = OfficialAccount.objects.get(app_id=app_id)
        assert account.storefront.slug == slug and account.status == "active"
        assert app_id in demo.mp.accounts  # the simulated WeChat knows it (its token fetch works)
    brand = OfficialAccount.objects.get(app_id=simulated_wechat.BRAND_APP)
    assert brand.storefront == Storefront.objects.get(slug="brand-store")


def test_demo_vouchers_are_in_the_simulated_card_pack_with_the_same_codes(demo):  # noqa: F811
    stocks = {s.voucher_id: s for s in CouponStock.objects.all()}
    assert set(stocks) == {voucher_id for voucher_id, *_ in VOUCHERS}
    for voucher_id, _name, _value, _minimum, count in VOUCHERS:
        stock = stocks[voucher_id]
        assert stock.status == "synced" and stock.codes_uploaded == count and stock.stock_id
        remote = demo.pay.busifavor.stocks[stock.stock_id]
        codes = SandboxVoucherCode.objects.filter(voucher__voucher_id=voucher_id)
        ours = set(codes.values_list("code", flat=True))
        assert set(remote.codes) == ours and len(ours) == count



def test_a_restarted_sandbox_hands_what_it_remembers_to_the_new_simulated_wechat(demo, sandbox_url):  # noqa: F811
    """A new start makes new fakes on new ports: the stored stocks and QR codes work there as before,
    nothing is created twice."""
    before = {s.voucher_id: s.stock_id for s in CouponStock.objects.all()}
    again = simulated_wechat.start(public_url=sandbox_url + "/")
    try:
        assert {s.voucher_id: (s.stock_id, s.status) for s in CouponStock.objects.all()} == {
            voucher_id: (stock_id, "synced") for voucher_id, stock_id in before.items()
        }
        assert set(again.pay.busifavor.stocks) == set(before.values())
        code = again.showcase_code
        assert code.scan_url.startswith(again.mp.base_url) and QrCode.objects.count() == 1
        assert decode(get(code.image_url)[1]) == [code.scan_url]
        status, page = get(code.scan_url + "?as=user9001")
        assert status == 200 and "欢迎光临王芳" in page.decode()
    finally:
        again.mp.stop()
        again.pay.stop()


def test_the_qr_code_png_decodes_and_scanning_it_follows_and_binds(demo):  # noqa: F811
    code = demo.showcase_code
    assert code is not None and code.storefront == "wangfang"
    status, png = get(code.image_url)
    assert status == 200 and png.startswith(b"\x89PNG")
    assert decode(png) == [code.scan_url]
    wang = Distributor.objects.get(user_id=201)
    stored = QrCode.objects.get(scene=wang.referral_code)
    assert stored.app_id == STOREFRONT_APPS["wangfang"] and stored.url == code.scan_url
    # the new customer (user 9001) scans: a follow of Wang Fang's account with her scene, then our
    # callback binds the person to her
    status, page = get(code.scan_url + "?as=user9001")
    text = page.decode()
    assert status == 200 and "data-testid='followed'" in text and wang.referral_code in text
    assert "欢迎光临王芳" in text  # the account's welcome, decrypted from our encrypted reply
    binding = CustomerBinding.objects.get(customer_key="user:9001")
    assert binding.distributor == wang and binding.source == "qr"
    stored.refresh_from_db()
    assert (stored.scans, stored.follows, stored.bindings) == (1, 1, 1)


def test_a_share_poster_of_a_demo_product_with_its_picture(demo, settings):  # noqa: F811
    wang = Principal(user_id=201, email="user201@example.com")
    url = share_poster_create(principal=wang, storefront_id=None, product_id="fridge-bcd-520")
    path = settings.MEDIA_ROOT + "/" + url.split("/media/", 1)[1]
    with open(path, "rb") as poster:
        png = poster.read()
    wang_fang = Distributor.objects.get(user_id=201)
    link = referral_link(distributor=wang_fang, channel="default-channel", product_id="fridge-bcd-520")
    assert decode(png) == [link]
    picture = Image.open(io.BytesIO(png)).getpixel((375, 375))
    assert picture != (255, 255, 255)  # the demo product's picture, fetched from the sandbox


def test_a_distributor_signs_in_to_the_center_on_her_storefronts_own_account(demo, sandbox_url):  # noqa: F811
    """The center at ?s=wangfang authorizes on Wang Fang's own simulated account; the person holding the
    phone is recognised as her (user 201), and the token is hers."""
    app_id = STOREFRONT_APPS["wangfang"]
    authorize = demo.mp.base_url + "/connect/oauth2/authorize?" + urlencode({
        "appid": app_id, "redirect_uri": f"{sandbox_url}/center/?s=wangfang", "response_type": "code",
        "scope": "snsapi_base", "state": "s", "as": "user201",
    })  # fmt: skip
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(authorize, timeout=10)
        raise AssertionError("WeChat's authorization redirects back")
    except urllib.error.HTTPError as redirect:
        location = redirect.headers["Location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    query = (
        'mutation($c: String!) { centerSignIn(storefront: "wangfang", code: $c) { token errors { code } } }'
    )
    request = urllib.request.Request(
        sandbox_url + "/graphql/",
        data=json.dumps({"query": query, "variables": {"c": code}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        signed = json.loads(answer.read())["data"]["centerSignIn"]
    assert signed["errors"] == [] and principal_from_token(signed["token"]).user_id == 201


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
