"""Share posters can carry the Mini Program code instead of the link's QR code."""

from __future__ import annotations

from PIL import Image

from saleor_wechat_distribution.models import MiniProgramCode
from saleor_wechat_distribution.testing.fake_wechat_mp.mini_program import CODE_COLOR
from saleor_wechat_distribution.wechat.posters import HEIGHT, QR_SIZE, WIDTH
from tests.storefronts.test_posters import _decode, images  # noqa: F401 - fixture

POSTER = """
query($slug: String!, $product: String!, $mini: Boolean) {
  storefront(slug: $slug) { sharePoster(productId: $product, miniProgram: $mini) }
}"""


def _path(settings, url: str) -> str:
    return settings.MEDIA_ROOT + "/" + url.split("/media/", 1)[1]


def test_a_poster_carries_the_mini_program_code(gql, shop, mp, mini, images, settings):  # noqa: F811
    variables = {"slug": "xiaowang", "product": "p1"}
    link_poster = gql(POSTER, variables, shop.owner)["data"]["storefront"]["sharePoster"]
    assert _decode(_path(settings, link_poster))  # the URL's QR code
    url = gql(POSTER, {**variables, "mini": True}, shop.owner)["data"]["storefront"]["sharePoster"]
    assert url != link_poster
    poster = Image.open(_path(settings, url))
    centre = (WIDTH - QR_SIZE // 2 - 30, HEIGHT - QR_SIZE // 2 - 30)
    assert poster.getpixel(centre) == CODE_COLOR and _decode(_path(settings, url)) == []
    code = MiniProgramCode.objects.get(distributor=shop.distributor, product_id="p1")
    assert mp.codes_made[0].scene == code.scene
    again = gql(POSTER, {**variables, "mini": True}, shop.owner)["data"]["storefront"]["sharePoster"]
    assert again == url and len(mp.codes_made) == 1


def test_a_poster_without_mini_program_is_refused_with_a_code(gql, shop, mp, images, settings):  # noqa: F811
    answer = gql(POSTER, {"slug": "xiaowang", "product": "p1", "mini": True}, shop.owner)
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "NOT_CONFIGURED"
