"""Distributor codes (小程序码): wxacode.getUnlimited through wechatpy to the fake WeChat, a short scene,
made once per (distributor, page, product), stored and served as PNG; a scan resolves the scene and binds
like a QR scan; posters carry the code; documented errors become our codes."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from PIL import Image

from saleor_wechat_distribution.domain.miniprogram import SCENE_MAX_LENGTH
from saleor_wechat_distribution.models import CustomerBinding, MiniProgramCode
from saleor_wechat_distribution.testing.factories import customer

from .conftest import CHANNEL, MINI_APP

CREATE = """
mutation($channel: String!, $page: String, $product: String) {
  miniProgramCodeCreate(channel: $channel, page: $page, productId: $product) {
    code { scene page productId imageUrl scans bindings }
    errors { field code message }
  }
}"""
RESOLVE = """
mutation($scene: String!) {
  referralSceneResolve(scene: $scene) {
    referralCode channel page productId bound errors { field code message }
  }
}"""


def create(gql, principal, **variables) -> dict:
    body = gql(CREATE, {"channel": CHANNEL, **variables}, principal)
    return body["data"]["miniProgramCodeCreate"]


def test_a_code_is_made_once_per_page_and_product_and_served_as_png(gql, shop, mp, mini):
    first = create(gql, shop.owner, product="kettle-sw-15")
    assert first["errors"] == []
    code = first["code"]
    assert code["page"] == "pages/index/index" and code["productId"] == "kettle-sw-15"
    assert len(code["scene"]) <= SCENE_MAX_LENGTH and code["imageUrl"].endswith(".png")
    (made,) = mp.codes_made
    assert made.scene == code["scene"] and made.check_path is True and made.app_id == MINI_APP
    row = MiniProgramCode.objects.get(scene=code["scene"])
    with default_storage.open(row.image, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        assert image.format == "PNG" and image.text["scene"] == code["scene"]
    again = create(gql, shop.owner, product="kettle-sw-15")
    assert again["code"]["scene"] == code["scene"] and len(mp.codes_made) == 1
    other_product = create(gql, shop.owner, product="fridge-bcd-310")
    other_page = create(gql, shop.owner, product="kettle-sw-15", page="pages/product/index")
    scenes = {code["scene"], other_product["code"]["scene"], other_page["code"]["scene"]}
    assert len(scenes) == 3 and len(mp.codes_made) == 3
    assert mp.codes_made[-1].page == "pages/product/index"


def test_an_unpublished_page_is_41030_page_not_published(gql, shop, mp, mini):
    answer = create(gql, shop.owner, page="pages/secret/index")
    assert answer["code"] is None
    assert answer["errors"][0]["code"] == "PAGE_NOT_PUBLISHED" and answer["errors"][0]["field"] == "page"
    assert not MiniProgramCode.objects.exists()


def test_check_path_off_makes_codes_for_unpublished_pages(gql, shop, mp, mini, settings):
    settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS["default-channel"]["check_path"] = False
    answer = create(gql, shop.owner, page="pages/secret/index")
    assert answer["errors"] == [] and mp.codes_made[-1].check_path is False


def test_the_daily_quota_is_45009_rate_limited(gql, shop, mp, mini):
    mp.code_quota_exhausted = 1
    answer = create(gql, shop.owner)
    assert answer["errors"][0]["code"] == "RATE_LIMITED"
    assert create(gql, shop.owner)["errors"] == []


def test_only_distributors_get_codes(gql, shop, mp, mini):
    answer = create(gql, customer())
    assert answer["errors"][0]["code"] == "NOT_A_DISTRIBUTOR"
    assert gql(CREATE, {"channel": CHANNEL})["errors"][0]["extensions"]["exception"]["code"] == (
        "PermissionDenied"
    )


def test_a_scan_binds_the_signed_in_customer_like_a_qr_scan(gql, shop, mp, mini):
    scene = create(gql, shop.owner, product="kettle-sw-15")["code"]["scene"]
    visitor = customer()
    # WeChat hands the page the scene URL-encoded
    answer = gql(RESOLVE, {"scene": scene.replace("=", "%3D")}, visitor)["data"]["referralSceneResolve"]
    assert answer == {
        "referralCode": shop.distributor.referral_code,
        "channel": CHANNEL,
        "page": "pages/index/index",
        "productId": "kettle-sw-15",
        "bound": True,
        "errors": [],
    }
    binding = CustomerBinding.objects.get(customer_key=f"user:{visitor.user_id}", channel=CHANNEL)
    assert binding.distributor_id == shop.distributor.pk and binding.source == "qr"
    row = MiniProgramCode.objects.get(scene=scene)
    assert (row.scans, row.bindings) == (1, 1)
    # anonymous: resolved and counted, nobody bound; the distributor's own scan binds nobody
    assert gql(RESOLVE, {"scene": scene})["data"]["referralSceneResolve"]["bound"] is False
    assert gql(RESOLVE, {"scene": scene}, shop.owner)["data"]["referralSceneResolve"]["bound"] is False
    row.refresh_from_db()
    assert (row.scans, row.bindings) == (3, 1)


def test_a_product_the_channel_does_not_sell_is_refused(gql, shop, mp, mini):
    answer = create(gql, shop.owner, product="no-such-product")
    assert answer["errors"][0]["code"] == "NOT_FOUND" and answer["errors"][0]["field"] == "productId"
    assert mp.codes_made == []


def test_unknown_and_malformed_scenes_are_refused(gql, shop, mp, mini):
    unknown = gql(RESOLVE, {"scene": "s=NOPE"})["data"]["referralSceneResolve"]
    assert unknown["errors"][0]["code"] == "SCENE_UNKNOWN"
    bad = gql(RESOLVE, {"scene": "x" * 40})["data"]["referralSceneResolve"]
    assert bad["errors"][0]["code"] == "INVALID" and bad["errors"][0]["field"] == "scene"


def test_a_suspended_distributors_code_resolves_to_nobody(gql, shop, mp, mini):
    scene = create(gql, shop.owner)["code"]["scene"]
    shop.distributor.status = "suspended"
    shop.distributor.save()
    answer = gql(RESOLVE, {"scene": scene}, customer())["data"]["referralSceneResolve"]
    assert answer["errors"][0]["code"] == "SCENE_UNKNOWN"


def test_concurrent_requests_make_one_code_with_one_wechat_call(transactional_db, shop, mp, mini):
    from saleor_wechat_distribution.services.miniprogram.codes import mini_program_code_for
    from saleor_wechat_distribution.testing.concurrency import run_concurrently

    def make():
        return mini_program_code_for(distributor=shop.distributor, channel=CHANNEL, product_id="kettle-sw-15")

    results = run_concurrently([make] * 4)
    assert all(isinstance(r, MiniProgramCode) for r in results), results
    assert len({r.scene for r in results}) == 1 and MiniProgramCode.objects.count() == 1
    assert len(mp.codes_made) == 1


def test_many_aliased_code_requests_are_refused_by_their_cost(gql, shop, mp, mini):
    """Each code may call WeChat: 60 of them in one document cost more than a request may."""
    selection = 'miniProgramCodeCreate(channel: "default-channel") { errors { code } }'
    query = "mutation { " + " ".join(f"a{i}: {selection}" for i in range(60)) + " }"
    body = gql(query, principal=shop.owner, status=400)
    assert body["errors"][0]["extensions"]["exception"]["code"] == "QueryCostError"
    assert mp.codes_made == [] and not MiniProgramCode.objects.exists()
