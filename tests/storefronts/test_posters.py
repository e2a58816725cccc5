"""Share posters: the product image comes from an HTTP server, the QR code on the PNG is decoded. The
``sharePosterCreate`` mutation draws and stores; ``Storefront.sharePoster`` only reads."""

from __future__ import annotations

import io
import threading
from collections import Counter
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import zxingcpp
from graphql_relay import to_global_id
from PIL import Image

from saleor_wechat_distribution import host
from saleor_wechat_distribution.models import Storefront
from saleor_wechat_distribution.ports import ProductSnapshot
from saleor_wechat_distribution.testing.factories import customer
from tests.graphql.conftest import gql  # noqa: F401 - fixture

READ = """
query($slug: String!, $product: String!) { storefront(slug: $slug) { sharePoster(productId: $product) } }"""
CREATE = """
mutation($id: ID, $product: ID!) {
  sharePosterCreate(id: $id, productId: $product) { url errors { field code message } } }"""


def prepared(gql, variables, principal):  # noqa: F811
    """Prepare (the mutation) then read (the query), in the shape of the query's answer."""
    made = gql(CREATE, {"id": _storefront_id(variables["slug"]), "product": variables["product"]}, principal)
    if made.get("errors"):  # refused before the mutation ran (permission)
        return made
    made = made["data"]["sharePosterCreate"]
    if made["errors"]:
        errors = [
            {"extensions": {"exception": {"code": e["code"]}}, "message": e["message"]}
            for e in made["errors"]
        ]
        return {"errors": errors}
    answer = gql(READ, variables, principal)
    assert answer["data"]["storefront"]["sharePoster"] == made["url"], (answer, made)
    return answer


def _storefront_id(slug):
    return to_global_id("Storefront", Storefront.objects.get(slug=slug).pk)


def _png(color: str, size: tuple[int, int] = (600, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


class Images:
    def __init__(self) -> None:
        self.files = {"/p1.png": _png("#3366cc"), "/notimage.png": b"<html>hello</html>"}
        self.hits: Counter[str] = Counter()
        images = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                images.hits[self.path] += 1
                body = images.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def images(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    server = Images()
    catalog = {
        "p1": ProductSnapshot(
            "p1", "有机绿茶礼盒 Organic green tea", Decimal("199.00"), "CNY", server.url("/p1.png")
        ),
        "p404": ProductSnapshot("p404", "Missing image", Decimal("1"), "CNY", server.url("/nothing.png")),
        "pbad": ProductSnapshot("pbad", "Not an image", Decimal("1"), "CNY", server.url("/notimage.png")),
    }
    with host.overridden(product_lookup=lambda channel, product_id: catalog.get(product_id)):
        yield server
    server.server.shutdown()
    server.server.server_close()


def _decode(path: str) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(path))]


def test_poster_carries_the_referral_link_and_is_cached(gql, shop, images, settings):  # noqa: F811
    answer = prepared(gql, {"slug": "xiaowang", "product": "p1"}, shop.owner)
    url = answer["data"]["storefront"]["sharePoster"]
    assert url.startswith("http://testserver/media/wechat_distribution/posters/") and url.endswith(".png")
    path = settings.MEDIA_ROOT + "/" + url.split("/media/", 1)[1]
    poster = Image.open(path)
    assert poster.size == (750, 1200)
    assert poster.getpixel((375, 375)) == (0x33, 0x66, 0xCC)  # the product image
    code = shop.distributor.referral_code
    assert _decode(path) == [f"https://shop.example.com/products/p1/?ref={code}"]
    again = prepared(gql, {"slug": "xiaowang", "product": "p1"}, shop.staff)["data"]["storefront"][
        "sharePoster"
    ]
    assert again == url and images.hits["/p1.png"] == 1


def test_the_query_draws_nothing(gql, shop, images, settings):  # noqa: F811
    """Before sharePosterCreate the query answers null: no picture fetched, nothing stored; a product the
    storefront does not sell is still an error."""
    variables = {"slug": "xiaowang", "product": "p1"}
    assert gql(READ, variables, shop.owner)["data"]["storefront"] == {"sharePoster": None}
    assert images.hits["/p1.png"] == 0 and not list(Path(settings.MEDIA_ROOT).rglob("*.png"))
    answer = gql(READ, {"slug": "xiaowang", "product": "nope"}, shop.owner)
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "PRODUCT_NOT_FOUND"
    made = gql(CREATE, {"product": "p1"}, shop.owner)["data"]["sharePosterCreate"]  # own storefront
    assert made["errors"] == [] and made["url"].endswith(".png")
    assert gql(READ, variables, shop.owner)["data"]["storefront"] == {"sharePoster": made["url"]}


def test_poster_errors(gql, shop, images):  # noqa: F811
    for product, code in [("nope", "PRODUCT_NOT_FOUND"), ("p404", "IMAGE_UNAVAILABLE"),
                          ("pbad", "IMAGE_UNAVAILABLE"), ("", "INVALID")]:  # fmt: skip
        answer = prepared(gql, {"slug": "xiaowang", "product": product}, shop.owner)
        assert answer["errors"][0]["extensions"]["exception"]["code"] == code, answer
    shop.storefront.all_products = False
    shop.storefront.product_ids = ["p2"]
    shop.storefront.save()
    answer = prepared(gql, {"slug": "xiaowang", "product": "p1"}, shop.owner)
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "PRODUCT_NOT_FOUND"
    answer = prepared(gql, {"slug": "xiaowang", "product": "p1"}, None)
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    answer = prepared(gql, {"slug": "xiaowang", "product": "p1"}, customer())  # not theirs: not found
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "NOT_FOUND"
    for principal in (None, customer()):
        answer = gql(READ, {"slug": "xiaowang", "product": "p1"}, principal)
        assert answer["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    assert images.hits["/p1.png"] == 0


def test_without_the_hosts_product_lookup_the_answer_names_what_is_missing(gql, shop, settings):  # noqa: F811
    """The storefront sells every product, but nobody told us how to describe one (no lookup, and no
    catalog: the sandbox's settings name one)."""
    host.update(product_lookup=None)
    settings.WECHAT_DISTRIBUTION_PRODUCT_CATALOG = None
    answer = prepared(gql, {"slug": "xiaowang", "product": "p1"}, shop.owner)
    (error,) = answer["errors"]
    assert error["extensions"]["exception"]["code"] == "PRODUCT_LOOKUP_MISSING"
    assert "product lookup" in error["message"] and "host.update(product_lookup=" in error["message"]
    assert "WECHAT_DISTRIBUTION_PRODUCT_CATALOG" in error["message"] and "conf.set_" not in error["message"]
    assert "does not sell" not in error["message"]
    # a product the storefront does not list is still that
    shop.storefront.all_products = False
    shop.storefront.product_ids = ["p2"]
    shop.storefront.save()
    answer = prepared(gql, {"slug": "xiaowang", "product": "p1"}, shop.owner)
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "PRODUCT_NOT_FOUND"
