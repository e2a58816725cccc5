"""Share posters can carry the Mini Program code instead of the link's QR code."""

from __future__ import annotations

from PIL import Image

from saleor_wechat_distribution.models import MiniProgramCode
from saleor_wechat_distribution.services.posters.drawing import HEIGHT, QR_SIZE, WIDTH
from saleor_wechat_distribution.testing.fake_wechat_mp.mini_program import CODE_COLOR
from tests.storefronts.test_posters import _decode, images  # noqa: F401 - fixture

POSTER = """
query($slug: String!, $product: String!, $mini: Boolean) {
  storefront(slug: $slug) { sharePoster(productId: $product, miniProgram: $mini) }
}"""
CREATE = """
mutation($product: ID!, $mini: Boolean) { sharePosterCreate(productId: $product, miniProgram: $mini) {
  url errors { field code message } } }"""


def _create(gql, variables, user) -> str:
    answer = gql(CREATE, {"product": variables["product"], "mini": variables.get("mini", False)}, user)
    made = answer["data"]["sharePosterCreate"]
    assert made["errors"] == [], made
    read = gql(POSTER, variables, user)["data"]["storefront"]["sharePoster"]
    assert read == made["url"], (read, made)
    return made["url"]


def _path(settings, url: str) -> str:
    return settings.MEDIA_ROOT + "/" + url.split("/media/", 1)[1]


def test_a_poster_carries_the_mini_program_code(gql, shop, mp, mini, images, settings):  # noqa: F811
    variables = {"slug": "xiaowang", "product": "p1"}
    link_poster = _create(gql, variables, shop.owner)
    assert _decode(_path(settings, link_poster))  # the URL's QR code
    # a read makes no Mini Program code: nothing is prepared yet
    assert gql(POSTER, {**variables, "mini": True}, shop.owner)["data"]["storefront"]["sharePoster"] is None
    assert mp.codes_made == []
    url = _create(gql, {**variables, "mini": True}, shop.owner)
    assert url != link_poster
    poster = Image.open(_path(settings, url))
    centre = (WIDTH - QR_SIZE // 2 - 30, HEIGHT - QR_SIZE // 2 - 30)
    assert poster.getpixel(centre) == CODE_COLOR and _decode(_path(settings, url)) == []
    code = MiniProgramCode.objects.get(distributor=shop.distributor, product_id="p1")
    assert mp.codes_made[0].scene == code.scene
    again = _create(gql, {**variables, "mini": True}, shop.owner)
    assert again == url and len(mp.codes_made) == 1


def test_a_poster_without_mini_program_is_refused_with_a_code(gql, shop, mp, images, settings):  # noqa: F811
    answer = gql(POSTER, {"slug": "xiaowang", "product": "p1", "mini": True}, shop.owner)
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "NOT_CONFIGURED"
    made = gql(CREATE, {"product": "p1", "mini": True}, shop.owner)["data"]["sharePosterCreate"]
    assert made["url"] is None and made["errors"][0]["code"] == "NOT_CONFIGURED", made
